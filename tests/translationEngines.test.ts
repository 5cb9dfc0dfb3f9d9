// Translation engines: the chat endpoint on a server of its own (CHAT_BASE_URL, CHAT_MODEL,
// CHAT_API_KEY: DeepSeek and other OpenAI-compatible servers) and Google Cloud Translation through
// @google-cloud/translate with the owner's GOOGLE key, chosen per job. Both are protocol fakes on
// loopback (the OpenAI fake plays the other chat server); speech comes from flite through the
// OpenAI fake's transcription.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../server/env.ts';
import { translationEngineFor } from '../server/services/translationEngines.ts';
import { assertWebAppBuilt, CHROMIUM, haveChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { startFakeGoogleTranslate, type FakeGoogleTranslateServer } from './fakes/googleTranslateServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const FIELDS = 'id status text translateTo translationEngine translatedText translationStatus translationError';
const SET_KEY = `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id provider last4 } }`;
const RETRY = `mutation ($id: ID!) { retryTranslation(id: $id) { ${FIELDS} } }`;

let dir: string;
let speech: SpeechFixture;
let openai: FakeOpenAIServer;
let deepseek: FakeOpenAIServer;
let google: FakeGoogleTranslateServer;
let t: TestApp;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-translation-engines-'));
  speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'short.wav'));
  openai = await startFakeOpenAI({ apiKey: null });
  openai.setTranscript(() => wordsFromText('The weather is nice today.', { start: 0.3 }));
  openai.setTranslator((chat) => `[openai] ${chat.user}`);
  // The "other" chat server: its own key, its own models.
  deepseek = await startFakeOpenAI({ models: ['deepseek-chat'] });
  deepseek.setTranslator((chat) => `[deepseek:${chat.model}] ${chat.user}`);
  google = await startFakeGoogleTranslate();
  t = await createTestApp(
    {
      OPENAI_BASE_URL: openai.baseURL,
      CHAT_BASE_URL: deepseek.baseURL,
      CHAT_MODEL: 'deepseek-chat',
      CHAT_API_KEY: deepseek.apiKey!,
      GOOGLE_TRANSLATE_BASE_URL: google.origin,
      TRANSLATION_MAX_ATTEMPTS: '2',
    },
    { runner: true },
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
  await Promise.all([openai?.close(), deepseek?.close(), google?.close()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function readJob(id: string, token: string) {
  const result = await t.gql(`query ($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id }, { token });
  expect(result.errors, result.raw).toBeUndefined();
  return { job: result.data!.job as Record<string, any>, raw: result.raw };
}

const translationSettled = (id: string, token: string) =>
  waitFor(`the translation of ${id}`, async () => {
    const { job, raw } = await readJob(id, token);
    return job.translationStatus !== 'PENDING' ? { job, raw } : null;
  }, 60_000);

async function translatedJob(token: string, input: Record<string, unknown>) {
  const submitted = await submitFile(t, token, speech.wavPath, { provider: 'OPENAI', translateTo: 'de', ...input }, { fields: FIELDS });
  expect(submitted.errors, submitted.raw).toBeUndefined();
  const id = submitted.data!.createTranscriptionJob.id as string;
  const completed = await waitForJob(t, token, id, undefined, 60_000);
  expect(completed.status).toBe('COMPLETED');
  return { id, submitted: submitted.data!.createTranscriptionJob as Record<string, any>, ...(await translationSettled(id, token)) };
}

describe('the chat endpoint on a server of its own', () => {
  it('sends translations to CHAT_BASE_URL with CHAT_MODEL and CHAT_API_KEY, never to OpenAI', async () => {
    const alice = await registerUser(t);
    // Alice's own OpenAI key stays with OpenAI: it must not travel to the other server.
    const key = await t.gql(SET_KEY, { input: { provider: 'OPENAI', name: 'mine', secret: 'sk-alice-own-openai-key-0001' } }, { token: alice.accessToken });
    expect(key.errors, key.raw).toBeUndefined();
    deepseek.reset();
    openai.reset();
    const { job, submitted } = await translatedJob(alice.accessToken, {});
    expect(submitted.translationEngine).toBe('CHAT');
    expect(job).toMatchObject({
      status: 'COMPLETED',
      translationStatus: 'COMPLETED',
      translatedText: '[deepseek:deepseek-chat] The weather is nice today.',
      translationError: null,
    });
    expect(deepseek.chats).toHaveLength(1);
    expect(deepseek.chats[0]).toMatchObject({ model: 'deepseek-chat', authorization: `Bearer ${deepseek.apiKey}` });
    expect(deepseek.chats[0].system).toMatch(/into German \(de\)/);
    expect(openai.chats).toHaveLength(0);
  }, 90_000);
});

describe('Google Cloud Translation', () => {
  it("translates with the owner's GOOGLE key through the v2 REST API when the job asks for it", async () => {
    const bob = await registerUser(t);
    const key = await t.gql(SET_KEY, { input: { provider: 'GOOGLE', name: 'translate', secret: google.apiKey } }, { token: bob.accessToken });
    expect(key.errors, key.raw).toBeUndefined();
    expect(key.data!.setProviderKey).toMatchObject({ provider: 'GOOGLE', last4: google.apiKey.slice(-4) });
    google.reset();
    deepseek.reset();
    const { job } = await translatedJob(bob.accessToken, { translationEngine: 'GOOGLE' });
    expect(job).toMatchObject({
      status: 'COMPLETED',
      translationEngine: 'GOOGLE',
      translationStatus: 'COMPLETED',
      translatedText: '[de] The weather is nice today.',
    });
    expect(google.translations).toEqual([
      { q: ['The weather is nice today.'], target: 'de', source: 'en', format: 'text', model: null, key: google.apiKey },
    ]);
    expect(deepseek.chats).toHaveLength(0);
  }, 90_000);

  it('fails only the translation on a 403 that quotes the key, with a readable reason and the key nowhere; a retry with a good key works', async () => {
    const carol = await registerUser(t);
    const blockedKey = 'AIzaSyBlockedKey0123456789abcdefghijk';
    google.blockKey(blockedKey);
    await t.gql(SET_KEY, { input: { provider: 'GOOGLE', name: 'translate', secret: blockedKey } }, { token: carol.accessToken });
    google.reset();
    const { id, job, raw } = await translatedJob(carol.accessToken, { translationEngine: 'GOOGLE' });
    expect(job).toMatchObject({ status: 'COMPLETED', text: 'The weather is nice today.', translationStatus: 'FAILED', translatedText: null });
    expect(job.translationError).toBe(
      'Translation failed: Google Cloud Translation rejected the key (HTTP 403); check the GOOGLE key, then retry the translation.',
    );
    // Refused keys are not retried: one request reached Google.
    expect(google.requests).toHaveLength(1);
    expect(google.requests[0].status).toBe(403);
    expect(raw).not.toContain(blockedKey);
    expect(t.logs.join('\n')).not.toContain(blockedKey);
    expect(t.logs.join('\n')).not.toContain(blockedKey.slice(4));

    // A good key, then the translation alone runs again.
    await t.gql(SET_KEY, { input: { provider: 'GOOGLE', name: 'translate', secret: google.apiKey } }, { token: carol.accessToken });
    const retried = await t.gql(RETRY, { id }, { token: carol.accessToken });
    expect(retried.errors, retried.raw).toBeUndefined();
    const settled = await translationSettled(id, carol.accessToken);
    expect(settled.job).toMatchObject({ translationStatus: 'COMPLETED', translatedText: '[de] The weather is nice today.', translationError: null });
  }, 90_000);

  it('retries a Google 503 within the step and completes', async () => {
    const dave = await registerUser(t);
    await t.gql(SET_KEY, { input: { provider: 'GOOGLE', name: 'translate', secret: google.apiKey } }, { token: dave.accessToken });
    google.reset();
    google.failNext(503, 1);
    const { job } = await translatedJob(dave.accessToken, { translationEngine: 'GOOGLE' });
    expect(job).toMatchObject({ translationStatus: 'COMPLETED', translatedText: '[de] The weather is nice today.' });
    expect(google.requests.map((r) => r.status)).toEqual([503, 200]);
  }, 90_000);

  it('refuses GOOGLE without a key, translationEngine without translateTo, and GOOGLE as a speech engine', async () => {
    const erin = await registerUser(t);
    const noKey = await submitFile(t, erin.accessToken, speech.wavPath, { provider: 'OPENAI', translateTo: 'de', translationEngine: 'GOOGLE' });
    expect(noKey.errors?.[0].extensions?.code).toBe('PROVIDER_UNAVAILABLE');
    expect(noKey.errors?.[0].message).toMatch(/GOOGLE key/);
    const noTarget = await submitFile(t, erin.accessToken, speech.wavPath, { provider: 'OPENAI', translationEngine: 'CHAT' });
    expect(noTarget.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const speechEngine = await submitFile(t, erin.accessToken, speech.wavPath, { provider: 'GOOGLE' });
    expect(speechEngine.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(speechEngine.errors?.[0].message).toMatch(/GOOGLE .*not a speech engine/);
    const jobs = await t.gql(`{ jobs(first: 10) { totalCount } }`, {}, { token: erin.accessToken });
    expect(jobs.data!.jobs.totalCount).toBe(0);
  }, 60_000);
});

describe('the server default', () => {
  it('TRANSLATION_ENGINE chooses the engine when a job names none; a job may still choose', () => {
    const env = (value?: string) => ({ env: loadEnv({ NODE_ENV: 'test', ...(value ? { TRANSLATION_ENGINE: value } : {}) }) });
    expect(translationEngineFor(env(), 'de', null)).toBe('CHAT');
    expect(translationEngineFor(env('GOOGLE'), 'de', null)).toBe('GOOGLE');
    expect(translationEngineFor(env('GOOGLE'), 'de', 'CHAT')).toBe('CHAT');
    expect(translationEngineFor(env('GOOGLE'), null, null)).toBeNull();
    expect(() => loadEnv({ NODE_ENV: 'test', TRANSLATION_ENGINE: 'BING' })).toThrow(/TRANSLATION_ENGINE/);
  });
});

describe.skipIf(!haveChromium)(`a GOOGLE key from the web app's account page (Chromium at ${CHROMIUM})`, () => {
  const web = webAppBrowser();

  beforeAll(async () => {
    assertWebAppBuilt();
    await web.launch();
  }, 120_000);

  afterAll(async () => {
    await web.close();
  });

  it('stores a Google Cloud Translation key that a GOOGLE translation then uses', async () => {
    const frank = await registerUser(t);
    const page = await web.open();
    try {
      await signIn(page, await t.listen(), { login: frank.username, password: frank.password });
      await page.goto(`${await t.listen()}/admin/account/provider-keys`);
      const panel = page.getByTestId('provider-GOOGLE');
      await panel.getByText('not set').waitFor({ timeout: UI_TIMEOUT_MS });
      await panel.getByLabel('GOOGLE secret key').fill(google.apiKey);
      await panel.getByRole('button', { name: 'Save' }).click();
      await panel.getByText('set', { exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      await web.finish();
    }
    google.reset();
    const { job } = await translatedJob(frank.accessToken, { translationEngine: 'GOOGLE' });
    expect(job).toMatchObject({ translationStatus: 'COMPLETED', translatedText: '[de] The weather is nice today.' });
    expect(google.translations[0].key).toBe(google.apiKey);
  }, 180_000);
});
