import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { startEmbeddedPostgres } from './embeddedPostgres.ts';
import type { Env } from '../env.ts';

interface OpenDatabase {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

const DATABASE_NAME = 'parlance';

/**
 * DATABASE_URL when set; otherwise the embedded cluster under DATA_DIR/pg. If another Parlance
 * process already runs that cluster (e.g. the CLI next to `npm start`), we connect to it instead
 * of starting a second one on the same files.
 */
export async function openDatabase(env: Env, logger: Logger): Promise<OpenDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, embedded: false, stop: async () => {} };
  const dataDir = path.join(env.dataDir, 'pg');
  const running = await runningClusterUrl(env.dataDir, dataDir);
  if (running) return { url: running, embedded: true, stop: async () => {} };
  const cluster = await startEmbeddedPostgres({ dataDir, port: env.EMBEDDED_PG_PORT, logger });
  await cluster.createDatabase(DATABASE_NAME);
  return { url: cluster.url(DATABASE_NAME), embedded: true, stop: cluster.stop };
}

async function runningClusterUrl(dataRoot: string, clusterDir: string): Promise<string | null> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
  try {
    process.kill(Number(pidLine), 0);
  } catch {
    return null; // stale file from a crash; postgres cleans it up on start
  }
  const password = (await readFile(path.join(dataRoot, 'pg-password'), 'utf8')).trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(portLine)}/${DATABASE_NAME}`;
}
