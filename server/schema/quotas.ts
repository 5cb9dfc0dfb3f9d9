import type { Context } from '../context.ts';
import type { User } from '../db/db.ts';
import { quotaStatuses, setUserQuota, type QuotaStatus } from '../services/quotas.ts';
import { builder } from './builder.ts';
import { canSeePrivate, UserRef } from './users.ts';

const QuotaRef = builder.objectRef<QuotaStatus>('Quota').implement({
  description: 'Monthly audio quota: one calendar month in UTC. Work in progress counts as reserved.',
  fields: (t) => ({
    monthlyAudioMinutes: t.exposeInt('monthlyAudioMinutes', { nullable: true, description: 'null: no quota.' }),
    usedAudioSecondsThisMonth: t.exposeFloat('usedAudioSecondsThisMonth', {
      description: 'Audio of usage records (file jobs and live sessions) this month.',
    }),
    reservedAudioSeconds: t.exposeFloat('reservedAudioSeconds', {
      description: 'Media of queued and processing jobs, and audio of live sessions not yet recorded as usage.',
    }),
    remainingAudioSeconds: t.exposeFloat('remainingAudioSeconds', {
      nullable: true,
      description: 'Quota minus used minus reserved, at least 0; null: no quota.',
    }),
    resetsAt: t.expose('resetsAt', { type: 'DateTime', description: 'The start of the next UTC month.' }),
  }),
});

type QuotaUser = Pick<User, 'id' | 'monthlyAudioMinutes'>;
interface Batch {
  users: Map<string, QuotaUser>;
  result: Promise<Map<string, QuotaStatus>>;
}
const batches = new WeakMap<Context, Batch>();

/** Quotas asked for in one request are read together: a list of 100 users costs one query. */
function loadQuota(context: Context, user: QuotaUser): Promise<QuotaStatus> {
  let batch = batches.get(context);
  if (!batch) {
    const users = new Map<string, QuotaUser>();
    const result = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      batches.delete(context);
      return quotaStatuses(context.deps, [...users.values()]);
    });
    batch = { users, result };
    batches.set(context, batch);
  }
  batch.users.set(user.id, user);
  return batch.result.then((statuses) => statuses.get(user.id)!);
}

builder.prismaObjectField(UserRef, 'quota', (t) =>
  t.field({
    type: QuotaRef,
    nullable: true,
    description: 'The user themself and admins only (null to others).',
    select: { id: true, monthlyAudioMinutes: true },
    resolve: (user, _args, context, info) => (canSeePrivate(user, context, info) ? loadQuota(context, user) : null),
  }),
);

builder.mutationField('setUserQuota', (t) =>
  t.withAuth({ admin: true }).prismaField({
    type: 'User',
    description: 'ADMIN only. Monthly audio minutes (UTC calendar month); null removes the quota.',
    args: { userId: t.arg.id({ required: true }), monthlyAudioMinutes: t.arg.int() },
    resolve: (_query, _root, args, context) =>
      setUserQuota(context.deps, context.viewer, args.userId, args.monthlyAudioMinutes ?? null),
  }),
);
