// Stopping running work: cancelJob on a PROCESSING job aborts the engine call in flight (a slow cloud
// engine, the LOCAL decoder thread) instead of waiting for the chunk to finish, and a stopping job
// runner leaves its running job queued to resume, not failed. Nothing here waits for time: the
// slow fakes hold their answer until the test releases it, after the job has already ended.
import { execFile } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { decoderThreadCount } from '../server/providers/local/streamingDecoder.ts';
import type { TranscribeRequest } from '../server/providers/types.ts';
import { startFakeDeepgram, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const run = promisify(execFile);
const SENTENCES = [
  'The weather today is sunny with a light breeze from the west.',
  'Please send the quarterly report to the finance team by Friday.',
  'She opened the window and listened to the birds in the garden.',
  "We will meet at the station at nine o'clock tomorrow morning.",
];
const CHUNK_SECONDS = 10;
const OPENAI_KEY = `sk-cancel-${randomBytes(12).toString('hex')}`;
const DEEPGRAM_KEY = `dg-cancel-${randomBytes(12).toString('hex')}`;

let dir: string;
/** Speech looped with sox: several chunks. */
let longWav: string;
let openai: FakeOpenAIServer;
let deepgram: FakeDeepgramServer;
let t: TestApp;
let runner: JobRunner;
let user: Awaited<ReturnType<typeof registerUser>>;

const startRunner = () => startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 200 });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-cancel-'));
  const speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'), { voice: 'rms' });
  longWav = path.join(dir, 'long.wav');
  await run('sox', [speech.wavPath, speech.wavPath, speech.wavPath, longWav]);
  expect(speech.durationSeconds * 3).toBeGreaterThan(4 * CHUNK_SECONDS);

  openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
  deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY });
  // A stopping runner gives a running task SHUTDOWN_TIMEOUT_MS / 2 before helpers.abortSignal fires.
  t = await createTestApp({
    OPENAI_BASE_URL: openai.baseURL,
    DEEPGRAM_BASE_URL: deepgram.baseUrl,
    CHUNK_SECONDS: String(CHUNK_SECONDS),
    // One chunk at a time, so "the chunk on the decoder" is one chunk.
    LOCAL_DECODERS: '1',
    SHUTDOWN_TIMEOUT_MS: '2000',
    URL_FETCH_ALLOW_HOSTS: '127.0.0.1',
  });
  runner = await startRunner();
  user = await registerUser(t);
  for (const [provider, secret] of [['OPENAI', OPENAI_KEY], ['DEEPGRAM', DEEPGRAM_KEY]] as const) {
    const result = await t.gql(
      `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`,
      { input: { provider, name: provider, secret } },
      { token: user.accessToken },
    );
    expect(result.errors, result.raw).toBeUndefined();
  }
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await t?.close();
  await openai?.close();
  await deepgram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  openai?.reset();
  deepgram?.reset();
});

async function submit(provider: 'LOCAL' | 'OPENAI' | 'DEEPGRAM'): Promise<string> {
  const result = await submitFile(t, user.accessToken, longWav, { provider, language: 'en' });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createTranscriptionJob.id as string;
}

async function cancel(id: string): Promise<void> {
  const result = await t.gql(`mutation ($id: ID!) { cancelJob(id: $id) { status } }`, { id }, { token: user.accessToken });
  expect(result.errors, result.raw).toBeUndefined();
  expect(result.data!.cancelJob.status).toBe('CANCELLED');
}

/** The job's graphile-worker rows (found by payload: cancelJob clears the job key of a running one). */
const queueRows = (id: string) =>
  t.deps.db.$queryRaw<{ attempts: number; locked: boolean }[]>`
    SELECT j.attempts, j.locked_at IS NOT NULL AS locked
    FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks k ON k.id = j.task_id
    WHERE k.identifier = 'transcribe' AND j.payload->>'jobId' = ${id}`;

/** The worker task has returned once graphile-worker has deleted its row. */
const taskEnded = (id: string) => waitFor('the worker task to end', async () => (await queueRows(id)).length === 0, 60_000);

const segmentRows = (jobId: string) => t.deps.db.transcriptSegment.findMany({ where: { jobId }, select: { chunkIndex: true } });

