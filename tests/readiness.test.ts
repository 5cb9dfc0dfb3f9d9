// /ready of an API-only process (`npm run api`): ready only while some job runner beats.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobRunner } from '../jobs/runner.ts';
import { buildApp, type App } from '../server/app.ts';
import { jobRunnersAlive } from '../server/db/readiness.ts';
import { createTestApp, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
let apiOnly: App;
let base: string;
beforeAll(async () => {
  t = await createTestApp({ RUNNER_STALE_SECONDS: '30' });
  apiOnly = buildApp(t.deps, { jobRunnerReady: () => jobRunnersAlive(t.deps) });
  await new Promise<void>((resolve) => apiOnly.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(apiOnly.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await apiOnly?.close();
  await t?.close();
});

async function ready() {
  const response = await fetch(`${base}/ready`);
  return { status: response.status, body: (await response.json()) as { jobRunner: boolean; database: boolean } };
}

const beatAgo = (runnerId: string, seconds: number) =>
  t.deps.db.$executeRaw`
    INSERT INTO runner_heartbeats (runner_id, worker_ids, seen_at) VALUES (${runnerId}, '{}', now() - make_interval(secs => ${seconds}))
    ON CONFLICT (runner_id) DO UPDATE SET seen_at = EXCLUDED.seen_at`;

describe('/ready of an API-only process', () => {
  it('answers 503 with jobRunner false while no runner has beaten within RUNNER_STALE_SECONDS, 200 while one has', async () => {
    await t.deps.db.runnerHeartbeat.deleteMany();
    expect(await ready()).toEqual({ status: 503, body: expect.objectContaining({ database: true, jobRunner: false }) });

    await beatAgo('runner-a', 0);
    expect(await ready()).toEqual({ status: 200, body: expect.objectContaining({ database: true, jobRunner: true }) });

    // The runner falls silent: just inside the limit it still counts, past it it does not.
    await beatAgo('runner-a', 29);
    expect((await ready()).status).toBe(200);
    await beatAgo('runner-a', 31);
    expect(await ready()).toEqual({ status: 503, body: expect.objectContaining({ jobRunner: false }) });

    // Another runner that beats makes it ready again, whatever the stale rows say.
    await beatAgo('runner-b', 1);
    expect((await ready()).status).toBe(200);
    await t.deps.db.runnerHeartbeat.deleteMany();
  });

  it('follows a real runner: ready once it has started, not ready once it has stopped', async () => {
    await t.deps.db.runnerHeartbeat.deleteMany();
    expect((await ready()).status).toBe(503);
    const runner = await startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 200 });
    try {
      expect(await ready()).toEqual({ status: 200, body: expect.objectContaining({ jobRunner: true }) });
    } finally {
      await runner.stop();
    }
    expect(await ready()).toEqual({ status: 503, body: expect.objectContaining({ jobRunner: false }) });
  });
});
