/**
 * The operators' dashboard over time, from what the rows record: per bucket (an hour or a UTC day) the jobs
 * submitted, completed, failed and cancelled in it, the queue depth and the jobs processing at its end, and
 * the work the job runners did in it (processing seconds, as busy workers on average). Beside it, the job
 * runners that send heartbeats now (runner_heartbeats: one row per runner, its worker ids, when last seen).
 *
 * The last bucket ends now. Queue depth and processing are reconstructed from each job's created, started and
 * completed times as the rows hold them now: a retried job counts from its latest start.
 */
import type { CoreDeps } from '../context.ts';
import { badInput } from '../errors.ts';
import { roundTo } from '../rounding.ts';

export type TimelineBucketSize = 'HOUR' | 'DAY';

export interface TimelineBucket {
  start: Date;
  submitted: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Jobs waiting at the bucket's end: created, not started, not finished. */
  queued: number;
  /** Jobs processing at the bucket's end. */
  processing: number;
  /** Seconds of job processing inside the bucket, over all workers. */
  busySeconds: number;
  /** busySeconds over the bucket's length: how many workers were busy on average. */
  busyWorkers: number;
}

export interface RunnerStatus {
  runnerId: string;
  workers: number;
  seenAt: Date;
  /** Heard from within RUNNER_STALE_SECONDS. */
  alive: boolean;
}

const STEP_MS: Record<TimelineBucketSize, number> = { HOUR: 3_600_000, DAY: 86_400_000 };
/** At most this many buckets per query (a month of hours, two years of days). */
export const MAX_TIMELINE_BUCKETS = 750;
const DEFAULT_HOURS = 24;

/**
 * Buckets start on whole UTC hours or days and end by now; the range defaults to the last 24 hours (or 30 days),
 * the current one included.
 */
export function timelineRange(
  args: { from?: Date | null; to?: Date | null; bucket?: TimelineBucketSize | null },
  now: Date = new Date(),
): { from: Date; to: Date; bucket: TimelineBucketSize } {
  const bucket = args.bucket ?? 'HOUR';
  const step = STEP_MS[bucket];
  const floor = (at: Date) => new Date(Math.floor(at.getTime() / step) * step);
  const end = args.to && args.to.getTime() < now.getTime() ? args.to : now;
  const to = new Date(floor(new Date(end.getTime() - 1)).getTime() + step);
  const from = args.from ? floor(args.from) : new Date(to.getTime() - (bucket === 'HOUR' ? DEFAULT_HOURS : 30) * step);
  if (from.getTime() >= to.getTime()) throw badInput('from must be before to.', 'from');
  if ((to.getTime() - from.getTime()) / step > MAX_TIMELINE_BUCKETS) {
    throw badInput(`At most ${MAX_TIMELINE_BUCKETS} buckets: choose a shorter range or a larger bucket.`, 'bucket');
  }
  return { from, to, bucket };
}

export async function jobTimeline(
  deps: Pick<CoreDeps, 'db'>,
  range: { from: Date; to: Date; bucket: TimelineBucketSize },
  now: Date = new Date(),
): Promise<TimelineBucket[]> {
  const stepSeconds = STEP_MS[range.bucket] / 1000;
  // Every job alive during a bucket (created before its end, not finished before its start) is joined to it.
  const rows = await deps.db.$queryRaw<(Omit<TimelineBucket, 'busySeconds' | 'busyWorkers'> & { busy_seconds: number })[]>`
    WITH buckets AS (
      SELECT s AS start, LEAST(s + make_interval(secs => ${stepSeconds}), ${now}::timestamptz) AS stop
      FROM generate_series(${range.from}::timestamptz, ${range.to}::timestamptz - make_interval(secs => ${stepSeconds}),
                           make_interval(secs => ${stepSeconds})) AS s
    )
    SELECT b.start,
      count(j.id) FILTER (WHERE j.created_at >= b.start)::int AS submitted,
      count(j.id) FILTER (WHERE j.status = 'COMPLETED' AND j.completed_at < b.stop)::int AS completed,
      count(j.id) FILTER (WHERE j.status = 'FAILED' AND j.completed_at < b.stop)::int AS failed,
      count(j.id) FILTER (WHERE j.status = 'CANCELLED' AND j.completed_at < b.stop)::int AS cancelled,
      count(j.id) FILTER (WHERE (j.started_at IS NULL OR j.started_at >= b.stop) AND (j.completed_at IS NULL OR j.completed_at >= b.stop))::int AS queued,
      count(j.id) FILTER (WHERE j.started_at < b.stop AND (j.completed_at IS NULL OR j.completed_at >= b.stop))::int AS processing,
      COALESCE(sum(GREATEST(0, EXTRACT(EPOCH FROM LEAST(COALESCE(j.completed_at, b.stop), b.stop) - GREATEST(j.started_at, b.start))))
        FILTER (WHERE j.started_at IS NOT NULL), 0)::float8 AS busy_seconds
    FROM buckets b
    LEFT JOIN jobs j ON j.created_at < b.stop AND (j.completed_at IS NULL OR j.completed_at >= b.start)
    GROUP BY b.start
    ORDER BY b.start`;
  return rows.map((row) => {
    const bucketEnd = Math.min(row.start.getTime() + STEP_MS[range.bucket], now.getTime());
    const elapsed = Math.max(1, (bucketEnd - row.start.getTime()) / 1000);
    return {
      start: row.start,
      submitted: row.submitted,
      completed: row.completed,
      failed: row.failed,
      cancelled: row.cancelled,
      queued: row.queued,
      processing: row.processing,
      busySeconds: roundTo(row.busy_seconds, 1),
      busyWorkers: roundTo(row.busy_seconds / elapsed, 3),
    };
  });
}

export async function runnerStatuses(
  deps: Pick<CoreDeps, 'db' | 'env'>,
  now: Date = new Date(),
): Promise<RunnerStatus[]> {
  const rows = await deps.db.runnerHeartbeat.findMany({ orderBy: { seenAt: 'desc' } });
  const staleMs = deps.env.RUNNER_STALE_SECONDS * 1000;
  return rows.map((row) => ({
    runnerId: row.runnerId,
    // worker_ids also holds the runner's pool ids (graphile-worker locks with both).
    workers: row.workerIds.filter((id) => !/^(ot)?pool-/.test(id)).length,
    seenAt: row.seenAt,
    alive: now.getTime() - row.seenAt.getTime() <= staleMs,
  }));
}
