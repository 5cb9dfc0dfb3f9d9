// One PostgreSQL per test run: embedded (a throwaway cluster) unless TEST_DATABASE_URL is given.
// A template database is migrated once; every test file clones its own database from it.
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedCluster } from '../../server/db/embeddedPostgres.ts';
import { migrateDatabase } from '../../server/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

/** The Debian packages the tests need beyond the server's own (README, "Two commands"). */
const TEST_TOOLS = ['ffmpeg', 'ffprobe', 'flite', 'sox'];

/** Fails the run at once, naming what to install, instead of letting dozens of tests fail one by one. */
function assertTestTools(): void {
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const missing = TEST_TOOLS.filter((tool) => !pathDirs.some((dir) => existsSync(path.join(dir, tool))));
  if (missing.length > 0) {
    throw new Error(
      `The tests need ${missing.join(', ')} on PATH: sudo apt-get install -y ffmpeg flite sox libpocketsphinx3 pocketsphinx-en-us chromium`,
    );
  }
}

export default async function setup(project: TestProject) {
  assertTestTools();
  const logger = pino({ level: 'silent' });
  let cluster: EmbeddedCluster | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-test-pg-'));
    await chmod(dataDir, 0o755); // the postgres user must be able to reach its data directory
    cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'pg'), persistent: false, logger });
    adminUrl = cluster.url('postgres');
  }
  const template = `parlance_template_${process.pid}`;
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${template}"`);
    await client.query(`CREATE DATABASE "${template}"`);
  });
  await migrateDatabase(databaseUrl(adminUrl, template), logger);
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await withClient(adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
        [template, `parlance_test_${process.pid}_%`],
      );
      for (const row of rows) await client.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    }).catch(() => {});
    await cluster?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
