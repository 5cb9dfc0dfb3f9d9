// LOCAL chunks decoded side by side (LOCAL_DECODERS), decoders shared fairly between jobs and
// reused: the transcript is exactly what decoding the same chunks one by one, each on a new decoder,
// gives. Real Postgres, ffmpeg and PocketSphinx.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractChunk, planChunks } from '../server/media/chunks.ts';
import { DecoderPool } from '../server/providers/local/decoderPool.ts';
import { StreamingDecoder } from '../server/providers/local/streamingDecoder.ts';
import { readWav } from '../server/providers/local/wav.ts';
import { storedSegmentAt } from '../server/transcripts/storedSegments.ts';
import type { Segment } from '../server/providers/types.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const LIBRARY = 'libpocketsphinx.so.3';
const MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const CHUNK_SECONDS = 7;
const SENTENCES = [
  'the weather is nice today',
  'please call me tomorrow morning',
  'we need more time to finish the project',
  'the train leaves the station at noon',
  'my brother bought a new car last week',
  'she reads a book every evening',
  'the children are playing in the park',
];

let t: TestApp;
let dir: string;
let speech: SpeechFixture;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-parallel-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'), { voice: 'rms' });
  t = await createTestApp({ CHUNK_SECONDS: String(CHUNK_SECONDS), LOCAL_DECODERS: '2' }, { runner: true });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Today's sequential path: each chunk on a decoder of its own, one after the other. */
async function decodeSequentially(wavPath: string): Promise<Array<ReturnType<typeof storedSegmentAt>>> {
  const chunks = await planChunks(wavPath, { targetSeconds: CHUNK_SECONDS, searchSeconds: Math.min(5, CHUNK_SECONDS / 4) });
  expect(chunks.length).toBeGreaterThanOrEqual(4);
  const stored: Array<ReturnType<typeof storedSegmentAt>> = [];
  for (const chunk of chunks) {
    const chunkPath = path.join(dir, `reference-${chunk.index}.wav`);
    await extractChunk(wavPath, chunk, chunkPath);
    const audio = await readWav(chunkPath);
    const decoder = await StreamingDecoder.open({ library: LIBRARY, modelDir: MODEL_DIR });
    const segments: Segment[] = [];
    decoder.on('final', (segment) => segments.push(segment));
    decoder.write(audio.data);
    await decoder.end();
    await decoder.destroy();
    stored.push(...segments.filter((segment) => segment.text.trim()).map((segment) => storedSegmentAt(segment, chunk.start)));
  }
  return stored;
}

describe('LOCAL chunks in parallel', () => {
  it('gives the same segments and words as decoding the chunks one by one on new decoders', async () => {
    const user = await registerUser(t);
    const submitted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, user.accessToken, id, undefined, 300_000);
    expect(job.status, job.error + t.logs.filter((line) => line.includes('failed')).join('\n').slice(0, 3000)).toBe('COMPLETED');

    // The job decoded the normalised copy of the upload, which for a 16 kHz mono WAV is the same PCM.
    const reference = await decodeSequentially(speech.wavPath);
    const rows = await t.deps.db.transcriptSegment.findMany({ where: { jobId: id }, orderBy: { idx: 'asc' } });
    expect(rows.map((row) => row.idx)).toEqual(rows.map((_, i) => i));
    const stored = rows.map((row) => ({ startSeconds: row.startSeconds, endSeconds: row.endSeconds, text: row.text, words: row.words }));
    expect(stored).toEqual(reference.map((row) => ({ startSeconds: row.startSeconds, endSeconds: row.endSeconds, text: row.text, words: row.words })));
    const chunks = await t.deps.db.jobChunk.findMany({ where: { jobId: id }, orderBy: { idx: 'asc' } });
    expect(chunks.map((chunk) => chunk.idx)).toEqual(chunks.map((_, i) => i));
    expect(chunks.length).toBeGreaterThanOrEqual(4);
  }, 400_000);
});

describe('the decoder pool', () => {
  const open = () => StreamingDecoder.open({ library: LIBRARY, modelDir: MODEL_DIR });

  it('gives a freed decoder to the waiting holder that has fewest, and reuses finished decoders', async () => {
    let opened = 0;
    const pool = new DecoderPool({ size: 2, open: () => (opened++, open()) });
    const a1 = await pool.acquire('A');
    const a2 = await pool.acquire('A');
    expect(pool.stats).toMatchObject({ busy: 2, idle: 0 });
    const order: string[] = [];
    const a3 = pool.acquire('A').then((lease) => (order.push('A'), lease));
    const b1 = pool.acquire('B').then((lease) => (order.push('B'), lease));
    expect(pool.stats.waiting).toBe(2);

    await a1.finish(); // A asked first, but B holds none: B's turn
    const bLease = await b1;
    expect(order).toEqual(['B']);
    expect(pool.heldBy('B')).toBe(1);
    expect(opened).toBe(2); // B got A's finished decoder, restarted, not a new one

    await a2.finish();
    const aLease = await a3;
    expect(order).toEqual(['B', 'A']);
    expect(opened).toBe(2);

    await aLease.discard(); // a discarded decoder is freed, not kept
    await bLease.finish();
    expect(pool.stats).toMatchObject({ busy: 0, idle: 1, waiting: 0 });
    await pool.drain();
    expect(pool.stats.idle).toBe(0);
  }, 60_000);

  it('a reused decoder transcribes as a new one does', async () => {
    const audio = await readWav(speech.wavPath);
    const half = Math.floor(audio.data.length / 4) * 2;
    const decode = async (decoder: StreamingDecoder, pcm: Uint8Array) => {
      const segments: Segment[] = [];
      const onFinal = (segment: Segment) => segments.push(segment);
      decoder.on('final', onFinal);
      decoder.write(pcm);
      await decoder.restart();
      decoder.off('final', onFinal);
      return segments;
    };
    const fresh = await open();
    expect(fresh.restartable).toBe(true);
    const expected = await decode(fresh, audio.data.subarray(half));
    await fresh.destroy();

    const reused = await open();
    await decode(reused, audio.data.subarray(0, half));
    const again = await decode(reused, audio.data.subarray(half));
    await reused.destroy();
    expect(expected.length).toBeGreaterThan(0);
    expect(again).toEqual(expected);
  }, 120_000);

  it('stops waiting when the signal aborts', async () => {
    const pool = new DecoderPool({ size: 1, open });
    const held = await pool.acquire('A');
    const controller = new AbortController();
    const waiting = pool.acquire('B', { signal: controller.signal });
    controller.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(pool.stats.waiting).toBe(0);
    await held.discard();
    expect(pool.stats.busy).toBe(0);
  }, 60_000);
});
