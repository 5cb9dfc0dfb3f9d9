import type { ApiKey } from '../db/db.ts';
import { ownRowsWhere } from '../services/access/personal.ts';
import { createApiKey, revokeApiKey } from '../services/apiKeys.ts';
import { builder } from './builder.ts';
import { ApiKeyScopeEnum } from './root.ts';

const ApiKeyRef = builder.prismaNode('ApiKey', {
  id: { field: 'id' },
  fields: (t) => ({
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix', { description: 'The visible start of the key, for telling keys apart.' }),
    scopes: t.expose('scopes', { type: [ApiKeyScopeEnum] }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<{ apiKey: ApiKey; secret: string }>('CreatedApiKey').implement({
  fields: (t) => ({
    apiKey: t.field({ type: ApiKeyRef, resolve: (created) => created.apiKey }),
    secret: t.exposeString('secret', { description: 'Shown once, never again.' }),
  }),
});

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    scopes: t.field({ type: [ApiKeyScopeEnum], required: true }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.withAuth({ authenticated: true }).prismaField({
    type: ['ApiKey'],
    resolve: (query, _root, _args, context) =>
      context.deps.db.apiKey.findMany({ ...query, where: ownRowsWhere(context.viewer), orderBy: { id: 'desc' } }),
  }),
);

builder.mutationFields((t) => ({
  createApiKey: t.withAuth({ write: true }).field({
    type: CreatedApiKeyRef,
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, context) => createApiKey(context.deps, context.viewer, input),
  }),
  revokeApiKey: t.withAuth({ write: true }).prismaField({
    type: 'ApiKey',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => revokeApiKey(context.deps, context.viewer, args.id),
  }),
}));
