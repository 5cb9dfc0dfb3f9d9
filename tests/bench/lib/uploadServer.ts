/**
 * Child process for the upload-memory benchmark: builds the app as server/index.ts does (no job
 * runner, so queued jobs stay queued) and listens on a free loopback port. Prints one JSON line
 * `{"port":…,"pid":…}` on stdout when ready; stops on SIGTERM. Logs (errors only) go to stderr.
 *
 * Started as `node --import tsx tests/bench/lib/uploadServer.ts` so its pid is the server itself.
 * Reads BENCH_DATABASE_URL, BENCH_DATA_DIR, BENCH_MAX_UPLOAD_BYTES and BENCH_ROUTE: `app` (default,
 * the real server) or `yoga-direct`, where every request goes straight to yoga.handle, bypassing the
 * app's own routes (used as a reference for Yoga's built-in multipart parser).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../../../server/app.ts';
import { createDeps } from '../../../server/deps.ts';
import { loadEnv } from '../../../server/env.ts';
import { createLogger } from '../../../server/observability/logger.ts';

const databaseUrl = process.env.BENCH_DATABASE_URL;
const dataDir = process.env.BENCH_DATA_DIR;
if (!databaseUrl || !dataDir) throw new Error('BENCH_DATABASE_URL and BENCH_DATA_DIR are required');

const env = loadEnv({
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: dataDir,
  DATABASE_URL: databaseUrl,
  DATABASE_POOL_SIZE: '5',
  LOG_LEVEL: 'error',
  MAX_UPLOAD_BYTES: process.env.BENCH_MAX_UPLOAD_BYTES ?? String(200 * 1024 * 1024),
  JOB_SUBMISSIONS_PER_MINUTE: '0', // warm-ups and measured uploads must never meet the rate limit
});
const logger = createLogger(env.LOG_LEVEL, pino.destination(2));
const deps = await createDeps(env, databaseUrl, logger, { subscriptions: false });
const app = buildApp(deps, { jobRunnerReady: () => false });
const server =
  process.env.BENCH_ROUTE === 'yoga-direct'
    ? http.createServer((req, res) => {
        void app.yoga.handle(req, res, { requestId: randomUUID(), clientAddress: '127.0.0.1' });
      })
    : app.server;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, pid: process.pid })}\n`);

process.once('SIGTERM', () => {
  void (async () => {
    if (server !== app.server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await app.close().catch(() => {});
    await deps.db.$disconnect().catch(() => {});
    process.exit(0);
  })();
});