describe('cancelling a running job', () => {
  it.each(['OPENAI', 'DEEPGRAM'] as const)(
    '%s: aborts the request in flight, the task ends and no further segment is stored',
    async (provider) => {
      const fake = provider === 'OPENAI' ? openai : deepgram;
      fake.delayNext(0); // the first chunk is answered at once
      const held = fake.holdNext(); // the second one would be answered only when the test says so
      try {
        const id = await submit(provider);
        await held.arrival();
        const stored = (await segmentRows(id)).length;
        expect(stored).toBeGreaterThan(0);

        await cancel(id);
        await taskEnded(id);
        // The engine's connection was closed by the worker, while the fake still held its answer.
        await waitFor('the held request to be abandoned', async () => held.clientLeft, 10_000);

        const row = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
        expect(row).toMatchObject({ status: 'CANCELLED', chunksDone: 1 });
        expect(row.chunksTotal).toBeGreaterThan(2);
        expect(await segmentRows(id)).toHaveLength(stored);
      } finally {
        held.release();
      }
    },
    120_000,
  );

  it('a URL download: the connection to the media server is closed at once', async () => {
    // Declares 50 MB, sends the first 64 KiB and then nothing more until the client leaves.
    let requested = false;
    let clientLeft = false;
    const media = http.createServer((request, response) => {
      requested = true;
      response.writeHead(200, { 'content-type': 'audio/wav', 'content-length': String(50_000_000) });
      response.write(Buffer.alloc(64 * 1024));
      request.socket.on('close', () => (clientLeft = true));
    });
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = media.address() as { port: number };
      const created = await t.gql(
        `mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id } }`,
        { url: `http://127.0.0.1:${port}/long.wav` },
        { token: user.accessToken },
      );
      expect(created.errors, created.raw).toBeUndefined();
      const id = created.data!.createTranscriptionJob.id as string;
      await waitFor('the media server to be asked', async () => requested, 60_000);

      await cancel(id);
      await taskEnded(id);
      await waitFor('the download connection to be closed', async () => clientLeft, 10_000);
      expect(await t.deps.db.job.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CANCELLED', sourceBytes: null });
    } finally {
      media.closeAllConnections();
      await new Promise((resolve) => media.close(resolve));
    }
  }, 120_000);

  it('LOCAL: stops the decoder thread mid-chunk; the job keeps the chunks done before and what was streamed of that one', async () => {
    const local = t.deps.providers.LOCAL;
    const original = local.transcribe;
    const calls: { outcome: string }[] = [];
    local.transcribe = async (request: TranscribeRequest) => {
      const call = { outcome: 'running' };
      calls.push(call);
      try {
        const result = await original.call(local, request);
        call.outcome = 'resolved';
        return result;
      } catch (error) {
        call.outcome = (error as Error).name;
        throw error;
      }
    };
    try {
      const id = await submit('LOCAL');
      // The first progress event (chunk 1 stored), with chunk 2 on the decoder.
      await waitFor(
        'the first chunk stored and the second one decoding',
        async () => calls.length >= 2 && (await t.deps.db.job.findUniqueOrThrow({ where: { id } })).progress > 0,
        120_000,
      );
      await cancel(id);
      await taskEnded(id);

      expect(calls.map((call) => call.outcome)).toEqual(['resolved', 'JobCancelledError']);
      expect(decoderThreadCount()).toBe(0);
      const row = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ status: 'CANCELLED', chunksDone: 1 });
      expect(row.chunksTotal).toBeGreaterThan(2);
      const segments = await segmentRows(id);
      expect(segments.some((segment) => segment.chunkIndex === 0)).toBe(true);
      // Utterances of the cancelled chunk were published as they were decoded: they stay.
      expect(segments.every((segment) => segment.chunkIndex <= 1)).toBe(true);
    } finally {
      local.transcribe = original;
    }
  }, 180_000);
});

describe('stopping the job runner', () => {
  it('aborts the running job through helpers.abortSignal and leaves it queued; the next runner resumes it', async () => {
    openai.delayNext(0);
    const held = openai.holdNext();
    try {
      const id = await submit('OPENAI');
      await held.arrival();
      const stored = (await segmentRows(id)).length;

      await runner.stop();
      await waitFor('the held request to be abandoned', async () => held.clientLeft, 10_000);
      const row = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ status: 'QUEUED', error: null, chunksDone: 1 });
      expect(await segmentRows(id)).toHaveLength(stored);
      // Queued again without using up an attempt, and free for any runner to take.
      expect(await queueRows(id)).toEqual([{ attempts: 0, locked: false }]);

      runner = await startRunner();
      const job = await waitForJob(t, user.accessToken, id, undefined, 60_000);
      expect(job.status, job.error).toBe('COMPLETED');
      // Resumed after the last stored chunk: every chunk was transcribed once (the abandoned request is not counted).
      expect(openai.transcriptions).toHaveLength(row.chunksTotal!);
      expect((await segmentRows(id)).filter((segment) => segment.chunkIndex === 0)).toHaveLength(stored);
    } finally {
      held.release();
    }
  }, 120_000);
});
