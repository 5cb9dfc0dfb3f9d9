import { run, type Runner } from 'graphile-worker';
import type { Logger } from 'pino';
import { taskList } from './tasks/index.ts';
import { workerLogger } from './workerLogger.ts';

export interface JobRunner {
  isAlive: () => boolean;
  stop: () => Promise<void>;
}

/** Starts a graphile-worker runner. Stop it (and await that) before the database goes away. */
export async function startJobRunner(options: {
  connectionString: string;
  concurrency: number;
  logger: Logger;
}): Promise<JobRunner> {
  let alive = true;
  const runner: Runner = await run({
    connectionString: options.connectionString,
    concurrency: options.concurrency,
    noHandleSignals: true,
    pollInterval: 2_000,
    taskList,
    crontab: '',
    logger: workerLogger(options.logger),
  });
  runner.promise.then(
    () => {
      alive = false;
    },
    (error: unknown) => {
      alive = false;
      options.logger.error({ err: error }, 'job runner stopped with an error');
    },
  );
  return {
    isAlive: () => alive,
    stop: async () => {
      if (!alive) return;
      await runner.stop();
      alive = false;
    },
  };
}
