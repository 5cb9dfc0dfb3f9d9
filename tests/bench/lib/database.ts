/**
 * The benchmarks' PostgreSQL, started the way tests/setup/globalSetup.ts does it: TEST_DATABASE_URL
 * when given (an admin URL), else a throwaway embedded cluster. A template database is migrated once;
 * each benchmark clones its own database from it, and everything is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../../server/db/embeddedPostgres.ts';
import { migrateDatabase } from '../../../server/db/migrate.ts';
import { databaseUrl, withClient } from '../../setup/globalSetup.ts';

export interface BenchPostgres {
  /** A fresh migrated database of its own. */
  createDatabase(label: string): Promise<string>;
  stop(): Promise<void>;
}

let started: Promise<BenchPostgres> | null = null;

/** Starts (once per process) the cluster and migrates the template. */
export function benchPostgres(): Promise<BenchPostgres> {
  started ??= start();
  return started;
}

async function start(): Promise<BenchPostgres> {
  const logger = pino({ level: 'silent' });
  let cluster: EmbeddedCluster | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-bench-pg-'));
    await chmod(dataDir, 0o755); // the postgres user must be able to reach its data directory
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), persistent: false, logger });
    adminUrl = cluster.url('postgres');
  }
  const admin = adminUrl;
  const prefix = `parlance_bench_${process.pid}`;
  const template = `${prefix}_template`;
  await withClient(admin, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${template}"`);
    await client.query(`CREATE DATABASE "${template}"`);
  });
  await migrateDatabase(databaseUrl(admin, template), logger);

  return {
    createDatabase: async (label) => {
      const name = `${prefix}_${label.replace(/\W/g, '_')}_${randomBytes(3).toString('hex')}`;
      await withClient(admin, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
      return databaseUrl(admin, name);
    },
    stop: async () => {
      await withClient(admin, async (client) => {
        const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
          `${prefix}_%`,
        ]);
        for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
      }).catch(() => {});
      await cluster?.stop();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
      started = null;
    },
  };
}

/** Stops the cluster if one was started; safe to call when none was. */
export async function stopBenchPostgres(): Promise<void> {
  if (started) await (await started).stop();
}
