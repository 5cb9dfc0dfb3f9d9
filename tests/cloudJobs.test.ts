// Cloud engines end to end: GraphQL submit → graphile-worker → COMPLETED, with the real pipeline
// (ffmpeg normalisation, chunking, key resolution, storage) talking to the OpenAI, Deepgram and S3
// fakes on loopback. Speech comes from flite; what the "cloud" hears is scripted by each test.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeepgramProvider } from '../server/providers/deepgram.ts';
import type { OpenAIProvider } from '../server/providers/openai.ts';
import { startFakeDeepgram, wordsFromText as dgWords, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { fakeS3StorageEnv, startFakeS3, type FakeS3Server } from './fakes/s3Server.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const SHORT = ['the weather is nice today', 'please call me tomorrow morning'];
const LONG = [
  'the weather is nice today',
  'please call me tomorrow morning',
  'we need more time to finish the project',
  'the train leaves at seven in the evening',
  'she bought fresh bread at the market',
  'turn left at the second traffic light',
  'thank you for listening to this recording',
];
const CHUNK_SECONDS = 8;

const ALICE_OPENAI_KEY = `sk-alice-${randomBytes(12).toString('hex')}`;
const ALICE_DEEPGRAM_KEY = `dg-alice-${randomBytes(12).toString('hex')}`;

let dir: string;
let short: SpeechFixture;
let long: SpeechFixture;
let openai: FakeOpenAIServer;
let deepgram: FakeDeepgramServer;
/** OPENAI_BASE_URL and DEEPGRAM_BASE_URL point at the fakes; the server has no keys of its own. */
let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;

type User = Awaited<ReturnType<typeof registerUser>>;

async function setKey(app: TestApp, user: User, provider: 'OPENAI' | 'DEEPGRAM', secret: string): Promise<void> {
  const result = await app.gql(
    `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`,
    { input: { provider, name: `${provider.toLowerCase()} key`, secret } },
    { token: user.accessToken },
  );
  expect(result.errors, result.raw).toBeUndefined();
}

async function submit(app: TestApp, user: User, file: string, input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(app, user.accessToken, file, input);
  expect(result.errors, result.raw).toBeUndefined();
  expect(result.data!.createTranscriptionJob.status).toBe('QUEUED');
  return result.data!.createTranscriptionJob.id as string;
}

const finished = (app: TestApp, user: User, id: string) => waitForJob(app, user.accessToken, id, undefined, 60_000);

async function transcripts(app: TestApp, user: User, id: string) {
  const result = await app.gql(
    `query ($id: ID!) { job(id: $id) { translateTo srt: transcript(format: SRT) vtt: transcript(format: VTT) json: transcript(format: JSON) } }`,
    { id },
    { token: user.accessToken },
  );
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job as { translateTo: string | null; srt: string; vtt: string; json: string };
}

/** The graphile-worker rows for a job (none once it has finished for good). */
async function queueRows(app: TestApp, id: string) {
  return app.deps.db.$queryRaw<{ attempts: number; last_error: string | null; backoff_ms: number }[]>`
    SELECT q.attempts, q.last_error, (extract(epoch FROM q.run_at - j.updated_at) * 1000)::float8 AS backoff_ms
    FROM graphile_worker._private_jobs q LEFT JOIN jobs j ON j.id = ${id}
    WHERE q.key = ${`transcribe:${id}`}`;
}

/**
 * Waits for graphile-worker to drop a job's row: the task marks the Job finished a moment before it
 * returns, and only then does graphile-worker complete (delete) its row. Returns the rows left.
 */
async function queueDrained(app: TestApp, id: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let rows = await queueRows(app, id);
  while (rows.length > 0 && Date.now() < deadline) {
    await sleep(50);
    rows = await queueRows(app, id);
  }
  return rows;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-cloud-jobs-'));
  [short, long] = await Promise.all([
    makeSpeechFixture(SHORT, path.join(dir, 'short.wav'), { pauseSeconds: 1 }),
    makeSpeechFixture(LONG, path.join(dir, 'long.wav')),
  ]);
  // The short fixture is one chunk, the long one several.
  expect(short.durationSeconds).toBeLessThan(CHUNK_SECONDS);
  expect(long.durationSeconds).toBeGreaterThan(20);
  expect(long.durationSeconds).toBeLessThan(35);

  openai = await startFakeOpenAI({ apiKey: ALICE_OPENAI_KEY });
  deepgram = await startFakeDeepgram({ apiKey: ALICE_DEEPGRAM_KEY });
  t = await createTestApp(
    { OPENAI_BASE_URL: openai.baseURL, DEEPGRAM_BASE_URL: deepgram.baseUrl, CHUNK_SECONDS: String(CHUNK_SECONDS) },
    { runner: true },
  );
  alice = await registerUser(t);
  await setKey(t, alice, 'OPENAI', ALICE_OPENAI_KEY);
  await setKey(t, alice, 'DEEPGRAM', ALICE_DEEPGRAM_KEY);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await openai?.close();
  await deepgram?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  openai?.reset();
  deepgram?.reset();
});

