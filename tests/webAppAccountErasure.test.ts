// Deleting an account in the web app, in headless Chromium against the real build and server: the
// account page's "Delete account" tab refuses a wrong password, then deletes the account and signs
// out; an admin deletes another user from the user's page after a confirmation. Screenshots go to
// tests/output/account-erasure/.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/account-erasure');
const TEST_TIMEOUT_MS = 180_000;

describeInChromium('account erasure in Chromium', suite);

function suite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });

  beforeAll(async () => {
    assertWebAppBuilt();
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
  });

  it(
    'deletes the signed-in account from the account page and signs out',
    async () => {
      const user = await registerUser(t, { password: 'a passphrase to erase' });
      await signIn(page(), base, { login: user.username, password: user.password });
      await page().goto(`${base}/admin/account/delete`);
      await page().locator('input[name="delete-password"]').fill('not the password at all');
      await page().getByRole('button', { name: 'Delete my account' }).click();
      await poll(() => page().getByTestId('delete-account-error').textContent()).toContain('The password is not correct.');
      expect(await t.deps.db.user.count({ where: { id: user.id } })).toBe(1);
      await web.shots('refused', SHOTS);

      await page().locator('input[name="delete-password"]').fill(user.password);
      await page().getByRole('button', { name: 'Delete my account' }).click();
      await page().waitForURL((url) => url.pathname.endsWith('/admin/login'), { timeout: UI_TIMEOUT_MS });
      await waitFor('the account to be gone', async () => (await t.deps.db.user.count({ where: { id: user.id } })) === 0, 30_000);
      // Signing in again no longer works.
      await signIn(page(), base, { login: user.username, password: user.password }, { waitForApp: false });
      await poll(() => page().getByTestId('login-error').textContent()).toContain('Invalid login or password.');
      expect(t.logs.join('')).not.toContain(user.password);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "lets an admin delete a user from the user's page after a confirmation",
    async () => {
      const admin = await registerUser(t);
      await makeAdmin(t, admin.id);
      const target = await registerUser(t);
      await signIn(page(), base, { login: admin.username, password: admin.password });
      await page().goto(`${base}/admin/users/${target.id}/show`);
      await page().getByRole('button', { name: 'Delete user' }).click();
      await poll(() => page().getByText(`Delete ${target.username} for good?`).count()).toBeGreaterThan(0);
      await web.shots('confirm', SHOTS);
      await page().getByRole('dialog').getByRole('button', { name: 'Delete user' }).click();
      await page().waitForURL((url) => url.pathname.endsWith('/admin/users'), { timeout: UI_TIMEOUT_MS });
      expect(await t.deps.db.user.count({ where: { id: target.id } })).toBe(0);
      const entry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: 'user.deleted' }, orderBy: { seq: 'desc' } });
      expect(entry.actorId).toBe(admin.id);
    },
    TEST_TIMEOUT_MS,
  );
}
