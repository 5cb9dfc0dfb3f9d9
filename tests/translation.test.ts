// A job's translation (translateTo) is a step of its own: when OpenAI cannot be reached, the job still
// completes with its transcript and downloads, only the translation fails (with a reason), and the
// owner retries it alone. OpenAI is the protocol fake on loopback; speech comes from flite.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { connectWs, collect } from './helpers/graphqlWs.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const CHAT = '/v1/chat/completions';
const TRANSLATION_FIELDS = 'id status text translatedText translationStatus translationError';
const RETRY = `mutation ($id: ID!) { retryTranslation(id: $id) { ${TRANSLATION_FIELDS} } }`;

let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-translation-'));
  speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'short.wav'));
  // A keyless OpenAI-compatible server; two translation attempts, so running out takes one backoff (about 3 s).
  openai = await startFakeOpenAI({ apiKey: null });
  openai.setTranscript(() => wordsFromText('The weather is nice today.', { start: 0.3 }));
  openai.setTranslator((chat) => `[de] ${chat.user}`);
  t = await createTestApp({ OPENAI_BASE_URL: openai.baseURL, TRANSLATION_MAX_ATTEMPTS: '2' }, { runner: true });
  alice = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await openai?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readJob(id: string, token = alice.accessToken) {
  const result = await t.gql(
    `query ($id: ID!) { job(id: $id) { ${TRANSLATION_FIELDS} attempts txt: transcript(format: TXT) } }`,
    { id },
    { token },
  );
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.job as Record<string, any>;
}

const translationSettled = (id: string) =>
  waitFor(`the translation of ${id}`, async () => {
    const job = await readJob(id);
    return job.translationStatus !== 'PENDING' ? job : null;
  }, 60_000);

describe('translateTo when OpenAI cannot be reached', () => {
  it('completes the job with its transcript and downloads, fails only the translation, and retries it alone', async () => {
    openai.dropNext(100, { path: CHAT }); // OpenAI's chat cannot be reached: every attempt loses its connection
    const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI', translateTo: 'de' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;

    const completed = await waitForJob(t, alice.accessToken, id, undefined, 60_000);
    expect(completed).toMatchObject({ status: 'COMPLETED', error: null, text: 'The weather is nice today.', attempts: 1 });

    const failed = await translationSettled(id);
    expect(failed).toMatchObject({
      status: 'COMPLETED',
      text: 'The weather is nice today.',
      translatedText: null,
      translationStatus: 'FAILED',
      txt: expect.stringContaining('The weather is nice today.'),
    });
    expect(failed.translationError).toMatch(/^Translation failed: OpenAI could not be reached .*2 attempts/);
    expect(failed.translationError).not.toMatch(/127\.0\.0\.1|ECONN|socket/i);
    // Both attempts went to OpenAI (graphile-worker's backoff between them); the transcription ran once.
    expect(openai.requests.filter((r) => r.path === CHAT)).toHaveLength(2);
    expect(openai.transcriptions).toHaveLength(1);

    const base = await t.listen();
    const download = await fetch(`${base}/jobs/${id}/transcript.txt`, { headers: { authorization: `Bearer ${alice.accessToken}` } });
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('The weather is nice today.');

    // Only the owner may retry; a stranger cannot tell the job exists.
    const stranger = await registerUser(t);
    const theirs = await t.gql(RETRY, { id }, { token: stranger.accessToken });
    expect(theirs.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    // OpenAI answers again: the translation alone runs, and fills translatedText.
    openai.reset();
    const retried = await t.gql(RETRY, { id }, { token: alice.accessToken });
    expect(retried.errors, retried.raw).toBeUndefined();
    expect(retried.data!.retryTranslation).toMatchObject({ status: 'COMPLETED', translationStatus: 'PENDING', translationError: null });
    const translated = await translationSettled(id);
    expect(translated).toMatchObject({
      status: 'COMPLETED',
      text: 'The weather is nice today.',
      translationStatus: 'COMPLETED',
      translatedText: '[de] The weather is nice today.',
      translationError: null,
      attempts: 1,
    });
    expect(openai.transcriptions).toHaveLength(0); // nothing was transcribed again
    expect(openai.chats).toHaveLength(1);
    const json = await fetch(`${base}/jobs/${id}/transcript.json`, { headers: { authorization: `Bearer ${alice.accessToken}` } });
    expect(await json.json()).toMatchObject({ translatedText: '[de] The weather is nice today.' });

    // A finished translation is not retried.
    const again = await t.gql(RETRY, { id }, { token: alice.accessToken });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  }, 90_000);

  it('retries a transient failure inside the translation step and completes it', async () => {
    openai.failNext(503, 1, {}, { path: CHAT });
    const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI', translateTo: 'de' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const id = submitted.data!.createTranscriptionJob.id as string;
    await waitForJob(t, alice.accessToken, id, undefined, 60_000);
    const job = await translationSettled(id);
    expect(job).toMatchObject({ status: 'COMPLETED', translationStatus: 'COMPLETED', translatedText: '[de] The weather is nice today.' });
  }, 90_000);

  it('keeps jobUpdated open while the translation is PENDING and ends it with the translation', async () => {
    const held = openai.holdNext({ path: CHAT });
    const client = connectWs(await t.listen(), alice.accessToken);
    try {
      const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI', translateTo: 'de' });
      expect(submitted.errors, submitted.raw).toBeUndefined();
      const id = submitted.data!.createTranscriptionJob.id as string;
      const stream = collect<{ data: { jobUpdated: { status: string; translationStatus: string | null; translatedText: string | null } } }>(
        client,
        `subscription ($id: ID!) { jobUpdated(id: $id) { status translationStatus translatedText } }`,
        { id },
      );
      await held.arrived; // the job has completed; its translation waits on OpenAI
      await waitFor('the completed job delivered', async () =>
        stream.events.some((event) => event.data.jobUpdated.status === 'COMPLETED' && event.data.jobUpdated.translationStatus === 'PENDING'),
      );
      expect(stream.ended()).toBeNull();
      held.release();
      const { events, error } = await stream.done;
      expect(error).toBeUndefined();
      expect(events.at(-1)!.data.jobUpdated).toEqual({ status: 'COMPLETED', translationStatus: 'COMPLETED', translatedText: '[de] The weather is nice today.' });
    } finally {
      held.release();
      await client.dispose();
    }
  }, 90_000);

  it('refuses retryTranslation for a job without translateTo', async () => {
    const submitted = await submitFile(t, alice.accessToken, speech.wavPath, { provider: 'OPENAI' });
    const id = submitted.data!.createTranscriptionJob.id as string;
    const job = await waitForJob(t, alice.accessToken, id, undefined, 60_000);
    expect(job.status).toBe('COMPLETED');
    expect((await readJob(id)).translationStatus).toBeNull();
    const refused = await t.gql(RETRY, { id }, { token: alice.accessToken });
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
  }, 90_000);
});