describe('OPENAI jobs', () => {
  it("transcribes with the user's own key: segments, words and language stored; model and language on the wire", async () => {
    openai.setTranscript(() => wordsFromText('Hello, world. This is a test.', { start: 0.5 }));
    const id = await submit(t, alice, short.wavPath, { provider: 'OPENAI', model: 'whisper-large-v3', language: 'en-GB' });
    const job = await finished(t, alice, id);

    expect(job.status, job.error).toBe('COMPLETED');
    expect(job).toMatchObject({
      provider: 'OPENAI',
      model: 'whisper-large-v3',
      language: 'en-GB',
      detectedLanguage: 'en', // the fake answers "english", as Whisper does
      attempts: 1,
      progress: 1,
      error: null,
      text: 'Hello, world. This is a test.',
    });
    expect(job.mediaDurationSeconds).toBeCloseTo(short.durationSeconds, 1);

    // What reached the "cloud": one chunk, the user's key, the model and the language as ISO-639-1.
    expect(openai.transcriptions).toHaveLength(1);
    const sent = openai.transcriptions[0];
    expect(sent).toMatchObject({
      model: 'whisper-large-v3',
      language: 'en',
      responseFormat: 'verbose_json',
      timestampGranularities: ['word', 'segment'],
      authorization: `Bearer ${ALICE_OPENAI_KEY}`,
    });
    expect(sent.file).toMatchObject({ type: 'audio/wav' });
    expect(sent.file!.durationSeconds).toBeCloseTo(short.durationSeconds, 1);

    expect(job.segments).toEqual([
      {
        index: 0,
        start: 0.5,
        end: 1.3,
        text: 'Hello, world.',
        speaker: null,
        words: [
          { word: 'Hello,', start: 0.5, end: 0.85, confidence: null, speaker: null },
          { word: 'world.', start: 0.95, end: 1.3, confidence: null, speaker: null },
        ],
      },
      expect.objectContaining({ index: 1, start: 2.1, end: 3.8, text: 'This is a test.', speaker: null }),
    ]);
    expect(job.segments[1].words.map((w: { word: string }) => w.word)).toEqual(['This', 'is', 'a', 'test.']);

    const rows = await t.deps.db.transcriptSegment.findMany({ where: { jobId: id }, orderBy: { idx: 'asc' } });
    expect(rows.map((row) => [row.idx, row.chunkIndex, row.text])).toEqual([
      [0, 0, 'Hello, world.'],
      [1, 0, 'This is a test.'],
    ]);
    const usage = await t.deps.db.usageRecord.findFirst({ where: { jobId: id } });
    expect(usage).toMatchObject({ userId: alice.id, provider: 'OPENAI', model: 'whisper-large-v3' });
    expect(usage!.audioSeconds).toBeCloseTo(short.durationSeconds, 1);
    const key = await t.deps.db.providerKey.findFirst({ where: { userId: alice.id, provider: 'OPENAI' } });
    expect(key!.lastUsedAt).not.toBeNull();

    expect(t.logs.join('')).not.toContain(ALICE_OPENAI_KEY);
  }, 60_000);

  it('uses the server key (OPENAI_API_KEY) when the user has none, and never in place of a key the user has', async () => {
    const serverKey = `sk-server-${randomBytes(12).toString('hex')}`;
    const fake = await startFakeOpenAI({ apiKey: serverKey });
    const app = await createTestApp(
      { OPENAI_BASE_URL: fake.baseURL, OPENAI_API_KEY: serverKey, DEEPGRAM_TIMEOUT_MS: '45000' },
      { runner: true },
    );
    try {
      // Each engine has its own request timeout.
      expect((app.deps.providers.DEEPGRAM as DeepgramProvider).config.timeoutMs).toBe(45_000);
      expect((app.deps.providers.OPENAI as OpenAIProvider).config.timeoutMs).toBe(600_000);

      fake.setTranscript(() => wordsFromText('Served by the house key.', { start: 0.4 }));
      const bob = await registerUser(app);
      const id = await submit(app, bob, short.wavPath, { provider: 'OPENAI' });
      const job = await finished(app, bob, id);
      expect(job.status, job.error).toBe('COMPLETED');
      expect(job).toMatchObject({ model: null, language: null, detectedLanguage: 'en', text: 'Served by the house key.', attempts: 1 });
      expect(fake.transcriptions).toHaveLength(1);
      expect(fake.transcriptions[0]).toMatchObject({
        model: 'whisper-1', // OPENAI_TRANSCRIBE_MODEL's default
        language: null,
        authorization: `Bearer ${serverKey}`,
      });

      // A user with a key of their own is billed on it: the endpoint refuses it, and the job fails
      // rather than quietly falling back to the operator's key.
      const carol = await registerUser(app);
      const carolKey = `sk-carol-${randomBytes(12).toString('hex')}`;
      await setKey(app, carol, 'OPENAI', carolKey);
      const refused = await finished(app, carol, await submit(app, carol, short.wavPath, { provider: 'OPENAI' }));
      expect(refused).toMatchObject({ status: 'FAILED', attempts: 1 });
      expect(fake.requests.map((r) => r.status)).toEqual([200, 401]);
      expect(app.logs.join('')).not.toContain(serverKey);
    } finally {
      await app.close();
      await fake.close();
    }
  }, 60_000);

  it('uses a keyless OpenAI-compatible server (OPENAI_BASE_URL without a key) with no key at all', async () => {
    const fake = await startFakeOpenAI({ apiKey: null });
    const app = await createTestApp({ OPENAI_BASE_URL: fake.baseURL }, { runner: true });
    try {
      fake.setTranscript(() => wordsFromText('Transcribed by a local whisper server.', { start: 0.2 }));
      const dave = await registerUser(app);
      const job = await finished(app, dave, await submit(app, dave, short.wavPath, { provider: 'OPENAI' }));
      expect(job.status, job.error).toBe('COMPLETED');
      expect(job.text).toBe('Transcribed by a local whisper server.');
      expect(fake.transcriptions[0].authorization ?? null).toBeNull();
    } finally {
      await app.close();
      await fake.close();
    }
  }, 60_000);
});

