// Redaction in the web app (README, "Redaction"): the new-job form sends the chosen kinds, the
// transcript page switches between the original and the redacted transcript and downloads the
// redacted one, and a project's OWNER sets its policy on the project page. A real LOCAL job (flite
// speech saying a phone number) runs in the in-process job runner.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const TEST_TIMEOUT_MS = 300_000;
const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/webAppRedaction');

describeInChromium('web app redaction in Chromium', suite);

function suite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  const page = () => web.page;

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-redaction-'));
    speech = await makeSpeechFixture(['hello this is a short test message', 'please call me at five five five one two one two'], path.join(dir, 'call.wav'), {
      voice: 'rms',
    });
    t = await createTestApp({}, { runner: true });
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

  it(
    'submits a job with redaction, shows it redacted or original, downloads it redacted; an OWNER sets the project policy',
    async () => {
      const user = await registerUser(t);
      await signIn(page(), base, { login: user.username, password: user.password });
      await page().goto(`${base}/admin/myJobs/create`);
      const filename = `call-${Date.now().toString(36)}.wav`;
      await page().getByTestId('file-input').setInputFiles({ name: filename, mimeType: 'audio/wav', buffer: await readFile(speech.wavPath) });
      await page().getByTestId('upload-item').getByText(filename).waitFor();
      await page().getByLabel('Engines, in order').click();
      await page().getByRole('option', { name: /Local engine/ }).click();
      await page().keyboard.press('Escape');
      await page().getByLabel('Phone numbers').check();
      await page().getByLabel('Card numbers').check();
      await web.shots('01-new-job', SHOTS);
      await page().getByRole('button', { name: 'Transcribe' }).click();
      await page().waitForURL(/\/admin\/myJobs$/, { timeout: UI_TIMEOUT_MS });

      const job = await waitFor(
        'the job to complete',
        async () => {
          const row = await t.deps.db.job.findFirst({ where: { filename }, select: { id: true, status: true, redact: true } });
          return row && ['COMPLETED', 'FAILED'].includes(row.status) ? row : null;
        },
        240_000,
      );
      expect(job).toMatchObject({ status: 'COMPLETED', redact: ['PHONE', 'CARD_NUMBER'] });

      await page().goto(`${base}/admin/myJobs/${encodeURIComponent(job.id)}/show`);
      const bar = page().getByTestId('redaction-bar');
      await bar.waitFor({ timeout: UI_TIMEOUT_MS });
      await page().getByTestId('transcript').getByText(/five five five/).first().waitFor();
      await bar.getByRole('button', { name: 'Redacted', exact: true }).click();
      const redacted = page().getByTestId('redacted-transcript');
      await redacted.getByText('please call me at [PHONE]').waitFor();
      expect(await redacted.textContent()).not.toMatch(/five five five|one two one two/);
      await web.shots('02-redacted', SHOTS);

      const [download] = await Promise.all([page().waitForEvent('download'), bar.getByRole('button', { name: 'Download redacted TXT' }).click()]);
      const text = await readFile((await download.path())!, 'utf8');
      expect(text).toContain('[PHONE]');
      expect(text).not.toMatch(/five five five/);

      await bar.getByRole('button', { name: 'Original', exact: true }).click();
      await page().getByTestId('transcript').getByText(/five five five/).first().waitFor();

      const created = await t.gql(`mutation { createProject(input: { name: "calls" }) { id } }`, {}, { token: user.accessToken });
      const projectId = created.data!.createProject.id as string;
      await page().goto(`${base}/admin/projects/${encodeURIComponent(projectId)}/show/redaction`);
      const policy = page().getByTestId('project-redaction');
      await policy.waitFor({ timeout: UI_TIMEOUT_MS });
      await policy.getByLabel('Phone numbers').check();
      await policy.getByLabel('Mandatory for everyone but OWNERs').check();
      await web.shots('03-policy', SHOTS);
      await policy.getByRole('button', { name: 'Save policy' }).click();
      await page().getByText('Redaction policy saved.').waitFor({ timeout: UI_TIMEOUT_MS });
      expect(await t.deps.db.project.findUniqueOrThrow({ where: { id: projectId } })).toMatchObject({ redact: ['PHONE'], redactionMandatory: true });
    },
    TEST_TIMEOUT_MS,
  );
}
