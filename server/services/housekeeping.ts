/**
 * The housekeeping sweep (graphile-worker's crontab runs it, HOUSEKEEPING_CRON): prunes what would
 * otherwise grow without bound, applies retention, and records what it removed in
 * `housekeeping_sweeps` for operators (`housekeepingSweeps`). `now` is injectable so tests move the
 * clock instead of waiting.
 */
import type { TaskName } from '../db/queue.ts';
import type { CoreDeps } from '../context.ts';
import type { HousekeepingSweep } from '../db/db.ts';
import { newId } from '../ids.ts';
import { KNOWN_PAIR_MS } from './loginThrottle.ts';
import { expireRetainedData } from './retention.ts';
import { uploadStaging } from './uploadStaging.ts';

/** What one sweep removed, by kind. */
interface SweepCounts {
  refreshTokens: number;
  webhookDeliveries: number;
  outboxEmails: number;
  rateLimits: number;
  loginThrottles: number;
  loginChallenges: number;
  passwordResets: number;
  workerJobs: number;
  uploads: number;
  expiredJobs: number;
  expiredSessions: number;
  sweeps: number;
}

/** graphile-worker task identifier of the sweep; the crontab names it. */
export const HOUSEKEEPING_TASK = 'housekeeping' satisfies TaskName;

/** One crontab line: the sweep at HOUSEKEEPING_CRON, never two at once, no catch-up after downtime. */
export function housekeepingCrontab(env: Pick<CoreDeps['env'], 'HOUSEKEEPING_CRON'>): string {
  return `${env.HOUSEKEEPING_CRON} ${HOUSEKEEPING_TASK} ?id=housekeeping&max=1&jobKey=housekeeping&jobKeyMode=preserve_run_at`;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Revoked refresh tokens are kept this long so a late reuse still reads as reuse in the logs. */
const REVOKED_TOKEN_GRACE_MS = DAY_MS;
/** Rate-limit buckets refill within their window (a minute at most); an untouched row is a full bucket. */
const RATE_LIMIT_IDLE_MS = HOUR_MS;
/** Permanently failed graphile-worker jobs are kept a week for inspection. */
const FAILED_WORKER_JOB_MS = 7 * DAY_MS;
/** Login throttle rows whose block ended and whose window closed a day ago say nothing any more. */
const LOGIN_THROTTLE_IDLE_MS = DAY_MS;

export async function runHousekeeping(deps: CoreDeps, now: Date = new Date()): Promise<HousekeepingSweep> {
  const sweep = await deps.db.housekeepingSweep.create({ data: { id: newId('HousekeepingSweep'), startedAt: now } });
  try {
    const counts = await sweepAll(deps, now);
    const finished = await deps.db.housekeepingSweep.update({
      where: { id: sweep.id },
      data: { finishedAt: new Date(), removed: { ...counts } },
    });
    deps.logger.info({ sweepId: sweep.id, removed: counts }, 'housekeeping sweep finished');
    return finished;
  } catch (error) {
    deps.logger.error({ err: error, sweepId: sweep.id }, 'housekeeping sweep failed');
    await deps.db.housekeepingSweep.update({
      where: { id: sweep.id },
      data: { finishedAt: new Date(), error: 'The sweep stopped with an unexpected error; see the server log.' },
    });
    throw error;
  }
}

async function sweepAll(deps: CoreDeps, now: Date): Promise<SweepCounts> {
  const at = (msAgo: number) => new Date(now.getTime() - msAgo);
  const { db, env } = deps;
  const refreshTokens = await db.$executeRaw`
    DELETE FROM refresh_tokens WHERE expires_at < ${now} OR revoked_at < ${at(REVOKED_TOKEN_GRACE_MS)}`;
  const webhookDeliveries = await db.$executeRaw`
    DELETE FROM webhook_deliveries
    WHERE status <> 'PENDING' AND coalesce(completed_at, created_at) < ${at(env.WEBHOOK_DELIVERY_RETENTION_DAYS * DAY_MS)}`;
  const outboxEmails = await db.$executeRaw`
    DELETE FROM outbox_emails WHERE sent_at < ${at(env.OUTBOX_RETENTION_DAYS * DAY_MS)}`;
  const rateLimits = await db.$executeRaw`DELETE FROM rate_limits WHERE updated_at < ${at(RATE_LIMIT_IDLE_MS)}`;
  const loginThrottles = await db.$executeRaw`
    DELETE FROM login_throttles
    WHERE (blocked_until IS NULL OR blocked_until < ${now}) AND window_start < ${at(LOGIN_THROTTLE_IDLE_MS)}
      AND (last_success_at IS NULL OR last_success_at < ${at(KNOWN_PAIR_MS)})`;
  const loginChallenges = await db.$executeRaw`DELETE FROM login_challenges WHERE expires_at < ${now}`;
  // Kept a day past expiry, so a late click still hears "expired" rather than "not valid".
  const passwordResets = await db.$executeRaw`DELETE FROM password_resets WHERE expires_at < ${at(DAY_MS)}`;
  const workerJobs = await pruneWorkerLeftovers(deps, at(FAILED_WORKER_JOB_MS));
  const uploads = await pruneAbandonedUploads(deps, at(env.UPLOAD_EXPIRY_HOURS * HOUR_MS));
  const { expiredJobs, expiredSessions } = await expireRetainedData(deps, now);
  const sweeps = await db.$executeRaw`
    DELETE FROM housekeeping_sweeps WHERE id IN (
      SELECT id FROM housekeeping_sweeps ORDER BY started_at DESC OFFSET ${env.HOUSEKEEPING_SWEEPS_KEPT})`;
  return {
    refreshTokens,
    webhookDeliveries,
    outboxEmails,
    rateLimits,
    loginThrottles,
    loginChallenges,
    passwordResets,
    workerJobs,
    uploads,
    expiredJobs,
    expiredSessions,
    sweeps,
  };
}

/**
 * graphile-worker keeps permanently failed jobs until someone deletes them, and queue and task-name
 * rows nothing refers to any more (the same statements as its `cleanup()`, with an age on jobs).
 */
async function pruneWorkerLeftovers(deps: CoreDeps, failedBefore: Date): Promise<number> {
  const jobs = await deps.db.$executeRaw`
    DELETE FROM graphile_worker._private_jobs
    WHERE attempts >= max_attempts AND locked_at IS NULL AND updated_at < ${failedBefore}`;
  await deps.db.$executeRaw`
    DELETE FROM graphile_worker._private_job_queues q
    WHERE q.locked_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j WHERE j.job_queue_id = q.id)`;
  return jobs;
}

/**
 * Resumable uploads no job took within UPLOAD_EXPIRY_HOURS of their creation (tus sends that as
 * Upload-Expires and refuses them after it): their rows and files. Files in the upload directory without a row (a crash
 * between the two writes) go by the same age.
 */
async function pruneAbandonedUploads(deps: CoreDeps, createdBefore: Date): Promise<number> {
  const staging = uploadStaging(deps);
  // Rows of uploads a job took are pruned by the same age; the job path already removed their files.
  const pruned = await deps.db.$queryRaw<{ id: string; abandoned: boolean }[]>`
    DELETE FROM uploads WHERE created_at < ${createdBefore} RETURNING id, consumed_at IS NULL AS abandoned`;
  const expired = pruned.filter((row) => row.abandoned);
  for (const { id } of expired) await staging.discard(id);
  const orphans = await staging.pruneOrphans(createdBefore, async (ids) =>
    new Set((await deps.db.upload.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((row) => row.id)),
  );
  return expired.length + orphans;
}
