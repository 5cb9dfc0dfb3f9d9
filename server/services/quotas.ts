/**
 * Monthly audio quotas. A user's quota (users.monthly_audio_minutes; null: none) covers the audio
 * of one calendar month in UTC:
 *
 *   used     = audio seconds of their usage records created this month (file jobs and live sessions)
 *   reserved = media seconds of their QUEUED and PROCESSING jobs, plus the seconds received so far by
 *              their live sessions that have no usage record yet (work in flight, counted so parallel
 *              submissions cannot overshoot)
 *
 * New media of known duration passes when used + reserved + duration <= quota (exactly at the quota
 * passes; a millisecond over fails). Media of unknown duration (a URL before it is fetched, a live
 * session at start) passes while used + reserved < quota; a URL job is checked again by the worker
 * once its duration is known.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Prisma, User } from '../db/db.ts';
import { AppError, badInput, notFound } from '../errors.ts';
import { recordAudit } from './audit.ts';
import { roundTo } from '../rounding.ts';

/** Largest quota an admin can set: about 19 years of audio a month, far beyond any real use. */
const MAX_QUOTA_MINUTES = 10_000_000;

export interface QuotaStatus {
  monthlyAudioMinutes: number | null;
  usedAudioSecondsThisMonth: number;
  reservedAudioSeconds: number;
  /** null when there is no quota. */
  remainingAudioSeconds: number | null;
  monthStart: Date;
  resetsAt: Date;
}

/** The UTC calendar month `at` falls in: [start, next). */
function utcMonth(at: Date = new Date()): { start: Date; next: Date } {
  return {
    start: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)),
    next: new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1)),
  };
}

type Reader = Pick<Prisma.TransactionClient, '$queryRaw'>;

interface Figures {
  used: number;
  reserved: number;
}

/** Used and reserved seconds of each user, in one query. */
async function figuresFor(db: Reader, userIds: string[], options: { excludeJobId?: string | null; at?: Date } = {}) {
  const { start, next } = utcMonth(options.at);
  const exclude = options.excludeJobId ?? '';
  const rows = await db.$queryRaw<{ id: string; used: number; reserved_jobs: number; reserved_sessions: number }[]>`
    SELECT u.id,
      COALESCE((SELECT SUM(r.audio_seconds) FROM usage_records r
                WHERE r.user_id = u.id AND r.created_at >= ${start} AND r.created_at < ${next}), 0)::float8 AS used,
      COALESCE((SELECT SUM(j.media_duration_seconds) FROM jobs j
                WHERE j.owner_id = u.id AND j.status IN ('QUEUED', 'PROCESSING') AND j.id <> ${exclude}), 0)::float8 AS reserved_jobs,
      COALESCE((SELECT SUM(s.received_seconds) FROM live_sessions s
                WHERE s.owner_id = u.id AND s.status IN ('ACTIVE', 'ENDED', 'PROCESSING')
                  AND NOT EXISTS (SELECT 1 FROM usage_records r WHERE r.session_id = s.id)), 0)::float8 AS reserved_sessions
    FROM unnest(${userIds}::text[]) AS u(id)`;
  const figures = new Map<string, Figures>();
  for (const row of rows) {
    figures.set(row.id, { used: Number(row.used), reserved: Number(row.reserved_jobs) + Number(row.reserved_sessions) });
  }
  return figures;
}

function status(monthlyAudioMinutes: number | null, figures: Figures, at?: Date): QuotaStatus {
  const { start, next } = utcMonth(at);
  return {
    monthlyAudioMinutes,
    usedAudioSecondsThisMonth: roundTo(figures.used, 3),
    reservedAudioSeconds: roundTo(figures.reserved, 3),
    remainingAudioSeconds:
      monthlyAudioMinutes === null ? null : Math.max(0, roundTo(monthlyAudioMinutes * 60 - figures.used - figures.reserved, 3)),
    monthStart: start,
    resetsAt: next,
  };
}

/** Quota figures of several users at once (for `User.quota` on lists). */
export async function quotaStatuses(
  deps: Pick<CoreDeps, 'db'>,
  users: Pick<User, 'id' | 'monthlyAudioMinutes'>[],
): Promise<Map<string, QuotaStatus>> {
  const figures = await figuresFor(deps.db, [...new Set(users.map((user) => user.id))]);
  return new Map(users.map((user) => [user.id, status(user.monthlyAudioMinutes, figures.get(user.id) ?? { used: 0, reserved: 0 })]));
}