describe('DEEPGRAM jobs', () => {
  beforeEach(() => {
    deepgram.setTranscript(() => ({
      words: [
        ...dgWords('Good morning, everyone.', { start: 0.4, speaker: 0 }),
        ...dgWords('Morning, shall we start?', { start: 2.6, speaker: 1 }),
      ],
      detectedLanguage: 'fr',
    }));
  });

  it('diarizes: speakers on segments, words and in the SRT/VTT transcripts; the detected language is stored', async () => {
    const id = await submit(t, alice, short.wavPath, { provider: 'DEEPGRAM', diarize: true });
    const job = await finished(t, alice, id);

    expect(job.status, job.error).toBe('COMPLETED');
    expect(job).toMatchObject({ provider: 'DEEPGRAM', diarize: true, language: null, detectedLanguage: 'fr', attempts: 1, progress: 1 });
    expect(job.segments.map((s: { speaker: string; text: string }) => [s.speaker, s.text])).toEqual([
      ['Speaker 1', 'Good morning, everyone.'],
      ['Speaker 2', 'Morning, shall we start?'],
    ]);
    expect(job.segments[0]).toMatchObject({ start: 0.4, end: 1.65 });
    expect(job.segments[1].start).toBeCloseTo(2.6, 3);
    for (const segment of job.segments) {
      expect(segment.words.length).toBeGreaterThan(0);
      for (const word of segment.words) {
        expect(word.speaker).toBe(segment.speaker);
        expect(word.confidence).toEqual(expect.any(Number));
      }
    }

    expect(deepgram.listens).toHaveLength(1);
    expect(deepgram.listens[0]).toMatchObject({
      model: 'nova-3',
      language: null,
      detectLanguage: true,
      diarize: true,
      utterances: true,
      authorization: `Token ${ALICE_DEEPGRAM_KEY}`,
    });

    const { srt, vtt, json } = await transcripts(t, alice, id);
    expect(srt).toMatch(/^1\n00:00:00,400 --> 00:00:01,650\nSpeaker 1: Good morning, everyone\.\n/);
    expect(srt).toContain('Speaker 2: Morning, shall we start?');
    expect(vtt).toMatch(/^WEBVTT\n\n00:00:00\.400 --> 00:00:01\.650\n<v Speaker 1>Good morning, everyone\.\n/);
    expect(vtt).toContain('<v Speaker 2>Morning, shall we start?');
    expect(JSON.parse(json)).toMatchObject({ jobId: id, language: 'fr', segments: [{ speaker: 'Speaker 1' }, { speaker: 'Speaker 2' }] });
    expect(t.logs.join('')).not.toContain(ALICE_DEEPGRAM_KEY);
  }, 60_000);

  it("translates (translateTo: 'de') through OpenAI chat completions with the user's OpenAI key", async () => {
    openai.setTranslator((chat) => `[de] ${chat.user}`);
    const id = await submit(t, alice, short.wavPath, { provider: 'DEEPGRAM', translateTo: 'de' });
    expect((await finished(t, alice, id)).status).toBe('COMPLETED');
    // The translation is a step of its own after the transcript.
    await waitFor('the translation', async () => (await t.deps.db.job.findUniqueOrThrow({ where: { id } })).translationStatus === 'COMPLETED', 60_000);
    const job = await finished(t, alice, id);

    expect(job.status, job.error).toBe('COMPLETED');
    expect(job.text).toBe('Good morning, everyone. Morning, shall we start?');
    expect(job.translatedText).toBe('[de] Good morning, everyone. Morning, shall we start?');
    expect(job.segments.every((s: { speaker: string | null }) => s.speaker === null)).toBe(true);

    expect(openai.chats).toHaveLength(1);
    expect(openai.chats[0]).toMatchObject({
      model: 'gpt-4o-mini', // OPENAI_TRANSLATE_MODEL's default
      user: job.text,
      authorization: `Bearer ${ALICE_OPENAI_KEY}`,
    });
    expect(openai.chats[0].system).toMatch(/German/);
    expect(openai.transcriptions).toHaveLength(0);

    const { translateTo, json } = await transcripts(t, alice, id);
    expect(translateTo).toBe('de');
    expect(JSON.parse(json)).toMatchObject({ jobId: id, translatedText: job.translatedText, text: job.text });
  }, 60_000);
});

