// What operators found missing in the console, end to end in headless Chromium against the real build
// and server: the dashboard stays live without a reload and charts failures, queue depth and worker
// health; the users screens offer only what can be done; the usage tables show every column; and the
// review player plays when the app is opened on another host name than PUBLIC_URL. Screenshots go to
// tests/output/operators/ for a person to look at.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { newId } from '../server/ids.ts';
import { parseWav } from '../server/providers/local/wav.ts';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile } from './helpers/jobs.ts';
import { recordPrompt, waitForRecording } from './helpers/recital.ts';
import { makeSpeechFixture, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/operators');
const TEST_TIMEOUT_MS = 300_000;
const PROMPT = 'please call me tomorrow morning';

describeInChromium('operator fixes in Chromium', operatorsSuite);

function operatorsSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  /** Where the browser opens the app: 127.0.0.1, while PUBLIC_URL names localhost. */
  let base: string;
  let dir: string;
  let speech: SpeechFixture;
  let reading: SpeechFixture;
  const runners: JobRunner[] = [];
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-operators-'));
    speech = await makeSpeechFixture(['the weather is nice today'], path.join(dir, 'speech.wav'), { voice: 'rms' });
    reading = await makeSpeechFixture([PROMPT], path.join(dir, 'prompt.wav'), { voice: 'rms', leadSeconds: 0.5, tailSeconds: 0.5 });
    t = await createTestApp({ CHUNK_SECONDS: '3' });
    base = await t.listen();
    const { hostname, port } = new URL(base);
    expect(hostname).toBe('127.0.0.1');
    // The server's configured address is another host name than the one the app is opened on.
    t.deps.env.publicUrl = `http://localhost:${port}`;
    await web.launch();
  }, 300_000);

  beforeEach(async () => {
    await web.open();
  });

  afterEach(async () => {
    while (runners.length) await runners.pop()!.stop();
    await web.finish();
  });

  afterAll(async () => {
    await web.close();
    while (runners.length) await runners.pop()!.stop();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function startRunner(): Promise<JobRunner> {
    const runner = await startJobRunner({ connectionString: t.databaseUrl, concurrency: 1, deps: t.deps, pollInterval: 100 });
    runners.push(runner);
    return runner;
  }

  async function signInAsNewAdmin() {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    await signIn(page(), base, { login: admin.username, password: admin.password });
    await page().getByText('Jobs across all users').waitFor();
    return admin;
  }

  const statOf = async (testId: string) => Number(await page().getByTestId(testId).textContent());

  it('keeps the dashboard live without a reload, and charts failures, queue depth and worker health', async () => {
    await signInAsNewAdmin();
    await page().getByTestId('stat-total').waitFor();
    const total = await statOf('stat-total');
    const queued = await statOf('stat-queued');
    const firstUpdate = await page().getByTestId('dashboard-updated').textContent();
    expect(firstUpdate).toMatch(/^Updated /);
    await page().evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    // A job arrives (no runner yet: it waits in the queue), and one failed an hour ago.
    const user = await registerUser(t);
    const submitted = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL' }, { filename: 'arrival.wav' });
    expect(submitted.errors).toBeUndefined();
    const hourAgo = new Date(Date.now() - 3_600_000);
    await t.deps.db.job.create({
      data: { id: newId('Job'), ownerId: user.id, provider: 'LOCAL', status: 'FAILED', error: 'test', createdAt: hourAgo, startedAt: hourAgo, completedAt: new Date(hourAgo.getTime() + 60_000) },
    });
    await poll(() => statOf('stat-total')).toBe(total + 2);
    await poll(() => statOf('stat-queued')).toBe(queued + 1);
    expect(await page().evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    expect(await page().getByTestId('dashboard-updated').textContent()).toMatch(/^Updated /);

    // The charts: a failure bar, the queue area, the busy-workers area.
    await page().getByTestId('chart-failures').locator('.recharts-bar-rectangle').first().waitFor();
    await page().getByTestId('chart-queue').locator('.recharts-area').first().waitFor();
    await page().getByTestId('chart-workers').locator('.recharts-area').first().waitFor();

    // A job runner starts: the dashboard shows it alive and the job leaves the queue, still without a reload.
    await startRunner();
    await page().getByTestId('job-runners').getByText('alive · 1 worker').waitFor();
    await poll(() => statOf('stat-queued')).toBe(queued);
    await web.shots('dashboard', SHOTS);

    // Another range: days instead of hours.
    await page().getByLabel('Charts over').click();
    await page().getByRole('option', { name: 'Last 30 days' }).click();
    await page().getByText('Per UTC day').waitFor();
    await page().getByTestId('chart-failures').locator('.recharts-bar-rectangle').first().waitFor();
    expect(await page().evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('offers an admin deleting other users behind a confirmation, never deactivating, demoting or deleting themselves', async () => {
    const admin = await signInAsNewAdmin();
    const other = await registerUser(t);
    await page().goto(`${base}/admin/users/${admin.id}/show`);
    await page().getByText(admin.email, { exact: true }).waitFor();
    await page().getByRole('link', { name: 'Edit' }).waitFor();
    expect(await page().getByRole('button', { name: 'Deactivate' }).count()).toBe(0);
    expect(await page().getByRole('button', { name: 'Delete user' }).count()).toBe(0);
    await page().goto(`${base}/admin/users/${admin.id}/edit`);
    await page().getByText('This is you').waitFor();
    expect(await page().getByRole('button', { name: 'Delete' }).count()).toBe(0);
    expect(await page().getByLabel('Role').count()).toBe(0);
    expect(await page().getByLabel(/^Active/).count()).toBe(0);
    await web.shots('user-self-edit', SHOTS);

    // Another user: deactivating and the role are offered; erasing them only from the show page, after a confirmation.
    await page().goto(`${base}/admin/users/${other.id}/edit`);
    await page().getByLabel('Role').waitFor();
    expect(await page().getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await page().goto(`${base}/admin/users/${other.id}/show`);
    await page().getByRole('button', { name: 'Deactivate' }).waitFor();
    await page().getByRole('button', { name: 'Delete user' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    await page().getByRole('dialog').waitFor({ state: 'detached' });
    expect(await t.deps.db.user.count({ where: { id: other.id } })).toBe(1);
    await page().getByRole('button', { name: 'Delete user' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Delete user' }).click();
    await page().waitForURL(/\/admin\/users$/, { timeout: UI_TIMEOUT_MS });
    expect(await t.deps.db.user.count({ where: { id: other.id } })).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('shows every column of the usage tables at 1440 px', async () => {
    await page().setViewportSize({ width: 1440, height: 900 });
    await signInAsNewAdmin();
    // A user with a long name and a costly engine: the widest rows these tables get.
    const wordy = await registerUser(t, { username: `a-rather-long-user-name-${process.pid}`.slice(0, 32) });
    await t.deps.db.usageRecord.create({
      data: { id: newId('UsageRecord'), userId: wordy.id, provider: 'DEEPGRAM', audioSeconds: 123_456.7, costUsd: 1234.5678 },
    });
    await page().goto(`${base}/admin/usage`);
    for (const table of ['usage-by-provider', 'usage-by-user', 'usage-by-project']) {
      const costHeader = page().getByTestId(table).getByRole('columnheader', { name: 'Cost' });
      await costHeader.waitFor();
      const fits = await costHeader.evaluate((cell) => {
        const card = cell.closest('.MuiCard-root')!.getBoundingClientRect();
        const box = cell.getBoundingClientRect();
        return box.right <= card.right && box.left >= card.left && box.right <= window.innerWidth;
      });
      expect(fits, `${table}: the Cost column lies inside its card and the window`).toBe(true);
    }
    await page().getByTestId('usage-by-user').getByText('$1,234.5678').first().waitFor();
    await web.shot('usage-1440', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('plays a recording in the review queue when the app is opened on another host name than PUBLIC_URL', async () => {
    const admin = await signInAsNewAdmin();
    const owner = await registerUser(t);
    const created = await t.gql(`mutation { createProject(input: { name: "Player check" }) { id } }`, {}, { token: owner.accessToken });
    const projectId = created.data!.createProject.id as string;
    const added = await t.gql(`mutation ($p: ID!, $texts: [String!]!) { addPrompts(projectId: $p, texts: $texts) { id } }`, { p: projectId, texts: [PROMPT] }, {
      token: owner.accessToken,
    });
    const promptId = added.data!.addPrompts[0].id as string;
    await startRunner();
    const pcm = parseWav(await readFile(reading.wavPath)).data;
    const recordingId = await waitForRecording(t, await recordPrompt(t, owner.accessToken, { projectId, promptId }, pcm));
    await t.deps.db.projectMember.create({ data: { projectId, userId: admin.id, role: 'REVIEWER' } });

    await page().goto(`${base}/admin/projects/${projectId}/show/review`);
    const card = page().locator(`[data-recording-id="${recordingId}"]`);
    const audio = card.getByTestId('recording-audio');
    await audio.waitFor();
    // A link relative to the page's own origin (127.0.0.1), not PUBLIC_URL's localhost.
    expect(await audio.getAttribute('src')).toMatch(/^\/sessions\/.+\/audio\/light\?expires=\d+&signature=/);
    const played = await audio.evaluate(async (element: HTMLAudioElement) => {
      element.muted = true;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`still at ${element.currentTime} s`)), 60_000);
        element.addEventListener('timeupdate', () => {
          if (element.currentTime > 0.3) {
            clearTimeout(timer);
            resolve();
          }
        });
        element.addEventListener('error', () => reject(new Error(`media error ${element.error?.code}: ${element.error?.message}`)), { once: true });
        element.play().catch(reject);
      });
      element.pause();
      return { duration: element.duration, origin: new URL(element.currentSrc).origin, page: window.location.origin };
    });
    expect(played.duration).toBeGreaterThan(0);
    expect(played.origin).toBe(played.page);
    expect(new URL(played.page).hostname).toBe('127.0.0.1');
  }, TEST_TIMEOUT_MS);
}
