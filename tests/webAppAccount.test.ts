// The account pages of every signed-in user, end to end in headless Chromium against the real build
// and server: usage and quota, API keys (the secret shown once, then usable, then revoked), provider
// keys (never shown back) and webhooks (the signing secret shown once). Screenshots go to
// tests/output/account/ for a person to look at.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { submitFile } from './helpers/jobs.ts';
import { makeSpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/account');
const TEST_TIMEOUT_MS = 240_000;

describeInChromium('account pages in Chromium', accountSuite);

function accountSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let dir: string;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });
  /** Everything the page holds: its text, its markup and its storage. */
  const everythingOnPage = () =>
    page().evaluate(
      () => `${document.documentElement.outerHTML}\n${JSON.stringify({ ...sessionStorage })}\n${JSON.stringify({ ...localStorage })}`,
    );

  beforeAll(async () => {
    assertWebAppBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-account-'));
    t = await createTestApp({ WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
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

  /** A new USER (not an admin), signed in to this test's page. */
  async function signInAsNewUser() {
    const user = await registerUser(t);
    await signIn(page(), base, { login: user.username, password: user.password });
    await page().waitForURL(/\/admin\/myJobs/);
    return user;
  }

  const graphql = (credential: string, query: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ query }),
    });

  it('shows the user their quota and usage', async () => {
    const user = await signInAsNewUser();
    await t.deps.db.user.update({ where: { id: user.id }, data: { monthlyAudioMinutes: 120 } });
    await page().getByRole('menuitem', { name: 'Account' }).click();
    await page().waitForURL(/\/admin\/account\/usage$/);
    await page().getByTestId('my-quota').getByText('120 minutes').waitFor();
    await page().getByTestId('my-usage-chart').locator('.recharts-surface').first().waitFor();
    await page().getByTestId('my-usage-by-provider').waitFor();
    await web.shots('usage', SHOTS);
  }, TEST_TIMEOUT_MS);

  it('creates an API key, shows it once, and it works until revoked', async () => {
    const user = await signInAsNewUser();
    await page().goto(`${base}/admin/account/api-keys`);
    await page().getByText('No API keys yet.').waitFor();
    await page().getByLabel('Name').fill('laptop script');
    await page().getByRole('button', { name: 'Create key' }).click();
    const shown = page().getByTestId('secret-once');
    await shown.waitFor();
    const secret = (await shown.textContent())!.trim();
    expect(secret).toMatch(/^prl_/);
    await web.shots('api-key-created', SHOTS);
    await page().getByRole('button', { name: 'I have copied it' }).click();
    const row = page().getByTestId('api-key-row').filter({ hasText: 'laptop script' });
    await row.getByText('active').waitFor();
    // Shown once: gone from the page, and not there after a reload either.
    await poll(async () => (await everythingOnPage()).includes(secret)).toBe(false);
    await page().reload();
    await row.waitFor();
    expect(await everythingOnPage()).not.toContain(secret);
    await web.shots('api-keys', SHOTS);

    // Used as curl would: the key is the user.
    const me = (await (await graphql(secret, '{ me { username } }')).json()) as { data: { me: { username: string } } };
    expect(me.data.me.username).toBe(user.username);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await row.getByText('revoked').waitFor();
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    const refused = await graphql(secret, '{ me { username } }');
    expect(refused.status).toBe(401);
    const stored = await t.deps.db.apiKey.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.revokedAt).not.toBeNull();
  }, TEST_TIMEOUT_MS);

  it('sets a provider key that is never shown back, only as set, and deletes it', async () => {
    const user = await signInAsNewUser();
    await page().goto(`${base}/admin/account/provider-keys`);
    const openai = page().getByTestId('provider-OPENAI');
    await openai.getByText('not set').waitFor();
    const secret = `sk-test-${Date.now().toString(36)}-visible-nowhere`;
    await openai.getByLabel('OPENAI secret key').fill(secret);
    await openai.getByRole('button', { name: 'Save' }).click();
    await openai.getByText('set', { exact: true }).waitFor();
    await openai.getByTestId('provider-key-row').filter({ hasText: 'default' }).waitFor();
    expect(await openai.getByLabel('OPENAI secret key').inputValue()).toBe('');
    expect(await everythingOnPage()).not.toContain(secret);
    expect(await everythingOnPage()).not.toContain(secret.slice(-4));
    await page().reload();
    await openai.getByText('set', { exact: true }).waitFor();
    expect(await everythingOnPage()).not.toContain(secret);
    await web.shots('provider-keys', SHOTS);
    const stored = await t.deps.db.providerKey.findFirstOrThrow({ where: { userId: user.id, provider: 'OPENAI' } });
    expect(stored.last4).toBe(secret.slice(-4));

    await openai.getByRole('button', { name: 'Delete' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await openai.getByText('not set').waitFor();
    expect(await t.deps.db.providerKey.count({ where: { userId: user.id } })).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('creates a webhook, shows its signing secret once, and deletes it', async () => {
    const user = await signInAsNewUser();
    await page().goto(`${base}/admin/account/webhooks`);
    await page().getByText('No webhooks yet.').waitFor();
    const url = `http://127.0.0.1:9/hooks/${user.username}`;
    await page().getByLabel('URL').fill(url);
    await page().getByRole('button', { name: 'Add webhook' }).click();
    const shown = page().getByTestId('secret-once');
    await shown.waitFor();
    const secret = (await shown.textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await page().getByRole('button', { name: 'I have copied it' }).click();
    const card = page().getByTestId('webhook-row').filter({ hasText: url });
    await card.getByText('enabled').waitFor();
    await card.getByText('job.completed, job.failed').waitFor();
    await poll(async () => (await everythingOnPage()).includes(secret)).toBe(false);
    await web.shots('webhooks', SHOTS);
    const stored = await t.deps.db.webhookEndpoint.findFirstOrThrow({ where: { ownerId: user.id } });
    expect(stored.url).toBe(url);

    await card.getByRole('button', { name: 'Delete' }).click();
    await page().getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page().getByText('No webhooks yet.').waitFor();
    expect(await t.deps.db.webhookEndpoint.count({ where: { ownerId: user.id } })).toBe(0);
  }, TEST_TIMEOUT_MS);

  /** A user with one of everything (a job, an API key, a provider key, a webhook, a project with a prompt), each named with `tag`. */
  async function userWithEverything(tag: string, speechPath: string) {
    const user = await registerUser(t, { username: `${tag}user${process.pid}` });
    const as = { token: user.accessToken };
    const job = await submitFile(t, user.accessToken, speechPath, { provider: 'LOCAL' }, { filename: `${tag}-recording-${process.pid}.wav` });
    const key = await t.gql(`mutation ($n: String!) { createApiKey(input: { name: $n, scopes: [READ] }) { apiKey { id } } }`, { n: `${tag}-key` }, as);
    const providerKey = await t.gql(
      `mutation ($n: String!) { setProviderKey(input: { provider: OPENAI, name: $n, secret: "sk-${tag}-secret-value" }) { id } }`,
      { n: `${tag}-openai` },
      as,
    );
    const hook = await t.gql(
      `mutation ($u: String!) { createWebhook(input: { url: $u, events: ["job.completed"] }) { webhook { id } } }`,
      { u: `http://127.0.0.1:9/${tag}-hook` },
      as,
    );
    const project = await t.gql(`mutation ($n: String!) { createProject(input: { name: $n }) { id } }`, { n: `${tag} project ${process.pid}` }, as);
    const projectId = project.data!.createProject.id as string;
    await t.gql(`mutation ($p: ID!, $x: [String!]!) { addPrompts(projectId: $p, texts: $x) { id } }`, { p: projectId, x: [`${tag} prompt words`] }, as);
    const ids = {
      user: user.id,
      job: job.data!.createTranscriptionJob.id as string,
      key: key.data!.createApiKey.apiKey.id as string,
      providerKey: providerKey.data!.setProviderKey.id as string,
      hook: hook.data!.createWebhook.webhook.id as string,
      project: projectId,
    };
    return { user, ids, markers: [tag, user.username, user.email, ...Object.values(ids)] };
  }

  it("shows a user no other user's data on any screen, also at direct addresses", async () => {
    const speech = await makeSpeechFixture(['thank you for your help'], path.join(dir, 'speech.wav'), { voice: 'rms' });
    const alice = await userWithEverything('alphonse', speech.wavPath);
    const bob = await userWithEverything('bertrand', speech.wavPath);

    // Everything the app is told, over HTTP and its WebSocket.
    const answers: string[] = [];
    page().on('response', async (response) => {
      if (response.url().includes('/graphql')) answers.push(await response.text().catch(() => ''));
    });
    page().on('websocket', (socket) => socket.on('framereceived', (frame) => answers.push(String(frame.payload))));

    await page().goto(`${base}/admin/login`);
    await page().locator('input[name="username"]').fill(bob.user.username);
    await page().locator('input[name="password"]').fill(bob.user.password);
    await page().getByRole('button', { name: 'Sign in', exact: true }).click();
    await page().waitForURL(/\/admin\/myJobs/);

    const screens: [string, string | null][] = [
      // [address, a text of Bob's own the screen shows once loaded (null: nothing of his there)]
      ['/myJobs', `bertrand-recording-${process.pid}.wav`],
      [`/myJobs/${bob.ids.job}/show`, `bertrand-recording-${process.pid}.wav`],
      ['/projects', `bertrand project ${process.pid}`],
      [`/projects/${bob.ids.project}/show/prompts`, 'bertrand prompt words'],
      ['/record', `bertrand project ${process.pid}`],
      ['/account/usage', null],
      ['/account/api-keys', 'bertrand-key'],
      ['/account/provider-keys', 'bertrand-openai'],
      ['/account/webhooks', 'bertrand-hook'],
      // Alice's things by their addresses, and admin screens.
      [`/myJobs/${alice.ids.job}/show`, null],
      [`/projects/${alice.ids.project}/show`, null],
      [`/projects/${alice.ids.project}/show/members`, null],
      [`/projects/${alice.ids.project}/show/prompts`, null],
      [`/projects/${alice.ids.project}/show/review`, null],
      [`/projects/${alice.ids.project}/edit`, null],
      [`/record/${alice.ids.project}`, null],
      [`/jobs/${alice.ids.job}/show`, null],
      [`/webhooks/${alice.ids.hook}/show`, null],
      [`/users/${alice.ids.user}/show`, null],
      ['/users', null],
      ['/jobs', null],
      ['/webhooks', null],
      ['/audit', null],
      ['/usage', null],
      ['/', null],
    ];
    for (const [address, own] of screens) {
      await page().goto(`${base}/admin${address}`);
      if (own) await page().getByText(own).first().waitFor();
      await page().waitForLoadState('networkidle');
      const html = await page().content();
      for (const marker of alice.markers) expect(html, `${address} shows ${marker}`).not.toContain(marker);
    }
    for (const marker of alice.markers) expect(answers.filter((answer) => answer.includes(marker)), `the API told Bob ${marker}`).toEqual([]);
    expect(answers.length).toBeGreaterThan(10);
  }, TEST_TIMEOUT_MS);
}
