// `npm run worker`: a job runner process on its own, next to API processes (`npm run api`) on the
// same PostgreSQL. Needs DATABASE_URL, or an embedded cluster already running under DATA_DIR.
import { openDatabase } from '../server/db/database.ts';
import { EnvError, loadEnv } from '../server/env.ts';
import { createLogger } from '../server/observability/logger.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import { createCoreDeps } from '../server/deps.ts';
import { startMetricsServer } from '../server/http/metricsRoute.ts';
import { assertSameInstallation, InstallationMismatchError } from '../server/services/installation.ts';
import { startJobRunner } from './runner.ts';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const database = await openDatabase(env, logger);
  await migrateDatabase(database.url, logger);
  const deps = await createCoreDeps(env, database.url, logger);
  try {
    await assertSameInstallation(deps);
  } catch (error) {
    await deps.db.$disconnect();
    await database.stop();
    throw error;
  }
  const runner = await startJobRunner({ connectionString: database.url, concurrency: env.WORKER_CONCURRENCY, deps });
  // A worker's job durations and real-time factors are its own: it serves them on METRICS_PORT.
  const metricsServer = env.METRICS_PORT !== undefined ? await startMetricsServer(deps, env.METRICS_PORT) : null;
  logger.info({ concurrency: env.WORKER_CONCURRENCY, metricsPort: env.METRICS_PORT ?? null }, 'worker started');
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), env.SHUTDOWN_TIMEOUT_MS).unref();
    try {
      if (metricsServer) await new Promise((resolve) => metricsServer.close(resolve));
      await runner.stop();
      await deps.publisher.close?.();
      await deps.db.$disconnect();
      await database.stop();
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError || error instanceof InstallationMismatchError ? error.message : error);
  process.exit(1);
});
