// Live from the first second: a LOCAL file job publishes each utterance as the decoder finishes it,
// moves its progress with the decoded audio inside one chunk, answers a new jobUpdated subscriber
// with the job as it is now, and never publishes a segment twice when it resumes mid-chunk.
// Asserted by events and rows, never by time. Real Postgres, ffmpeg and PocketSphinx; the
// transcription runs in-process (transcribeJob), so the test decides when a run stops.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transcribeJob } from '../server/services/transcription/index.ts';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, wordErrorRate, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const SENTENCES = [
  'the weather is nice today',
  'please call me tomorrow morning',
  'we need more time to finish the project',
  'the train leaves the station at noon',
  'my brother bought a new car last week',
  'she reads a book every evening',
];

let t: TestApp;
let base: string;
let dir: string;
let speech: SpeechFixture;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-streaming-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'), { voice: 'rms' });
  t = await createTestApp({}, { runner: false });
  base = await t.listen();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

type JobEvent = { data: { jobUpdated: { status: string; progress: number } } };
type ChunkEvent = { data: { transcriptChunks: { segment: { index: number; text: string } } } };

async function queuedJob(token: string): Promise<string> {
  const submitted = await submitFile(t, token, speech.wavPath, { provider: 'LOCAL' });
  expect(submitted.errors, submitted.raw).toBeUndefined();
  return submitted.data!.createTranscriptionJob.id as string;
}

/** Both subscriptions of `id`, listening before the function returns (the first jobUpdated event is the current state). */
async function follow(client: Client, id: string) {
  const before = t.deps.subscriber!.listenerCount();
  const updates = collect<JobEvent>(client, `subscription ($id: ID!) { jobUpdated(id: $id) { status progress } }`, { id });
  const chunks = collect<ChunkEvent>(client, `subscription ($id: ID) { transcriptChunks(jobId: $id) { segment { index text } } }`, { id });
  await waitFor('the subscriptions to listen', async () => updates.events.length >= 1 && t.deps.subscriber!.listenerCount() >= before + 2);
  return { updates, chunks };
}

const segmentRows = (jobId: string) =>
  t.deps.db.$queryRaw<Array<{ idx: number; chunk_index: number; start_seconds: number; end_seconds: number; xmin: string }>>`
    SELECT idx, chunk_index, start_seconds, end_seconds, xmin::text AS xmin FROM transcript_segments WHERE job_id = ${jobId} ORDER BY idx`;

describe('a LOCAL job live from the first utterance', () => {
  it('answers a new subscriber with the job as it is now, then publishes utterances and progress as they are decoded', async () => {
    const user = await registerUser(t);
    const id = await queuedJob(user.accessToken);
    await t.deps.db.job.update({ where: { id }, data: { progress: 0 } });
    const client = connectWs(base, user.accessToken);
    try {
      const { updates, chunks } = await follow(client, id);
      expect(updates.events[0].data.jobUpdated).toEqual({ status: 'QUEUED', progress: 0 });

      await transcribeJob(t.deps, id, { signal: new AbortController().signal });
      const { events, error } = await updates.done;
      expect(error).toBeUndefined();
      const seen = events.map((event) => event.data.jobUpdated);
      expect(seen.at(-1)).toEqual({ status: 'COMPLETED', progress: 1 });
      const progress = seen.map((job) => job.progress);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      // One chunk (shorter than LOCAL's 300 s), yet progress moved inside it.
      const job = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      expect(job.chunksTotal).toBe(1);
      expect(seen.some((update) => update.status === 'PROCESSING' && update.progress > 0 && update.progress < 0.95)).toBe(true);

      const received = (await chunks.done).events.map((event) => event.data.transcriptChunks.segment.index);
      const rows = await segmentRows(id);
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(received).toEqual(rows.map((row) => row.idx));
      // Stored as decoded: the first utterance in a transaction of its own, before the chunk ended.
      expect(rows[0].xmin).not.toBe(rows.at(-1)!.xmin);
      expect(wordErrorRate(speech.text, job.text ?? '')).toBeLessThanOrEqual(0.25);
    } finally {
      await client.dispose();
    }
  }, 300_000);

  it('resumed mid-chunk, it publishes no segment twice and stores each once', async () => {
    const user = await registerUser(t);
    const id = await queuedJob(user.accessToken);
    const client = connectWs(base, user.accessToken);
    try {
      const { chunks } = await follow(client, id);
      // The first run stops (as a killed or stopped worker would) once an utterance of the chunk is stored.
      const stop = new AbortController();
      const first = transcribeJob(t.deps, id, { signal: stop.signal }).then(
        () => 'completed',
        () => 'stopped',
      );
      await waitFor('an utterance stored', async () => (await segmentRows(id)).length > 0, 120_000, 20);
      stop.abort(new Error('the worker stops'));
      expect(await first).toBe('stopped');
      const atStop = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      expect(atStop).toMatchObject({ status: 'PROCESSING', chunksDone: 0 });
      const storedAtStop = await segmentRows(id);
      expect(storedAtStop.length).toBeGreaterThan(0);
      expect(storedAtStop.length).toBeLessThan(SENTENCES.length);

      await transcribeJob(t.deps, id, { signal: new AbortController().signal });
      const received = (await chunks.done).events.map((event) => event.data.transcriptChunks.segment.index);
      const rows = await segmentRows(id);
      expect(received).toEqual(rows.map((row) => row.idx));
      expect(new Set(received).size).toBe(received.length);
      expect(rows.map((row) => row.idx)).toEqual(rows.map((_, i) => i));
      // The rows stored before the stop were kept as they were, and nothing overlaps them.
      expect(rows.slice(0, storedAtStop.length)).toEqual(storedAtStop);
      for (let i = 1; i < rows.length; i += 1) expect(rows[i].start_seconds).toBeGreaterThanOrEqual(rows[i - 1].end_seconds);
      const job = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      expect(job.status).toBe('COMPLETED');
      expect(wordErrorRate(speech.text, job.text ?? '')).toBeLessThanOrEqual(0.25);
    } finally {
      await client.dispose();
    }
  }, 300_000);
});
