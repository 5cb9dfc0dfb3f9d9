import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { buildApp, type App } from '../../server/app.ts';
import type { AppDeps } from '../../server/context.ts';
import { startJobRunner } from '../../jobs/runner.ts';
import { createDeps } from '../../server/deps.ts';
import { loadEnv } from '../../server/env.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { databaseUrl, withClient } from '../setup/globalSetup.ts';

/** A fresh database cloned from the migrated template. */
export async function createTestDatabase(): Promise<string> {
  const adminUrl = inject('adminDatabaseUrl');
  const template = inject('templateDatabase');
  const name = `${template.replace('parlance_template_', 'parlance_test_')}_${randomBytes(5).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return databaseUrl(adminUrl, name);
}

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
  raw: string;
}

export interface TestApp {
  app: App;
  deps: AppDeps;
  databaseUrl: string;
  /** Every log line the app wrote, as text, for asserting that no secret is ever logged. */
  logs: string[];
  gql: <T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ) => Promise<GqlResult<T>>;
  listen: () => Promise<string>;
  close: () => Promise<void>;
}

export async function createTestApp(
  envOverrides: Record<string, string> = {},
  options: { jwksCooldownMs?: number; databaseUrl?: string; runner?: boolean } = {},
): Promise<TestApp> {
  const url = options.databaseUrl ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-test-data-'));
  const env = loadEnv({
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    DATABASE_POOL_SIZE: '5',
    LOG_LEVEL: 'debug',
    ...envOverrides,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger(env.LOG_LEVEL, sink);
  const deps = await createDeps(env, url, logger, { jwksCooldownMs: options.jwksCooldownMs });
  const runner = options.runner
    ? await startJobRunner({ connectionString: url, concurrency: 1, deps, pollInterval: 200 })
    : null;
  const app = buildApp(deps, { jobRunnerReady: () => runner?.isAlive() ?? true });

  const gql: TestApp['gql'] = async (query, variables, requestOptions = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...requestOptions.headers };
    if (requestOptions.token) headers.authorization = `Bearer ${requestOptions.token}`;
    const response = await app.yoga.fetch('http://parlance.test/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables }),
    });
    const raw = await response.text();
    const body = JSON.parse(raw) as { data?: any; errors?: GqlResult['errors'] };
    return { status: response.status, data: body.data ?? null, errors: body.errors, raw };
  };

  let listening = false;
  return {
    app,
    deps,
    databaseUrl: url,
    logs,
    gql,
    listen: async () => {
      if (!listening) {
        await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
        listening = true;
      }
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    },
    close: async () => {
      if (listening) await app.close();
      await runner?.stop();
      await deps.subscriber?.close();
      await deps.userCache?.close();
      await deps.publisher.close?.();
      await deps.db.$disconnect();
    },
  };
}

let counter = 0;
/** Registers a fresh user and returns its tokens. */
export async function registerUser(
  t: TestApp,
  overrides: { username?: string; email?: string; password?: string } = {},
) {
  counter += 1;
  const suffix = `${process.pid}${counter}${randomBytes(2).toString('hex')}`;
  const input = {
    username: overrides.username ?? `user${suffix}`,
    email: overrides.email ?? `user${suffix}@example.com`,
    password: overrides.password ?? 'a long enough password',
  };
  const result = await t.gql<{ register: { accessToken: string; refreshToken: string; user: { id: string } } }>(
    `mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id username email role } } }`,
    { input },
  );
  if (!result.data) throw new Error(`register failed: ${result.raw}`);
  return { ...input, ...result.data.register, id: result.data.register.user.id };
}

/** Marks a user's email address verified directly in the database, as opening the emailed link would. */
export async function verifyEmailDirectly(t: TestApp, userId: string): Promise<void> {
  await t.deps.db.user.update({ where: { id: userId }, data: { emailVerifiedAt: new Date() } });
}

/** Makes a user an admin directly in the database, as the CLI would. */
export async function makeAdmin(t: TestApp, userId: string): Promise<void> {
  await t.deps.db.user.update({ where: { id: userId }, data: { role: 'ADMIN' } });
}
