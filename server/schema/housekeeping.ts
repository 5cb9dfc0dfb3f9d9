import { setLegalHold } from '../services/retention.ts';
import { builder } from './builder.ts';
import { JobRef } from './jobs.ts';
import { ProjectRef } from './projects.ts';

const RemovedCountRef = builder.objectRef<{ kind: string; count: number }>('HousekeepingRemoved').implement({
  description: 'How many rows (or files) of one kind a sweep removed.',
  fields: (t) => ({
    kind: t.exposeString('kind', {
      description:
        'refreshTokens, webhookDeliveries, outboxEmails, rateLimits, loginThrottles, loginChallenges, passwordResets, workerJobs, uploads, expiredJobs, expiredSessions, sweeps.',
    }),
    count: t.exposeInt('count'),
  }),
});

builder.prismaObject('HousekeepingSweep', {
  description: 'One run of the scheduled housekeeping sweep (HOUSEKEEPING_CRON): what it pruned and expired.',
  fields: (t) => ({
    id: t.exposeID('id'),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true, description: 'null while it runs.' }),
    error: t.exposeString('error', { nullable: true }),
    removed: t.field({
      type: [RemovedCountRef],
      resolve: (sweep) =>
        Object.entries((sweep.removed ?? {}) as Record<string, number>).map(([kind, count]) => ({ kind, count })),
    }),
  }),
});

builder.queryField('housekeepingSweeps', (t) =>
  t.withAuth({ admin: true }).prismaField({
    type: ['HousekeepingSweep'],
    description: 'ADMIN only. The latest housekeeping sweeps, newest first (HOUSEKEEPING_SWEEPS_KEPT are kept).',
    args: { first: t.arg.int({ defaultValue: 10 }) },
    resolve: (query, _root, args, context) =>
      context.deps.db.housekeepingSweep.findMany({
        ...query,
        orderBy: { startedAt: 'desc' },
        take: Math.min(Math.max(args.first ?? 10, 1), 100),
      }),
  }),
);

builder.objectField(JobRef, 'legalHold', (t) =>
  t.exposeBoolean('legalHold', { description: 'Kept past its retention while set (its project may hold it too).' }),
);

builder.objectFields(ProjectRef, (t) => ({
  legalHold: t.exposeBoolean('legalHold', { description: "Keeps the project's jobs and sessions past their retention." }),
  retentionDays: t.exposeInt('retentionDays', {
    nullable: true,
    description: "Days its finished jobs and sessions are kept; null: the server's RETENTION_DAYS (none: forever).",
  }),
}));

const LegalHoldTargetRef = builder.unionType('LegalHoldTarget', {
  types: [JobRef, ProjectRef],
  resolveType: (target) => ('ownerId' in target ? JobRef : ProjectRef),
});

builder.mutationField('setLegalHold', (t) =>
  t.withAuth({ admin: true }).field({
    type: LegalHoldTargetRef,
    description: 'ADMIN only. Holds a Job or a Project (and so its jobs and sessions) past retention, or releases it. Audited.',
    args: { id: t.arg.id({ required: true }), hold: t.arg.boolean({ required: true }) },
    resolve: (_root, args, context) => setLegalHold(context.deps, context.viewer, args.id, args.hold),
  }),
);
