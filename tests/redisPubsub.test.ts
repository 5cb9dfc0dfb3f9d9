// PUBSUB=redis (issue 18): events cross processes through a real redis-server instead of
// LISTEN/NOTIFY. Two apps on one database stand for two API processes.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../server/env.ts';
import { CHANNEL, topics } from '../server/pubsub/pubsub.ts';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { submitFile } from './helpers/jobs.ts';
import { startRedisServer, type RedisServer } from './helpers/redisServer.ts';
import { makeSilence } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

let redis: RedisServer;
let a: TestApp;
let b: TestApp;
let dir: string;
/** A LISTEN on the NOTIFY channel: with PUBSUB=redis nothing may arrive there. */
let listener: pg.Client;
const notified: string[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  const env = { PUBSUB: 'redis', REDIS_URL: redis.url, ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') };
  a = await createTestApp(env);
  b = await createTestApp(env, { databaseUrl: a.databaseUrl });
  listener = new pg.Client({ connectionString: a.databaseUrl });
  await listener.connect();
  listener.on('notification', (message) => {
    if (message.channel === CHANNEL) notified.push(message.payload ?? '');
  });
  await listener.query(`LISTEN ${CHANNEL}`);
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-redis-pubsub-'));
}, 60_000);

afterAll(async () => {
  await listener?.end();
  await b?.close();
  await a?.close();
  await redis?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('PUBSUB=redis', () => {
  it('needs REDIS_URL', () => {
    expect(() => loadEnv({ PUBSUB: 'redis' })).toThrow(EnvError);
    expect(() => loadEnv({ PUBSUB: 'redis' })).toThrow('REDIS_URL: required when PUBSUB=redis');
    expect(() => loadEnv({ PUBSUB: 'kafka' })).toThrow(/PUBSUB/);
  });

  it("delivers one process's events to another's subscribers, all of them and in order, and releases listeners", async () => {
    const topic = topics.job('Job_redis_order');
    const stop = new AbortController();
    const stream = a.deps.subscriber!.subscribe(topic, stop.signal);
    expect(a.deps.subscriber!.listenerCount()).toBe(1);
    // Published right after subscribe() returned, from the other process: none may be missed.
    await Promise.all(Array.from({ length: 200 }, (_, i) => b.deps.publisher.publish(topic, { i })));
    const seen: number[] = [];
    for await (const payload of stream) {
      seen.push(payload.i as number);
      if (seen.length === 200) break;
    }
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i));
    stop.abort();
    expect(a.deps.subscriber!.listenerCount()).toBe(0);
    await expect(b.deps.publisher.publish(topic, { big: 'x'.repeat(8000) })).rejects.toThrow(/too large/);
  });

  it('a job subscription on one API process receives the cancel made through the other; nothing goes through NOTIFY', async () => {
    const user = await registerUser(a);
    const wav = await makeSilence(2, path.join(dir, 'quiet.wav'));
    const submitted = await submitFile(b, user.accessToken, wav, { provider: 'LOCAL' });
    expect(submitted.errors).toBeUndefined();
    const jobId = submitted.data!.createTranscriptionJob.id as string;

    const client = connectWs(await a.listen(), user.accessToken);
    try {
      const updates = collect<{ data: { jobUpdated: { id: string; status: string } } }>(
        client,
        `subscription ($id: ID!) { jobUpdated(id: $id) { id status } }`,
        { id: jobId },
      );
      // The subscription first reports the job as it is, so it is listening from then on.
      await waitFor('the current state', async () => updates.events.length > 0, 30_000, 20);
      const cancelled = await b.gql(`mutation ($id: ID!) { cancelJob(id: $id) { id status } }`, { id: jobId }, { token: user.accessToken });
      expect(cancelled.errors).toBeUndefined();
      const { events, error } = await updates.done;
      expect(error).toBeUndefined();
      expect(events.at(-1)!.data.jobUpdated).toEqual({ id: jobId, status: 'CANCELLED' });
    } finally {
      await client.dispose();
    }
    expect(notified).toEqual([]);
  }, 60_000);
});
