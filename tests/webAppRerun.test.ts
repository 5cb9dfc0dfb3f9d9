// "Run again" on the job page (README, "Running a job again"): the dialog shows the job's settings,
// the user changes the engine and turns on diarization, and the new job opens; it runs with exactly
// those settings, its page shows the speakers and links back to the original.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startFakeDeepgram, type FakeDeepgramServer } from './fakes/deepgramServer.ts';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const TEST_TIMEOUT_MS = 240_000;
const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/webAppRerun');

describeInChromium('web app: run a job again', suite);

function suite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  let deepgram: FakeDeepgramServer;
  const page = () => web.page;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-rerun-'));
    speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'short.wav'), { voice: 'rms' });
    deepgram = await startFakeDeepgram({ apiKey: null });
    t = await createTestApp({ DEEPGRAM_BASE_URL: deepgram.baseUrl }, { runner: true });
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
    await deepgram?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('offers the settings prefilled, runs the media again with the edited ones and opens the new job', async () => {
    const user = await registerUser(t);
    const submitted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL', language: 'en' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const originalId = submitted.data!.createTranscriptionJob.id as string;
    expect((await waitForJob(t, user.accessToken, originalId)).status).toBe('COMPLETED');

    await signIn(page(), base, { login: user.username, password: user.password });
    await page().goto(`${base}/admin/myJobs/${originalId}/show`);
    await page().getByRole('button', { name: 'Run again' }).click();
    const dialog = page().getByRole('dialog', { name: 'Run this job again' });
    await dialog.waitFor({ timeout: UI_TIMEOUT_MS });
    // The original's settings.
    expect(await dialog.getByLabel('Language').inputValue()).toBe('en');
    await dialog.getByText('1. LOCAL').waitFor();
    expect(await dialog.getByLabel('Tell speakers apart (diarization)').isChecked()).toBe(false);

    // DEEPGRAM instead of LOCAL, with diarization.
    await dialog.getByLabel('Engines, in order').click();
    await page().getByRole('option', { name: /Deepgram/ }).click();
    await page().getByRole('option', { name: /Local engine/ }).click();
    await page().keyboard.press('Escape');
    await dialog.getByText('1. DEEPGRAM').waitFor();
    await dialog.getByLabel('Tell speakers apart (diarization)').check();
    await web.shots('run-again-dialog', SHOTS);
    await dialog.getByRole('button', { name: 'Start new job' }).click();

    await page().waitForURL((url) => /\/admin\/myJobs\/[^/]+\/show$/.test(url.pathname) && !url.pathname.includes(originalId), { timeout: UI_TIMEOUT_MS });
    const newId = decodeURIComponent(new URL(page().url()).pathname.split('/').at(-2)!);
    const read = await t.gql(
      `query ($id: ID!) { job(id: $id) { providers language diarize owner { id } rerunOf { id } } }`,
      { id: newId },
      { token: user.accessToken },
    );
    expect(read.errors, read.raw).toBeUndefined();
    expect(read.data!.job).toEqual({ providers: ['DEEPGRAM'], language: 'en', diarize: true, owner: { id: user.id }, rerunOf: { id: originalId } });
    // It runs, and its page shows the speakers as any diarized job's does.
    expect((await waitForJob(t, user.accessToken, newId)).status).toBe('COMPLETED');
    await page().getByTestId('segment-speaker').first().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page().getByTestId('segment-speaker').first().textContent()).toBe('Speaker 1');
    expect(deepgram.listens.at(-1)).toMatchObject({ diarize: true, language: 'en' });

    // The new job's page links back to the one it was run again from.
    const back = page().getByTestId('rerun-of');
    expect(await back.textContent()).toBe('short.wav');
    await back.click();
    await page().waitForURL((url) => url.pathname.endsWith(`/admin/myJobs/${encodeURIComponent(originalId)}/show`), { timeout: UI_TIMEOUT_MS });
    await page().getByTestId('job-engines').filter({ hasText: 'LOCAL' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => page().getByTestId('rerun-of').count(), { timeout: UI_TIMEOUT_MS }).toBe(0);
  }, TEST_TIMEOUT_MS);
}
