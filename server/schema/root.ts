import { badInput } from '../errors.ts';
import { builder } from './builder.ts';

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

builder.scalarType('DateTime', {
  serialize: (value) => (value instanceof Date ? value : new Date(value)).toISOString(),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (typeof value !== 'string' || Number.isNaN(date.getTime())) throw badInput('DateTime must be an ISO-8601 string.');
    return date;
  },
});

export const RoleEnum = builder.enumType('Role', { values: ['USER', 'ADMIN'] as const });
export const ProviderEnum = builder.enumType('Provider', {
  values: ['LOCAL', 'OPENAI', 'DEEPGRAM', 'GOOGLE', 'ASSEMBLYAI'] as const,
  description: 'GOOGLE (Google Cloud Translation) is a translation engine: a provider key kind, never a speech engine.',
});
export const ApiKeyScopeEnum = builder.enumType('ApiKeyScope', { values: ['READ', 'WRITE', 'ADMIN'] as const });

/** Page sizes for every connection: at most 100 rows a page. */
export const pageSizes = { defaultSize: 20, maxSize: 100 } as const;