describe('failures and retries', () => {
  it('retries a 429 with graphile-worker backoff, resumes after the last stored chunk, and completes without duplicates', async () => {
    openai.setTranscript(() => {
      const n = openai.transcriptions.length; // this request is already recorded
      if (n === 1) openai.failNext(429, 1, { 'retry-after': '1' }, { path: '/v1/audio/transcriptions' });
      return wordsFromText(`Chunk ${n} speaking.`, { start: 0.5 });
    });
    const id = await submit(t, alice, long.wavPath, { provider: 'OPENAI' });

    // Between the attempts: the queue row carries the error and waits exp(1) ≈ 2.7 s; the first
    // chunk is stored and the job is still PROCESSING.
    let row: Awaited<ReturnType<typeof queueRows>>[number] | undefined;
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(25)) {
      [row] = await queueRows(t, id);
      if (row?.last_error) break;
    }
    expect(row?.last_error).toMatch(/429/);
    expect(row!.attempts).toBe(1);
    // The retry waits: its run_at is past the job's last write (chunk 1 stored, before the failed
    // request) by graphile-worker's backoff, however late this loop saw the row.
    expect(row!.backoff_ms).toBeGreaterThan(1500);
    const between = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
    expect(between).toMatchObject({ status: 'PROCESSING', attempts: 1, chunksDone: 1, error: null });

    const job = await finished(t, alice, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(job.attempts).toBe(2);
    const stored = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
    const chunks = stored.chunksTotal!;
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(stored.chunksDone).toBe(chunks);

    // One request per chunk plus the refused one; the first chunk was not sent again.
    expect(openai.requests.map((r) => r.status)).toEqual([200, 429, ...Array(chunks - 1).fill(200)]);
    expect(openai.transcriptions).toHaveLength(chunks);
    expect(new Set(openai.transcriptions.map((r) => r.file!.sha256)).size).toBe(chunks);
    expect(job.segments.map((s: { text: string }) => s.text)).toEqual(Array.from({ length: chunks }, (_, i) => `Chunk ${i + 1} speaking.`));
    expect(job.segments.map((s: { index: number }) => s.index)).toEqual([...Array(chunks).keys()]);
    expect(await t.deps.db.transcriptSegment.count({ where: { jobId: id } })).toBe(chunks);
    expect(await queueDrained(t, id)).toHaveLength(0);
  }, 60_000);

  it('fails at once on a rejected key (401), with a readable reason, and is never retried', async () => {
    const bob = await registerUser(t);
    const wrongKey = `sk-bob-wrong-${randomBytes(12).toString('hex')}`;
    await setKey(t, bob, 'OPENAI', wrongKey);
    const id = await submit(t, bob, short.wavPath, { provider: 'OPENAI' });
    const job = await finished(t, bob, id);

    expect(job).toMatchObject({ status: 'FAILED', attempts: 1, text: null, segments: [] });
    expect(job.error).toMatch(/^The provider rejected the key: OpenAI 401: Incorrect API key provided/);
    expect(job.error).not.toContain(wrongKey);
    expect(openai.requests.map((r) => r.status)).toEqual([401]);
    expect(await queueDrained(t, id)).toHaveLength(0); // completed, not failed: no retry scheduled

    // Its queue row is gone (completed, not failed), so graphile-worker has nothing to run again.
    expect(openai.requests).toHaveLength(1);
    expect(await queueRows(t, id)).toHaveLength(0);
    const later = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
    expect(later).toMatchObject({ status: 'FAILED', attempts: 1, error: job.error });
    expect(await t.deps.db.usageRecord.count({ where: { jobId: id } })).toBe(0);
    expect(t.logs.join('')).not.toContain(wrongKey);
  }, 60_000);
});

