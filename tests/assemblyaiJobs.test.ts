// The ASSEMBLYAI engine (README, "AssemblyAI"): jobs go through the `assemblyai` SDK to the protocol
// fake of AssemblyAI's v2 API (upload, submit, poll). Words, speakers and the detected language
// land in the transcript; a refused key fails the job readably without the key anywhere; repeated
// 5xx move the job on to LOCAL (provider routing); usage is priced per engine. Live sessions on
// ASSEMBLYAI (its streaming API): tests/assemblyaiLive.test.ts.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssemblyAIProvider } from '../server/providers/assemblyai.ts';
import { ProviderError } from '../server/providers/types.ts';
import { aaiWordsFromText, startFakeAssemblyAI, type FakeAssemblyAIServer } from './fakes/assemblyaiServer.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const KEY = `aai${randomBytes(16).toString('hex')}`;
const JOB = `id status error provider providers currentProvider language detectedLanguage diarize mediaDurationSeconds
  events { kind from to reason }
  segments { index start end text speaker provider words { word start end confidence speaker } }`;

type User = Awaited<ReturnType<typeof registerUser>>;

let dir: string;
let speech: SpeechFixture;
let fake: FakeAssemblyAIServer;
let t: TestApp;
let alice: User;
const answers: string[] = [];

async function gql(user: User, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const result = await t.gql(query, variables, { token: user.accessToken });
  answers.push(result.raw);
  return result;
}

async function submit(user: User, input: Record<string, unknown>): Promise<string> {
  const result = await submitFile(t, user.accessToken, speech.wavPath, input, { fields: 'id status provider providers' });
  answers.push(result.raw);
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createTranscriptionJob.id as string;
}

async function finished(user: User, id: string): Promise<Record<string, any>> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const job = (await gql(user, `query ($id: ID!) { job(id: $id) { ${JOB} } }`, { id })).data?.job;
      return job && ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? job : null;
    },
    120_000,
    100,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-assemblyai-'));
  speech = await makeSpeechFixture(['the weather is nice today', 'please call me tomorrow morning'], path.join(dir, 'speech.wav'), { pauseSeconds: 1 });
  fake = await startFakeAssemblyAI({ apiKey: KEY, pollsUntilDone: 2 });
  t = await createTestApp(
    {
      ASSEMBLYAI_BASE_URL: fake.baseUrl,
      // Polls follow each other at once here: the fake answers queued, processing, then completed.
      ASSEMBLYAI_POLL_INTERVAL_MS: '10',
      ASSEMBLYAI_TIMEOUT_MS: '30000',
      PROVIDER_RETRIES: '2',
      PROVIDER_RETRY_DELAY_MS: '0',
      PROVIDER_RETRY_MAX_DELAY_MS: '50',
    },
    { runner: true },
  );
  alice = await registerUser(t);
  const set = await gql(alice, `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id provider last4 } }`, {
    input: { provider: 'ASSEMBLYAI', name: 'AssemblyAI key', secret: KEY },
  });
  expect(set.errors, set.raw).toBeUndefined();
  expect(set.data!.setProviderKey).toMatchObject({ provider: 'ASSEMBLYAI', last4: KEY.slice(-4) });
}, 120_000);

