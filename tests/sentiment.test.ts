// Sentiment per segment and for the whole transcript, through the chat endpoint translation uses,
// as a step of its own after the transcript: a refusal or a failing endpoint fails only the
// sentiment (the job stays COMPLETED with its transcript), and analyzeSentiment runs it again.
// OpenAI (transcription and chat) is the protocol fake on loopback; speech comes from flite.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchesWithin } from '../server/providers/sentiment.ts';
import { overallSentiment } from '../server/services/sentimentStore.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer, type RecordedChat } from './fakes/openaiServer.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const CHAT = '/v1/chat/completions';
const SENTENCES = ['I love this wonderful product.', 'The meeting is on Tuesday.', 'The service was terrible and slow.'];
const FIELDS = `id status text sentimentRequested sentimentStatus sentimentError sentiment { label score }
  segments { index text sentiment { label score } }`;
const ANALYZE = `mutation ($id: ID!) { analyzeSentiment(id: $id) { id status sentimentStatus sentimentError } }`;

let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;

/** A model that reads the numbered segments and answers the JSON the prompt asks for. */
function sentimentModel(chat: RecordedChat): string {
  const lines = (chat.user ?? '').split('\n');
  const segments = lines.map((line) => {
    const [, id, text] = /^\[(\d+)\] (.*)$/.exec(line)!;
    const sentiment = /love|wonderful/i.test(text) ? 'POSITIVE' : /terrible|slow/i.test(text) ? 'NEGATIVE' : 'NEUTRAL';
    return { id: Number(id), sentiment, score: sentiment === 'NEUTRAL' ? 0.6 : 0.9 };
  });
  return JSON.stringify({ segments });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-sentiment-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'three.wav'));
  openai = await startFakeOpenAI({ apiKey: null });
  openai.setTranscript(() => wordsFromText(SENTENCES.join(' '), { start: 0.5, wordSeconds: 0.3, gapSeconds: 0.05, pauseSeconds: 1 }));
  openai.setTranslator(sentimentModel);
  // A keyless OpenAI-compatible server; two attempts, so running out takes one backoff. A small
  // token budget: each segment goes in a request of its own.
  t = await createTestApp(
    { OPENAI_BASE_URL: openai.baseURL, SENTIMENT_MAX_ATTEMPTS: '2', SENTIMENT_BATCH_TOKENS: '30' },
    { runner: true },
  );
  alice = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await openai?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readJob(id: string, token = alice.accessToken) {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id }, { token });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job as Record<string, any>;
}

const sentimentSettled = (id: string) =>
  waitFor(`the sentiment of ${id}`, async () => {
    const job = await readJob(id);
    return job.sentimentStatus !== 'PENDING' ? job : null;
  }, 60_000);

async function submit(input: Record<string, unknown> = { sentiment: true }): Promise<string> {
  const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI', ...input });
  expect(submitted.errors, submitted.raw).toBeUndefined();
  const id = submitted.data!.createTranscriptionJob.id as string;
  const completed = await waitForJob(t, alice.accessToken, id, undefined, 60_000);
  expect(completed).toMatchObject({ status: 'COMPLETED', error: null });
  return id;
}

const EXPECTED_SEGMENTS = [
  { index: 0, text: 'I love this wonderful product.', sentiment: { label: 'POSITIVE', score: 0.9 } },
  { index: 1, text: 'The meeting is on Tuesday.', sentiment: { label: 'NEUTRAL', score: 0.6 } },
  { index: 2, text: 'The service was terrible and slow.', sentiment: { label: 'NEGATIVE', score: 0.9 } },
];

describe('sentiment: true', () => {
  it('labels every segment and the whole transcript, in the API and the JSON export', async () => {
    openai.reset();
    const id = await submit();
    const job = await sentimentSettled(id);
    expect(job).toMatchObject({ status: 'COMPLETED', sentimentRequested: true, sentimentStatus: 'COMPLETED', sentimentError: null });
    expect(job.segments).toEqual(EXPECTED_SEGMENTS);
    // The whole: positive and negative speak about as long, at the same confidence; neutral is less sure.
    expect(['POSITIVE', 'NEGATIVE']).toContain(job.sentiment.label);
    expect(job.sentiment.score).toBeGreaterThan(0.3);
    expect(job.sentiment.score).toBeLessThan(0.5);

    // Within the token budget: one request per segment here, each with the configured chat model.
    const chats = openai.chats;
    expect(chats).toHaveLength(3);
    expect(chats.map((chat) => chat.model)).toEqual(['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini']);
    expect(chats.map((chat) => chat.user)).toEqual(SENTENCES.map((sentence, i) => `[${i}] ${sentence}`));
    expect(chats[0].temperature).toBe(0);

    const base = await t.listen();
    const json = (await (await fetch(`${base}/jobs/${id}/transcript.json`, { headers: { authorization: `Bearer ${alice.accessToken}` } })).json()) as any;
    expect(json.sentiment).toEqual(job.sentiment);
    expect(json.segments.map((s: any) => s.sentiment)).toEqual(EXPECTED_SEGMENTS.map((s) => s.sentiment));
  }, 90_000);

  it('leaves sentiment alone without the flag, and analyzeSentiment adds it to a finished job', async () => {
    openai.reset();
    const id = await submit({});
    const plain = await readJob(id);
    expect(plain).toMatchObject({ sentimentRequested: false, sentimentStatus: null, sentiment: null });
    expect(plain.segments.every((s: any) => s.sentiment === null)).toBe(true);
    expect(openai.chats).toHaveLength(0);

    const queued = await t.gql(ANALYZE, { id }, { token: alice.accessToken });
    expect(queued.errors, queued.raw).toBeUndefined();
    expect(queued.data!.analyzeSentiment).toMatchObject({ status: 'COMPLETED', sentimentStatus: 'PENDING' });
    const job = await sentimentSettled(id);
    expect(job.sentimentStatus).toBe('COMPLETED');
    expect(job.segments).toEqual(EXPECTED_SEGMENTS);

    // Someone else's job does not exist for them.
    const bob = await registerUser(t);
    const theirs = await t.gql(ANALYZE, { id }, { token: bob.accessToken });
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  }, 90_000);
});