describe('long audio', () => {
  it(`is cut into chunks of at most ${CHUNK_SECONDS} s whose segments get absolute times, with progress up to 1`, async () => {
    openai.setTranscript(() => wordsFromText(`Part ${openai.transcriptions.length} begins here.`, { start: 0.5 }));
    openai.delayNext(0); // the first chunk is answered at once
    const held = openai.holdNext(); // the second waits for the test, so the progress is seen mid-way
    const id = await submit(t, alice, long.wavPath, { provider: 'OPENAI', language: 'en' });

    const progress: number[] = [];
    const sample = async () => {
      const row = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
      progress.push(row.progress);
      return row.status !== 'QUEUED' && row.status !== 'PROCESSING';
    };
    await held.arrival();
    await sample();
    held.release();
    await waitFor('the job to finish', sample, 60_000, 40);
    const job = await finished(t, alice, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(job.mediaDurationSeconds).toBeCloseTo(long.durationSeconds, 1);

    const sent = openai.transcriptions;
    expect(sent.length).toBeGreaterThanOrEqual(3);
    const durations = sent.map((r) => r.file!.durationSeconds!);
    for (const duration of durations) expect(duration).toBeLessThanOrEqual(CHUNK_SECONDS + 0.01);
    expect(durations.reduce((a, b) => a + b, 0)).toBeCloseTo(long.durationSeconds, 1);
    expect(sent.every((r) => r.language === 'en')).toBe(true);

    // Each chunk's segment is moved by the chunk's offset (the sum of the chunks before it).
    expect(job.segments).toHaveLength(sent.length);
    let offset = 0;
    job.segments.forEach((segment: { start: number; end: number; text: string; words: { start: number; end: number }[] }, i: number) => {
      expect(segment.text).toBe(`Part ${i + 1} begins here.`);
      expect(segment.start).toBeCloseTo(offset + 0.5, 2);
      expect(segment.words[0].start).toBeCloseTo(offset + 0.5, 2);
      expect(segment.words.at(-1)!.end).toBeCloseTo(segment.end, 3);
      offset += durations[i];
    });
    expect(job.segments.at(-1).start).toBeGreaterThan(2 * CHUNK_SECONDS - 4); // a chunk's cut may come up to 2 s early
    expect(job.segments.slice(1).every((s: { start: number }) => s.start > CHUNK_SECONDS - 2)).toBe(true);
    expect(job.segments.filter((s: { start: number }) => s.start > CHUNK_SECONDS).length).toBeGreaterThanOrEqual(sent.length - 2);

    const stored = await t.deps.db.job.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ chunksTotal: sent.length, chunksDone: sent.length, progress: 1 });
    expect(progress.at(-1)).toBe(1);
    expect(progress.some((p) => p > 0 && p < 1)).toBe(true);
    for (let i = 1; i < progress.length; i += 1) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]);
  }, 60_000);
});

