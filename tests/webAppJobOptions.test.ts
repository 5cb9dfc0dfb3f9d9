// The web app's engine and output options (README, "Web app"): AssemblyAI and Google keys are stored
// from the account page, and a job submitted from the new-job form on ASSEMBLYAI with sentiment and a
// Google translation reaches the API with exactly those options (read back through the API). No job
// runner: the job stays queued, so no cloud API is called.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const TEST_TIMEOUT_MS = 180_000;
const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/webAppJobOptions');

describeInChromium('web app job options in Chromium', suite);

function suite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  const page = () => web.page;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-options-'));
    speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'short.wav'));
    // No server keys for AssemblyAI, Google or the chat endpoint: the user's own keys make the job possible.
    t = await createTestApp({});
    base = await t.listen();
    t.deps.env.publicUrl = base;
    await web.launch();
  }, 300_000);

  beforeEach(async () => {
    await web.open();
  });

  afterEach(async () => {
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function saveKey(provider: string, secret: string) {
    const card = page().getByTestId(`provider-${provider}`);
    await card.getByText('not set').waitFor();
    await card.getByLabel(`${provider} secret key`).fill(secret);
    await card.getByRole('button', { name: 'Save' }).click();
    await card.getByText('set', { exact: true }).waitFor();
  }

  it('stores AssemblyAI and Google keys, and submits a job on ASSEMBLYAI with sentiment and a Google translation', async () => {
    const user = await registerUser(t);
    await signIn(page(), base, { login: user.username, password: user.password });
    await page().goto(`${base}/admin/account/provider-keys`);
    await saveKey('ASSEMBLYAI', 'aai-web-test-key-0123456789');
    await saveKey('GOOGLE', 'AIzaWebTestKey0123456789');
    const keys = await t.deps.db.providerKey.findMany({ where: { userId: user.id }, select: { provider: true } });
    expect(keys.map((key) => key.provider).sort()).toEqual(['ASSEMBLYAI', 'GOOGLE']);

    await page().goto(`${base}/admin/myJobs/create`);
    const filename = `options-${Date.now().toString(36)}.wav`;
    await page().getByTestId('file-input').setInputFiles({ name: filename, mimeType: 'audio/wav', buffer: await readFile(speech.wavPath) });
    await page().getByTestId('upload-item').getByText(filename).waitFor();
    await page().getByLabel('Engines, in order').click();
    await page().getByRole('option', { name: /AssemblyAI/ }).click();
    await page().keyboard.press('Escape');
    await page().getByLabel('Translate to').fill('de');
    await page().getByLabel('Translation engine').click();
    await page().getByRole('option', { name: /Google Cloud Translation/ }).click();
    await page().getByLabel('Sentiment (per segment and overall)').check();
    await web.shots('new-job-options', SHOTS);
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().waitForURL(/\/admin\/myJobs$/, { timeout: UI_TIMEOUT_MS });

    const { id } = await t.deps.db.job.findFirstOrThrow({ where: { filename }, select: { id: true } });
    const read = await t.gql(
      `query ($id: ID!) { job(id: $id) { provider providers sentimentRequested translateTo translationEngine diarize } }`,
      { id },
      { token: user.accessToken },
    );
    expect(read.errors, read.raw).toBeUndefined();
    expect(read.data!.job).toEqual({
      provider: 'ASSEMBLYAI',
      providers: ['ASSEMBLYAI'],
      sentimentRequested: true,
      translateTo: 'de',
      translationEngine: 'GOOGLE',
      diarize: false,
    });
  }, TEST_TIMEOUT_MS);
}