interface QuotaCheckOptions {
  /**
   * Check inside this transaction, holding a per-user lock until it ends: write the reserving row
   * (the job) in the same transaction, so parallel submissions are checked one after another.
   */
  tx?: Prisma.TransactionClient;
  /** A job whose own duration must not count as reserved (the worker re-checking that job). */
  excludeJobId?: string | null;
}

/**
 * Takes the owner's quota lock (held until the transaction ends) and reads their quota, in one
 * statement; the lock is taken whether or not the user exists.
 */
async function lockQuota(tx: Reader, userId: string): Promise<Pick<User, 'monthlyAudioMinutes'> | null> {
  const [row] = await tx.$queryRaw<{ found: boolean; minutes: number | null }[]>`
    SELECT pg_advisory_xact_lock(hashtextextended(${`quota:${userId}`}::text, 0))::text AS locked,
      EXISTS (SELECT 1 FROM users WHERE id = ${userId}) AS found,
      (SELECT monthly_audio_minutes FROM users WHERE id = ${userId}) AS minutes`;
  return row.found ? { monthlyAudioMinutes: row.minutes } : null;
}

/**
 * Refuses with QUOTA_EXCEEDED (and the figures) when `additionalSeconds` more audio would take the
 * user over their monthly quota. `additionalSeconds` null (or 0): the duration is not known yet
 * (a URL job, a live session at start), and the user must have some quota left. No quota: passes.
 */
export async function assertWithinQuota(
  deps: Pick<CoreDeps, 'db'>,
  userId: string,
  additionalSeconds: number | null,
  options: QuotaCheckOptions = {},
): Promise<void> {
  const db = options.tx ?? deps.db;
  const user = options.tx ? await lockQuota(options.tx, userId) : await db.user.findUnique({ where: { id: userId }, select: { monthlyAudioMinutes: true } });
  if (!user || user.monthlyAudioMinutes === null) return;
  const figures = (await figuresFor(db, [userId], { excludeJobId: options.excludeJobId })).get(userId) ?? { used: 0, reserved: 0 };
  const limitMs = user.monthlyAudioMinutes * 60_000;
  const committedMs = Math.round((figures.used + figures.reserved) * 1000);
  const additional = additionalSeconds !== null && additionalSeconds > 0 ? additionalSeconds : null;
  const fits = additional === null ? committedMs < limitMs : committedMs + Math.round(additional * 1000) <= limitMs;
  if (fits) return;
  const remaining = Math.max(0, limitMs - committedMs) / 1000;
  const parts = [
    `Monthly audio quota exceeded: ${seconds(figures.used)} used`,
    figures.reserved > 0 ? ` and ${seconds(figures.reserved)} reserved by work in progress` : '',
    ` of ${seconds(user.monthlyAudioMinutes * 60)} (${user.monthlyAudioMinutes} min) this month (UTC)`,
    additional === null ? '; no audio left' : `; this media needs ${seconds(additional)}, ${seconds(remaining)} left`,
    `. The quota resets at ${utcMonth().next.toISOString()}.`,
  ];
  throw new AppError('QUOTA_EXCEEDED', parts.join(''), {
    monthlyAudioMinutes: user.monthlyAudioMinutes,
    usedAudioSeconds: roundTo(figures.used, 3),
    reservedAudioSeconds: roundTo(figures.reserved, 3),
    requestedAudioSeconds: additional === null ? null : roundTo(additional, 3),
    remainingAudioSeconds: roundTo(remaining, 3),
  });
}

/** setUserQuota: ADMIN only; null removes the quota. Audited. */
export async function setUserQuota(
  deps: AppDeps,
  viewer: Viewer,
  userId: string,
  monthlyAudioMinutes: number | null,
): Promise<User> {
  if (monthlyAudioMinutes !== null && (!Number.isInteger(monthlyAudioMinutes) || monthlyAudioMinutes < 0 || monthlyAudioMinutes > MAX_QUOTA_MINUTES)) {
    throw badInput(`monthlyAudioMinutes must be a whole number from 0 to ${MAX_QUOTA_MINUTES}, or null for no quota.`, 'monthlyAudioMinutes');
  }
  return deps.db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw notFound('User');
    const updated = await tx.user.update({ where: { id: userId }, data: { monthlyAudioMinutes } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'user.quotaChanged',
      targetType: 'User',
      targetId: userId,
      details: { previous: user.monthlyAudioMinutes, monthlyAudioMinutes },
    });
    return updated;
  });
}


function seconds(value: number): string {
  return `${roundTo(value, 3)} s`;
}
