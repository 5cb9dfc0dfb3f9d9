import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { run, type Runner, type TaskList, type WorkerEvents } from 'graphile-worker';
import type { CoreDeps } from '../server/context.ts';
import { housekeepingCrontab } from '../server/services/housekeeping.ts';
import { createJobCancellations } from './cancellation.ts';
import { createTaskList } from './tasks/index.ts';
import { workerLogger } from './workerLogger.ts';

export interface JobRunner {
  isAlive: () => boolean;
  stop: () => Promise<void>;
}


/**
 * Starts a graphile-worker runner with our tasks, plus a heartbeat: every few seconds it records
 * which graphile workers it hosts, and unlocks jobs held by workers whose runner stopped beating
 * (killed with SIGKILL, machine lost), so another runner resumes them within seconds instead of
 * after graphile-worker's 4-hour lock timeout. Stop it (and await that) before the database goes.
 *
 * Running transcriptions stop at once when their job is cancelled (jobs/cancellation.ts). On stop,
 * a running task gets half of SHUTDOWN_TIMEOUT_MS (at most 5 s) to finish; then graphile-worker's
 * `helpers.abortSignal` stops it and it is queued again, to resume after its last stored chunk.
 */
export async function startJobRunner(options: {
  connectionString: string;
  concurrency: number;
  deps: CoreDeps;
  taskList?: TaskList;
  pollInterval?: number;
  /** graphile-worker crontab lines; the housekeeping sweep by default. */
  crontab?: string;
}): Promise<JobRunner> {
  const { deps } = options;
  const runnerId = randomUUID();
  // The ids graphile-worker locks jobs with: in 0.18 that is the worker *pool's* id
  // (`locked_by = 'pool-…'`), not the individual workers' ids. Both are recorded.
  const workerIds = new Set<string>();
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  events.on('pool:create', ({ workerPool }) => workerIds.add(workerPool.id));
  events.on('pool:release', ({ workerPool }) => workerIds.delete(workerPool.id));
  events.on('worker:create', ({ worker }) => workerIds.add(worker.workerId));
  events.on('worker:stop', ({ worker }) => workerIds.delete(worker.workerId));

  // Only our own task list listens for cancels (a caller's list, as in benches, brings its own).
  const cancellations = options.taskList ? null : await createJobCancellations(options.connectionString, deps);
  let alive = true;
  const runner: Runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: options.pollInterval ?? 1_000,
    taskList: options.taskList ?? createTaskList(deps, { cancellations }),
    crontab: options.crontab ?? housekeepingCrontab(deps.env),
    logger: workerLogger(deps.logger),
    events,
    gracefulShutdownAbortTimeout: Math.min(5_000, Math.floor(deps.env.SHUTDOWN_TIMEOUT_MS / 2)),
    // Batched (with no delay), so stopping waits for the last completions and failures to be
    // written; unbatched, they are fired and forgotten, and a job finished just before a stop stays locked.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
  }).catch(async (error: unknown) => {
    await cancellations?.close();
    throw error;
  });
  runner.promise.then(
    () => {
      alive = false;
    },
    (error: unknown) => {
      alive = false;
      deps.logger.error({ err: error }, 'job runner stopped with an error');
    },
  );

  // A runner silent for RUNNER_STALE_SECONDS is taken for dead; live ones beat four times as often.
  const staleSeconds = deps.env.RUNNER_STALE_SECONDS;
  const beat = async () => {
    await deps.db.$executeRaw`
      INSERT INTO runner_heartbeats (runner_id, worker_ids, seen_at) VALUES (${runnerId}, ${[...workerIds]}::text[], now())
      ON CONFLICT (runner_id) DO UPDATE SET worker_ids = EXCLUDED.worker_ids, seen_at = now()`;
    await unlockJobsOfDeadRunners(deps, staleSeconds);
  };
  await beat().catch((error: unknown) => deps.logger.warn({ err: error }, 'heartbeat failed'));
  const timer = setInterval(() => {
    beat().catch((error: unknown) => deps.logger.warn({ err: error }, 'heartbeat failed'));
  }, (staleSeconds * 1000) / 4);
  timer.unref();

  return {
    isAlive: () => alive,
    stop: async () => {
      clearInterval(timer);
      if (alive) {
        await runner.stop();
        alive = false;
        await deps.db.runnerHeartbeat.delete({ where: { runnerId } }).catch(() => {});
      }
      await cancellations?.close();
    },
  };
}

async function unlockJobsOfDeadRunners(deps: Pick<CoreDeps, 'db' | 'logger'>, staleSeconds: number): Promise<void> {
  const stale = await deps.db.$queryRaw<{ locked_by: string }[]>`
    SELECT DISTINCT j.locked_by FROM graphile_worker._private_jobs j
    WHERE j.locked_by IS NOT NULL
      AND j.locked_at < now() - make_interval(secs => ${staleSeconds})
      AND NOT EXISTS (
        SELECT 1 FROM runner_heartbeats h
        WHERE j.locked_by = ANY (h.worker_ids) AND h.seen_at > now() - make_interval(secs => ${staleSeconds}))`;
  if (stale.length === 0) return;
  const ids = stale.map((row) => row.locked_by);
  await deps.db.$executeRaw`SELECT graphile_worker.force_unlock_workers(${ids}::text[])`;
  deps.logger.warn({ workers: ids }, 'unlocked jobs of job runners that stopped answering');
  await deps.db.$executeRaw`DELETE FROM runner_heartbeats WHERE seen_at < now() - interval '1 hour'`;
}
