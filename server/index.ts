// `npm start`: the API, a job runner and the console (admin/dist at /admin/) in one process.
// `--api-only` leaves the jobs to separate `npm run worker` processes on the same database.
import type http from 'node:http';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { adminConsoleBuilt } from './http/adminRoute.ts';
import { buildApp, type App } from './app.ts';
import type { AppDeps } from './context.ts';
import { openDatabase } from './db/database.ts';
import { createDeps } from './deps.ts';
import { EnvError, loadEnv } from './env.ts';
import { assertPortFree, listen, PortInUseError } from './http/listen.ts';
import { createLogger } from './observability/logger.ts';
import { startMetricsServer } from './http/metricsRoute.ts';
import { migrateDatabase } from './db/migrate.ts';
import { jobRunnersAlive } from './db/readiness.ts';
import { InstallationMismatchError } from './services/installation.ts';

async function main(): Promise<void> {
  const env = loadEnv();
  const logger = createLogger(env.LOG_LEVEL);
  const apiOnly = process.argv.includes('--api-only');
  await assertPortFree(env.HOST, env.PORT);

  const database = await openDatabase(env, logger);
  let runner: JobRunner | null = null;
  let deps: AppDeps | null = null;
  let app: App | null = null;
  let metricsServer: http.Server | null = null;
  const stopAll = async () => {
    if (metricsServer) await new Promise((resolve) => metricsServer!.close(resolve));
    await app?.close();
    await runner?.stop();
    await deps?.subscriber?.close();
    await deps?.publisher.close?.();
    await deps?.userCache?.close();
    await deps?.db.$disconnect();
    await database.stop();
  };
  try {
    await migrateDatabase(database.url, logger);
    deps = await createDeps(env, database.url, logger, { checkInstallation: true });
    const coreDeps = deps;
    app = buildApp(coreDeps, {
      jobRunnerReady: apiOnly ? () => jobRunnersAlive(coreDeps) : () => runner?.isAlive() ?? false,
    });
    // Listening before the runner starts: a port lost to a race leaves no runner working headless.
    await listen(app.server, env.PORT, env.HOST);
    if (env.METRICS_PORT !== undefined) metricsServer = await startMetricsServer(coreDeps, env.METRICS_PORT);
    if (!apiOnly) {
      runner = await startJobRunner({ connectionString: database.url, concurrency: env.WORKER_CONCURRENCY, deps });
    }
  } catch (error) {
    await stopAll().catch((stopError: unknown) => logger.error({ err: stopError }, 'error while stopping after a failed start'));
    throw error;
  }

  const port = portOf(app.server, env.PORT);
  const base = `http://localhost:${port}`;
  logger.info(
    {
      graphql: `${base}/graphql`,
      websocket: `ws://localhost:${port}/graphql`,
      health: `${base}/health`,
      ready: `${base}/ready`,
      jwks: `${base}/.well-known/jwks.json`,
      metrics: metricsServer ? `port ${portOf(metricsServer, env.METRICS_PORT!)} /metrics` : env.METRICS_TOKEN ? `${base}/metrics (bearer METRICS_TOKEN)` : 'off',
      console: adminConsoleBuilt() ? `${base}/admin/` : 'not built (run `npm run admin:build`)',
      database: database.embedded ? `embedded PostgreSQL, data in ${env.dataDir}/pg` : 'DATABASE_URL',
      jobRunner: runner ? `in process, concurrency ${env.WORKER_CONCURRENCY}` : 'separate worker processes',
    },
    `Parlance is listening on ${base}`,
  );
  if (!adminConsoleBuilt()) logger.warn('The console is not built: /admin/ answers 503 until `npm run admin:build` has run.');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, env.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      await stopAll();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

function portOf(server: http.Server, configured: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : configured;
}

main().catch((error: unknown) => {
  if (error instanceof EnvError || error instanceof PortInUseError || error instanceof InstallationMismatchError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