describe('when the chat endpoint fails', () => {
  it('a refusal fails only the sentiment, at once; analyzeSentiment runs it again', async () => {
    openai.reset();
    openai.setTranslator(() => ({ content: null, refusal: "I'm sorry, I can't help with that." }));
    const id = await submit();
    const failed = await sentimentSettled(id);
    expect(failed).toMatchObject({
      status: 'COMPLETED',
      text: SENTENCES.join(' '),
      sentimentStatus: 'FAILED',
      sentimentError: 'Sentiment failed: the model refused to analyse this transcript.',
      sentiment: null,
    });
    expect(openai.chats).toHaveLength(1); // a refusal is not retried

    openai.setTranslator(sentimentModel);
    const retried = await t.gql(ANALYZE, { id }, { token: alice.accessToken });
    expect(retried.errors, retried.raw).toBeUndefined();
    const job = await sentimentSettled(id);
    expect(job).toMatchObject({ status: 'COMPLETED', sentimentStatus: 'COMPLETED', sentimentError: null });
    expect(job.segments).toEqual(EXPECTED_SEGMENTS);
  }, 90_000);

  it('a 500 is retried until attempts run out; the transcript stays downloadable; a retry works', async () => {
    openai.reset();
    openai.failNext(500, 2, {}, { path: CHAT });
    const id = await submit();
    const failed = await sentimentSettled(id);
    expect(failed).toMatchObject({ status: 'COMPLETED', sentimentStatus: 'FAILED', sentiment: null });
    expect(failed.sentimentError).toBe(
      'Sentiment failed: OpenAI could not be reached, was overloaded or answered unreadably (HTTP 500), 2 attempts; run analyzeSentiment again later.',
    );
    expect(openai.requests.filter((r) => r.path === CHAT).map((r) => r.status)).toEqual([500, 500]);
    const base = await t.listen();
    const txt = await fetch(`${base}/jobs/${id}/transcript.txt`, { headers: { authorization: `Bearer ${alice.accessToken}` } });
    expect(txt.status).toBe(200);
    expect(await txt.text()).toContain('I love this wonderful product.');

    const retried = await t.gql(ANALYZE, { id }, { token: alice.accessToken });
    expect(retried.errors, retried.raw).toBeUndefined();
    const job = await sentimentSettled(id);
    expect(job.sentimentStatus).toBe('COMPLETED');
    expect(job.segments).toEqual(EXPECTED_SEGMENTS);
    // Running while PENDING is refused; an unfinished job has no transcript to analyse.
    const again = await t.gql(ANALYZE, { id }, { token: alice.accessToken });
    expect(again.errors, again.raw).toBeUndefined();
    const twice = await t.gql(ANALYZE, { id }, { token: alice.accessToken });
    expect(twice.errors?.[0].extensions?.code).toBe('CONFLICT');
    await sentimentSettled(id);
  }, 120_000);
});

describe('batches and the overall label', () => {
  it('packs segments into batches under the token budget, never splitting one', () => {
    const segments = Array.from({ length: 10 }, (_, index) => ({ index, text: 'x'.repeat(40) })); // 10 + 16 tokens each
    const batches = batchesWithin(segments, 80);
    expect(batches.map((batch) => batch.map((s) => s.index))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(batchesWithin([{ index: 0, text: 'y'.repeat(4000) }], 80)).toHaveLength(1);
  });

  it('weighs labels by speaking time and confidence', () => {
    expect(overallSentiment([])).toBeNull();
    expect(
      overallSentiment([
        { seconds: 10, label: 'POSITIVE', score: 0.9 },
        { seconds: 2, label: 'NEGATIVE', score: 0.9 },
        { seconds: 3, label: 'NEUTRAL', score: 0.5 },
      ]),
    ).toEqual({ label: 'POSITIVE', score: 0.732 });
  });
});
