// Provider routing in the web app, in Chromium: the new-job form picks engines in order, and the job
// page shows the engines, the switch (with its reason) and which engine produced each segment.
// The "cloud" engines are the Deepgram and OpenAI protocol fakes; Deepgram is made to keep failing.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startFakeDeepgram, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { startFakeOpenAI, wordsFromText, type FakeOpenAIServer } from './fakes/openaiServer.ts';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

describeInChromium('provider routing in the web app', suite);

function suite() {
  const web = webAppBrowser();
  const page = () => web.page;
  const OPENAI_KEY = `sk-web-${randomBytes(12).toString('hex')}`;
  const DEEPGRAM_KEY = randomBytes(20).toString('hex');
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  let openai: FakeOpenAIServer;
  let deepgram: FakeDeepgramServer;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-routing-'));
    speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'speech.wav'));
    openai = await startFakeOpenAI({ apiKey: OPENAI_KEY });
    deepgram = await startFakeDeepgram({ apiKey: DEEPGRAM_KEY });
    t = await createTestApp(
      {
        OPENAI_BASE_URL: openai.baseURL,
        OPENAI_API_KEY: OPENAI_KEY,
        DEEPGRAM_BASE_URL: deepgram.baseUrl,
        DEEPGRAM_API_KEY: DEEPGRAM_KEY,
        PROVIDER_RETRIES: '1',
        PROVIDER_RETRY_DELAY_MS: '0',
      },
      { runner: true },
    );
    base = await t.listen();
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
    await openai?.close();
    await deepgram?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('picks DEEPGRAM then OPENAI; the job page shows the switch and the engine of each segment', async () => {
    deepgram.failNext(503, 2);
    openai.setTranscript(() => wordsFromText('Transcribed after the switch.', { start: 0.3 }));
    const user = await registerUser(t);
    await signIn(page(), base, { login: user.username, password: user.password });
    await page().waitForURL(/\/admin\/myJobs/);
    await page().goto(`${base}/admin/myJobs/create`);
    const filename = `routing-${randomBytes(4).toString('hex')}.wav`;
    await page().getByTestId('file-input').setInputFiles({ name: filename, mimeType: 'audio/wav', buffer: await readFile(speech.wavPath) });
    await page().getByTestId('upload-item').getByText(filename).waitFor();
    await page().getByLabel('Engines, in order').click();
    await page().getByRole('option', { name: /Deepgram/ }).click();
    await page().getByRole('option', { name: /OpenAI/ }).click();
    // The menu numbers them in the order picked.
    await page().getByRole('option', { name: /^2\. OpenAI/ }).waitFor();
    await page().keyboard.press('Escape');
    await page().getByRole('button', { name: 'Transcribe' }).click();
    await page().waitForURL(/\/admin\/myJobs$/);

    const job = await waitFor('the job row', () => t.deps.db.job.findFirst({ where: { filename } }), UI_TIMEOUT_MS);
    expect(job).toMatchObject({ provider: 'DEEPGRAM', providers: ['DEEPGRAM', 'OPENAI'] });
    await waitFor('the job to finish', async () => {
      const row = await t.deps.db.job.findUniqueOrThrow({ where: { id: job.id } });
      return row.status === 'COMPLETED' || row.status === 'FAILED' ? row : null;
    }, 120_000);

    await page().goto(`${base}/admin/myJobs/${encodeURIComponent(job.id)}/show`);
    await expect.poll(() => page().getByTestId('job-engines').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('DEEPGRAM → OPENAI');
    await expect(page().getByTestId('job-current-engine').textContent()).resolves.toContain('OPENAI');
    const events = page().getByTestId('engine-event');
    await events.filter({ hasText: 'Switched from DEEPGRAM to OPENAI' }).waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await events.filter({ hasText: 'Switched from DEEPGRAM to OPENAI' }).textContent()).toMatch(/503/);
    await page().getByTestId('segment-provider').first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page().getByTestId('segment-provider').allTextContents()).toEqual(['OPENAI']);
  }, 300_000);
}
