import { usageBuckets, usageRange, type UsageBucket } from '../services/usage.ts';
import { builder } from './builder.ts';

const UsageGroupByEnum = builder.enumType('UsageGroupBy', { values: ['DAY', 'PROVIDER', 'USER', 'PROJECT'] as const });

const UsageBucketRef = builder.objectRef<UsageBucket>('UsageBucket').implement({
  description: 'Usage records of one day, provider, user or project: file jobs and live sessions alike.',
  fields: (t) => ({
    key: t.exposeString('key', {
      description: 'The UTC day (YYYY-MM-DD), the provider, the user id, or the project id ("none": outside any project).',
    }),
    jobs: t.exposeInt('jobs', { description: 'Usage records: finished file jobs plus live sessions.' }),
    liveSessions: t.exposeInt('liveSessions', { description: 'Of `jobs`, how many were live sessions.' }),
    audioSeconds: t.exposeFloat('audioSeconds'),
    costUsd: t.exposeFloat('costUsd', {
      description: "Estimated from the price tables when each record was written: audio (PRICES) plus the chat endpoint's tokens (CHAT_PRICES; see chatCostUsd).",
    }),
    chatInputTokens: t.exposeFloat('chatInputTokens', { description: 'A count (Float: totals may pass 2^31). Tokens sent to the chat endpoint (summaries, questions, translation, sentiment).' }),
    chatOutputTokens: t.exposeFloat('chatOutputTokens', { description: 'A count. Tokens the chat endpoint answered with.' }),
    chatCostUsd: t.exposeFloat('chatCostUsd', { description: "Of costUsd, the chat endpoint's (CHAT_PRICES)." }),
  }),
});

const rangeDescription =
  'Records created in [from, to). Default: the last 30 UTC days, today included; at most 366 days. groupBy DAY lists every UTC day of the range, empty ones as zeros.';

builder.queryFields((t) => ({
  usage: t.withAuth({ authenticated: true }).field({
    type: [UsageBucketRef],
    description: `The viewer's own usage plus that of the projects they are OWNER or ADMIN of. ${rangeDescription}`,
    args: {
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      groupBy: t.arg({ type: UsageGroupByEnum, required: true }),
    },
    resolve: (_root, args, context) =>
      usageBuckets(context.deps, { userId: context.viewer.user.id }, usageRange(args), args.groupBy),
  }),
  adminUsage: t.withAuth({ admin: true }).field({
    type: [UsageBucketRef],
    description: `ADMIN only. Everyone's usage. ${rangeDescription}`,
    args: {
      from: t.arg({ type: 'DateTime' }),
      to: t.arg({ type: 'DateTime' }),
      groupBy: t.arg({ type: UsageGroupByEnum, required: true }),
    },
    resolve: (_root, args, context) => usageBuckets(context.deps, 'all', usageRange(args), args.groupBy),
  }),
}));
