/** Builds the server's own dependencies for a benchmark, as server/index.ts does, with a quiet logger. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppDeps, Viewer } from '../../../server/context.ts';
import { resolveViewer } from '../../../server/services/authentication.ts';
import { createDeps } from '../../../server/deps.ts';
import { loadEnv } from '../../../server/env.ts';
import { createLogger } from '../../../server/observability/logger.ts';
import { register } from '../../../server/services/accounts.ts';

export interface BenchDeps {
  deps: AppDeps;
  dataDir: string;
  close: () => Promise<void>;
}

export async function createBenchDeps(
  databaseUrl: string,
  envOverrides: Record<string, string> = {},
  options: { subscriptions?: boolean } = {},
): Promise<BenchDeps> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-bench-data-'));
  const env = loadEnv({
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '10',
    LOG_LEVEL: 'silent',
    ...envOverrides,
  });
  const logger = createLogger(env.LOG_LEVEL);
  const deps = await createDeps(env, databaseUrl, logger, { subscriptions: options.subscriptions ?? false });
  return {
    deps,
    dataDir,
    close: async () => {
      await deps.subscriber?.close();
      await deps.userCache?.close();
      await deps.db.$disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

let users = 0;
/** Registers a user through the accounts service and returns it as a request would see it. */
export async function benchViewer(deps: AppDeps): Promise<{ viewer: Viewer; accessToken: string }> {
  users += 1;
  const suffix = `${process.pid}x${users}`;
  const session = await register(deps, {
    email: `bench${suffix}@example.com`,
    username: `bench${suffix}`,
    password: 'a long enough bench password',
  });
  const viewer = await resolveViewer(deps, session.accessToken);
  if (!viewer) throw new Error('the new user did not resolve to a viewer');
  return { viewer, accessToken: session.accessToken };
}