describe('S3 storage', () => {
  it("keeps a LOCAL job's source in the bucket under jobs/<id>/source, completes, and deleteJob removes it", async () => {
    const s3 = await startFakeS3({ buckets: ['parlance-media'] });
    const app = await createTestApp(fakeS3StorageEnv(s3, 'parlance-media'), { runner: true });
    try {
      const user = await registerUser(app);
      const id = await submit(app, user, short.wavPath, { provider: 'LOCAL' });
      const key = `jobs/${id}/source`;
      expect(s3.keys('parlance-media')).toEqual([key]);
      expect(s3.objects('parlance-media').get(key)!.body.equals(await readFile(short.wavPath))).toBe(true);

      const job = await finished(app, user, id);
      expect(job.status, job.error).toBe('COMPLETED');
      expect(job.text).toMatch(/weather/);
      expect(s3.requests.some((r) => r.operation === 'GetObject' && r.key === key && r.status === 200)).toBe(true);
      expect(s3.keys('parlance-media')).toEqual([key]);

      const deleted = await app.gql(`mutation ($id: ID!) { deleteJob(id: $id) }`, { id }, { token: user.accessToken });
      expect(deleted.data?.deleteJob, deleted.raw).toBe(true);
      expect(s3.keys('parlance-media')).toEqual([]);
      expect(await app.deps.db.job.count({ where: { id } })).toBe(0);
    } finally {
      await app.close();
      await s3.close();
    }
  }, 60_000);
});