afterAll(async () => {
  await t?.close();
  await fake?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ASSEMBLYAI jobs', () => {
  it('transcribes with speaker labels and language detection: words, speakers and the detected language stored', async () => {
    fake.reset();
    fake.setTranscript(() => ({
      words: [...aaiWordsFromText('Hola, buenos días.', { start: 0.5, speaker: 'A' }), ...aaiWordsFromText('Hasta mañana.', { start: 3, speaker: 'B' })],
      detectedLanguage: 'es',
    }));
    const id = await submit(alice, { provider: 'ASSEMBLYAI', diarize: true });
    const job = await finished(alice, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(job).toMatchObject({ provider: 'ASSEMBLYAI', currentProvider: 'ASSEMBLYAI', diarize: true, language: null, detectedLanguage: 'es' });

    // On the wire: the audio uploaded, a transcript submitted for its upload_url with the options, polled to completion.
    expect(fake.uploads).toHaveLength(1);
    expect(fake.transcripts).toHaveLength(1);
    const sent = fake.transcripts[0];
    expect(sent).toMatchObject({ audioUrl: fake.uploads[0].url, speakerLabels: true, languageDetection: true, languageCode: null, authorization: KEY });
    expect(sent.durationSeconds).toBeCloseTo(speech.durationSeconds, 1);
    expect(fake.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(3);

    expect(job.segments).toEqual([
      {
        index: 0,
        start: 0.5,
        end: 1.75,
        text: 'Hola, buenos días.',
        speaker: 'Speaker 1',
        provider: 'ASSEMBLYAI',
        words: [
          { word: 'Hola,', start: 0.5, end: 0.85, confidence: 0.97, speaker: 'Speaker 1' },
          { word: 'buenos', start: 0.95, end: 1.3, confidence: 0.97, speaker: 'Speaker 1' },
          { word: 'días.', start: 1.4, end: 1.75, confidence: 0.97, speaker: 'Speaker 1' },
        ],
      },
      expect.objectContaining({ index: 1, start: 3, text: 'Hasta mañana.', speaker: 'Speaker 2', provider: 'ASSEMBLYAI' }),
    ]);
    expect(job.segments[1].words.map((w: { word: string; speaker: string }) => [w.word, w.speaker])).toEqual([
      ['Hasta', 'Speaker 2'],
      ['mañana.', 'Speaker 2'],
    ]);

    // Usage: one ASSEMBLYAI record, priced at AssemblyAI's default rate ($0.15 an hour).
    const usage = await t.deps.db.usageRecord.findMany({ where: { jobId: id } });
    expect(usage.map((u) => u.provider)).toEqual(['ASSEMBLYAI']);
    expect(usage[0].audioSeconds).toBeCloseTo(job.mediaDurationSeconds, 3);
    expect(usage[0].costUsd).toBeCloseTo((0.0025 * job.mediaDurationSeconds) / 60, 5);
  }, 120_000);

  it('sends a known language as language_code and a model as speech_model; without speaker labels words become segments at sentence ends', async () => {
    fake.reset();
    fake.setTranscript(() => ({ words: aaiWordsFromText('The weather is nice today. Please call me tomorrow morning.') }));
    const id = await submit(alice, { provider: 'ASSEMBLYAI', language: 'en-US', model: 'slam-1' });
    const job = await finished(alice, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(fake.transcripts[0]).toMatchObject({ languageCode: 'en_us', languageDetection: false, speakerLabels: false, speechModel: 'slam-1' });
    expect(job.detectedLanguage).toBe('en-US');
    expect(job.segments.map((s: { text: string; speaker: string | null }) => [s.text, s.speaker])).toEqual([
      ['The weather is nice today.', null],
      ['Please call me tomorrow morning.', null],
    ]);
    const usage = await t.deps.db.usageRecord.findFirstOrThrow({ where: { jobId: id } });
    expect(usage).toMatchObject({ provider: 'ASSEMBLYAI', model: 'slam-1' });
    expect(usage.costUsd).toBeCloseTo((0.0045 * job.mediaDurationSeconds) / 60, 5);
  }, 120_000);

  it('a refused key (401 quoting it) fails the job readably, and the key appears in no answer, row or log line', async () => {
    fake.reset();
    fake.failNext(401, 1, {}, { body: { error: `Authentication error, API token ${KEY} missing/invalid` } });
    const id = await submit(alice, { provider: 'ASSEMBLYAI' });
    const job = await finished(alice, id);
    expect(job.status).toBe('FAILED');
    expect(job.error).toContain('AssemblyAI 401: Authentication error, API token');
    expect(fake.requests.map((r) => [r.path, r.status])).toEqual([['/v2/upload', 401]]);

    const rows = JSON.stringify(await t.deps.db.job.findMany({ select: { error: true } })) + JSON.stringify(await t.deps.db.jobEvent.findMany());
    for (const text of [...answers, rows, t.logs.join('\n')]) expect(text).not.toContain(KEY);
  }, 120_000);

  it('a transcript ending with status "error" about the audio fails the job with AssemblyAI\'s sentence (no retry)', async () => {
    fake.reset();
    fake.failTranscriptNext('Transcoding failed. File does not appear to contain audio.');
    const id = await submit(alice, { providers: ['ASSEMBLYAI', 'LOCAL'] });
    const job = await finished(alice, id);
    expect(job.status).toBe('FAILED');
    expect(job.error).toContain('Transcoding failed. File does not appear to contain audio.');
    expect(fake.transcripts).toHaveLength(1);
  }, 120_000);

  it('with providers [ASSEMBLYAI, LOCAL], repeated 503s move the job on to LOCAL after the retries; usage per engine', async () => {
    fake.reset();
    // One attempt and PROVIDER_RETRIES (2) retries, each refused at the upload.
    fake.failNext(503, 3);
    const id = await submit(alice, { providers: ['ASSEMBLYAI', 'LOCAL'] });
    const job = await finished(alice, id);
    expect(job.status, job.error).toBe('COMPLETED');
    expect(job).toMatchObject({ provider: 'ASSEMBLYAI', providers: ['ASSEMBLYAI', 'LOCAL'], currentProvider: 'LOCAL' });
    expect(job.events.map((e: Record<string, string>) => [e.kind, e.from, e.to])).toEqual([
      ['PROVIDER_RETRIED', 'ASSEMBLYAI', null],
      ['PROVIDER_RETRIED', 'ASSEMBLYAI', null],
      ['PROVIDER_SWITCHED', 'ASSEMBLYAI', 'LOCAL'],
    ]);
    expect(job.events.at(-1).reason).toContain('AssemblyAI 503');
    expect(fake.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    expect(job.segments.length).toBeGreaterThan(0);
    expect(new Set(job.segments.map((s: { provider: string }) => s.provider))).toEqual(new Set(['LOCAL']));
    const usage = await t.deps.db.usageRecord.findMany({ where: { jobId: id } });
    expect(usage.map((u) => u.provider)).toEqual(['LOCAL']);
  }, 180_000);
});

describe('refusals', () => {
  it('a user without an AssemblyAI key (and no server key) is refused at submission', async () => {
    const bob = await registerUser(t);
    const result = await submitFile(t, bob.accessToken, speech.wavPath, { provider: 'ASSEMBLYAI' });
    expect(result.errors?.[0].extensions?.code).toBe('PROVIDER_UNAVAILABLE');
  });
});

describe('AssemblyAI provider (SDK against the fake)', () => {
  const request = () => ({ wavPath: speech.wavPath, durationSeconds: speech.durationSeconds, language: null, model: null, diarize: false, apiKey: KEY });

  it('maps an unreachable server, a timeout and a 429 with retry-after to transient; an abort stays an abort', async () => {
    const unreachable = createAssemblyAIProvider({ baseURL: 'http://127.0.0.1:1', timeoutMs: 5000, pollIntervalMs: 10 });
    const refused = await unreachable.transcribe(request()).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderError);
    expect(refused).toMatchObject({ kind: 'transient', message: expect.stringContaining('Could not reach AssemblyAI') });

    fake.reset();
    const slow = createAssemblyAIProvider({ baseURL: fake.baseUrl, timeoutMs: 300, pollIntervalMs: 10 });
    const held = fake.holdNext();
    const timedOut = await slow.transcribe(request()).catch((error: unknown) => error);
    held.release();
    expect(timedOut).toMatchObject({ kind: 'transient', message: 'AssemblyAI request timed out' });

    fake.reset();
    const provider = createAssemblyAIProvider({ baseURL: fake.baseUrl, timeoutMs: 5000, pollIntervalMs: 10 });
    fake.failNext(429, 1, { 'retry-after': '2' });
    const limited = await provider.transcribe(request()).catch((error: unknown) => error);
    expect(limited).toMatchObject({ kind: 'transient', details: { status: 429, retryAfterMs: 2000 }, message: 'AssemblyAI 429: Too Many Requests' });

    fake.reset();
    const controller = new AbortController();
    const pending = fake.holdNext();
    const aborted = provider.transcribe({ ...request(), signal: controller.signal }).catch((error: unknown) => error);
    await pending.arrival();
    controller.abort();
    pending.release();
    expect(await aborted).toMatchObject({ name: 'AbortError' });
  }, 60_000);
});
