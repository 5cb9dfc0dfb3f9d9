// The web app for every signed-in user, end to end: the real build served by the real server,
// driven in headless Chromium, jobs run by a real job runner on the LOCAL engine. Screenshots go to
// tests/output/webAppJobs/ for a person to look at.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJobRunner, type JobRunner } from '../jobs/runner.ts';
import { assertWebAppBuilt, CHROMIUM, haveChromium, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/webAppJobs');
const TEST_TIMEOUT_MS = 240_000;

if (!haveChromium) {
  describe('web app jobs in Chromium', () => {
    it.skip(`skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`, () => {});
  });
} else {
  describe('web app jobs in Chromium', webAppJobsSuite);
}

function webAppJobsSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  const runners: JobRunner[] = [];
  let made = 0;
  const unique = (prefix: string) => `${prefix}${process.pid}x${++made}`;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-webapp-jobs-'));
    t = await createTestApp({ CHUNK_SECONDS: '3' });
    base = await t.listen();
    t.deps.env.publicUrl = base;
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
  void startRunner;

  /** Signs up on the login page as a new user; lands on their jobs. */
  async function signUp() {
    const username = unique('una');
    const password = 'a long enough passphrase';
    await page().goto(`${base}/`);
    await page().waitForURL(/\/admin\/login/);
    await page().getByRole('tab', { name: 'Sign up' }).click();
    await page().getByLabel('Username').fill(username);
    await page().getByLabel('Email').fill(`${username}@example.com`);
    await page().getByLabel('Password').fill(password);
    await page().getByRole('button', { name: 'Create account' }).click();
    await page().waitForURL(/\/admin\/myJobs/);
    const user = await t.deps.db.user.findUniqueOrThrow({ where: { username } });
    return { id: user.id, username, password };
  }

  it('signs a new user up from / and shows them only their own screens', async () => {
    const user = await signUp();
    expect(user.id).toMatch(/^usr_/);
    const menu = page().getByRole('menuitem');
    await page().getByRole('menuitem', { name: 'My jobs' }).waitFor();
    const labels = (await menu.allTextContents()).map((label) => label.trim());
    for (const admin of ['Users', 'All jobs', 'Audit log', 'Outbox', 'Dashboard', 'Usage']) expect(labels).not.toContain(admin);
    await web.shots('01-my-jobs-empty', SHOTS);

    // An admin-only screen, opened by its address: a refusal, and no data.
    await page().goto(`${base}/admin/users`);
    await page().getByTestId('not-allowed').waitFor();
    await page().getByText('This screen is for site administrators').waitFor();
    expect(await page().locator('tbody tr').count()).toBe(0);
    await web.shots('02-not-allowed', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('an admin keeps the administration screens beside their own jobs', async () => {
    const admin = await registerUser(t, { username: unique('ada'), email: `${unique('ada')}@example.com` });
    await makeAdmin(t, admin.id);
    await page().goto(`${base}/admin/`);
    await page().locator('input[name="username"]').fill(admin.username);
    await page().locator('input[name="password"]').fill(admin.password);
    await page().getByRole('button', { name: 'Sign in' }).click();
    await page().getByText('Jobs across all users').waitFor();
    for (const label of ['My jobs', 'Users', 'All jobs', 'Projects', 'Audit log', 'Webhooks', 'Outbox', 'Usage']) {
      await page().getByRole('menuitem', { name: label, exact: true }).waitFor();
    }
    await web.shots('03-admin-menu', SHOTS);
  }, TEST_TIMEOUT_MS);
}
