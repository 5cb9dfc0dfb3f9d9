// AssemblyAI's own sentiment (README, "Sentiment"): a job submitted with sentiment: true asks
// AssemblyAI for `sentiment_analysis`, and its sentence results land on the segments of each chunk
// AssemblyAI transcribed; the sentiment step sends the chat endpoint only the segments another engine
// produced (none on a job fully on ASSEMBLYAI). Both cloud APIs are protocol fakes on loopback; the
// audio is two flite sentences cut into two chunks.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overallSentiment } from '../server/services/sentimentStore.ts';
import { aaiWordsFromText, startFakeAssemblyAI, type FakeAssemblyAIServer } from './fakes/assemblyaiServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer, type RecordedChat } from './fakes/openaiServer.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const KEY = 'aai-sentiment-test-key-0123456789';
const SENTENCES = ['I love this wonderful product.', 'The service was terrible and slow.'];
const FIELDS = `id status error currentProvider sentimentRequested sentimentStatus sentimentError sentiment { label score }
  segments { index start end text provider sentiment { label score } }`;

let dir: string;
let speech: SpeechFixture;
let aai: FakeAssemblyAIServer;
let openai: FakeOpenAIServer;
let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;

/** The chat model: reads the numbered segments and answers the JSON the prompt asks for. */
function chatModel(chat: RecordedChat): string {
  const segments = (chat.user ?? '').split('\n').map((line) => {
    const [, id, text] = /^\[(\d+)\] (.*)$/.exec(line)!;
    return { id: Number(id), sentiment: /terrible/i.test(text) ? 'NEGATIVE' : 'POSITIVE', score: 0.6 };
  });
  return JSON.stringify({ segments });
}

/** Each chunk's AssemblyAI transcript is the sentence spoken in it (chunk k: sentence k). */
function scriptAssemblyAI(options: { failSecondChunk: boolean }) {
  aai.setTranscript((request) => {
    const chunk = aai.transcripts.findIndex((r) => r.id === request.id);
    if (chunk > 0 && options.failSecondChunk) throw new Error('overloaded');
    return { words: aaiWordsFromText(SENTENCES[chunk], { start: 0.3 }) };
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-aai-sentiment-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'two.wav'), { pauseSeconds: 2, tailSeconds: 0.5 });
  aai = await startFakeAssemblyAI({ apiKey: KEY, pollsUntilDone: 1 });
  openai = await startFakeOpenAI({ apiKey: null });
  openai.setTranslator(chatModel);
  openai.setTranscript(() => wordsFromText(SENTENCES[1], { start: 0.3 }));
  // One chunk per sentence: the cut is sought in the last quarter before the target, which holds
  // part of the pause, and what remains after any cut in the pause is shorter than the target.
  const target = speech.durationSeconds - speech.sentences[0].end + 0.2;
  expect(target * 0.75).toBeLessThan(speech.sentences[1].start);
  t = await createTestApp(
    {
      ASSEMBLYAI_BASE_URL: aai.baseUrl,
      ASSEMBLYAI_POLL_INTERVAL_MS: '10',
      OPENAI_BASE_URL: openai.baseURL,
      CHUNK_SECONDS: target.toFixed(2),
      PROVIDER_RETRIES: '0',
      SENTIMENT_BATCH_TOKENS: '30',
    },
    { runner: true },
  );
  alice = await registerUser(t);
  const set = await t.gql(
    `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`,
    { input: { provider: 'ASSEMBLYAI', name: 'AssemblyAI', secret: KEY } },
    { token: alice.accessToken },
  );
  expect(set.errors, set.raw).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await t?.close();
  await aai?.close();
  await openai?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readJob(id: string) {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id }, { token: alice.accessToken });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job as Record<string, any>;
}

async function run(input: Record<string, unknown>): Promise<Record<string, any>> {
  const submitted = await submitFile(t, alice.accessToken, speech.wavPath, input);
  expect(submitted.errors, submitted.raw).toBeUndefined();
  const id = submitted.data!.createTranscriptionJob.id as string;
  const completed = await waitForJob(t, alice.accessToken, id, undefined, 120_000);
  expect(completed).toMatchObject({ status: 'COMPLETED', error: null });
  return waitFor(`the sentiment of ${id}`, async () => {
    const job = await readJob(id);
    return job.sentimentStatus !== 'PENDING' ? job : null;
  }, 60_000);
}

/** The whole transcript's sentiment as sentimentStore derives it from these segments. */
function overallOf(segments: Array<{ start: number; end: number; sentiment: { label: 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE'; score: number } }>) {
  return overallSentiment(segments.map((s) => ({ seconds: s.end - s.start, label: s.sentiment.label, score: s.sentiment.score })));
}

describe('AssemblyAI sentiment', () => {
  it('a job fully on ASSEMBLYAI carries AssemblyAI\'s labels and makes no chat request', async () => {
    aai.reset();
    openai.reset();
    scriptAssemblyAI({ failSecondChunk: false });
    const job = await run({ providers: ['ASSEMBLYAI'], sentiment: true });
    expect(job).toMatchObject({ sentimentRequested: true, sentimentStatus: 'COMPLETED', sentimentError: null });
    expect(aai.transcripts).toHaveLength(2);
    for (const transcript of aai.transcripts) expect(transcript.body.sentiment_analysis).toBe(true);
    expect(job.segments.map((s: any) => [s.text, s.provider, s.sentiment])).toEqual([
      [SENTENCES[0], 'ASSEMBLYAI', { label: 'POSITIVE', score: 0.88 }],
      [SENTENCES[1], 'ASSEMBLYAI', { label: 'NEGATIVE', score: 0.91 }],
    ]);
    expect(job.sentiment).toEqual(overallOf(job.segments));
    expect(openai.chats).toHaveLength(0);
  });

  it('after a fallback, only the other engine\'s segments go to the chat endpoint', async () => {
    aai.reset();
    openai.reset();
    openai.setTranscript(() => wordsFromText(SENTENCES[1], { start: 0.3 }));
    scriptAssemblyAI({ failSecondChunk: true });
    const job = await run({ providers: ['ASSEMBLYAI', 'OPENAI'], sentiment: true });
    expect(job.currentProvider).toBe('OPENAI');
    expect(job.segments.map((s: any) => [s.text, s.provider, s.sentiment])).toEqual([
      [SENTENCES[0], 'ASSEMBLYAI', { label: 'POSITIVE', score: 0.88 }],
      [SENTENCES[1], 'OPENAI', { label: 'NEGATIVE', score: 0.6 }],
    ]);
    expect(openai.chats.map((chat) => chat.user)).toEqual([`[1] ${SENTENCES[1]}`]);
    expect(job.sentiment).toEqual(overallOf(job.segments));
  });

  it('without sentiment: true, AssemblyAI is not asked for it and no segment has one', async () => {
    aai.reset();
    openai.reset();
    scriptAssemblyAI({ failSecondChunk: false });
    const job = await run({ providers: ['ASSEMBLYAI'] });
    expect(aai.transcripts.map((transcript) => transcript.body.sentiment_analysis)).toEqual([undefined, undefined]);
    expect(job.segments.map((s: any) => s.sentiment)).toEqual([null, null]);
    expect(job).toMatchObject({ sentimentRequested: false, sentimentStatus: null, sentiment: null });
  });
});
