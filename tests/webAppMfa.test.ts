// Two-factor authentication in the web app, in headless Chromium against the real build and server:
// set up TOTP on the account page (secret and otpauth:// URI, a first code, the recovery codes shown
// once), sign out, and sign in again with the password and then a code (TOTP, then a recovery code).
// TOTP codes are computed here from the secret the page showed.
import path from 'node:path';
import { generate } from 'otplib';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/mfa');
const TEST_TIMEOUT_MS = 240_000;

describeInChromium('two-factor authentication in Chromium', mfaSuite);

function mfaSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  const page = () => web.page;

  beforeAll(async () => {
    assertWebAppBuilt();
    t = await createTestApp();
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
  });

  async function signOut(current: Page) {
    await current.getByRole('button', { name: 'Profile' }).click();
    await current.getByRole('menuitem', { name: 'Logout' }).click();
    await current.waitForURL(/\/login/, { timeout: UI_TIMEOUT_MS });
  }

  /** Signs in with the password and stops at the second step. */
  async function passwordStep(current: Page, user: { username: string; password: string }) {
    await signIn(current, base, { login: user.username, password: user.password }, { waitForApp: false });
    await current.getByTestId('second-factor-step').waitFor({ timeout: UI_TIMEOUT_MS });
  }

  async function enterCode(current: Page, code: string) {
    await current.locator('input[name="otp"]').fill(code);
    await current.getByRole('button', { name: 'Verify' }).click();
  }

  const everythingOnPage = () =>
    page().evaluate(() => `${document.documentElement.outerHTML}\n${JSON.stringify({ ...sessionStorage })}\n${JSON.stringify({ ...localStorage })}`);

  it(
    'enrolls on the account page, then signs in with password + TOTP code, and with a recovery code',
    async () => {
      const user = await registerUser(t);
      await signIn(page(), base, { login: user.username, password: user.password });
      await page().goto(`${base}/admin/account/two-factor`);
      const card = page().getByTestId('two-factor-card');
      await expect.poll(() => card.getByTestId('two-factor-status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('off');

      await card.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const secret = ((await card.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
      expect(secret).toMatch(/^[A-Z2-7]{26,}$/);
      const uri = (await card.getByTestId('totp-uri').textContent()) ?? '';
      expect(uri).toMatch(/^otpauth:\/\/totp\/Parlance:/);
      expect(new URL(uri).searchParams.get('secret')).toBe(secret);
      await web.shots('enroll', SHOTS);

      await card.locator('input[name="totp-confirm"]').fill(await generate({ secret }));
      await card.getByRole('button', { name: 'Turn on' }).click();
      const shown = page().getByTestId('recovery-codes');
      await shown.waitFor({ timeout: UI_TIMEOUT_MS });
      const recoveryCodes = (await shown.locator('li').allTextContents()).map((code) => code.trim());
      expect(recoveryCodes).toHaveLength(10);
      await web.shots('recovery-codes', SHOTS);
      await page().getByRole('button', { name: 'I have saved them' }).click();
      await expect.poll(() => card.getByTestId('two-factor-status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('on');
      await expect.poll(() => card.getByTestId('recovery-codes-remaining').textContent(), { timeout: UI_TIMEOUT_MS }).toContain('10 unused');
      // Once the dialog is closed, neither the secret nor a recovery code stays on the page or in its storage.
      const after = await everythingOnPage();
      expect(after).not.toContain(secret);
      for (const code of recoveryCodes) expect(after).not.toContain(code);

      await signOut(page());
      await passwordStep(page(), user);
      await web.shots('second-step', SHOTS);
      const wrong = (await generate({ secret })) === '000000' ? '111111' : '000000';
      await enterCode(page(), wrong);
      await expect.poll(() => page().getByTestId('second-factor-error').textContent(), { timeout: UI_TIMEOUT_MS }).toContain('not valid');

      // The confirming code's time step is spent: forget it, as if the next step had come.
      await t.deps.db.totpCredential.update({ where: { userId: user.id }, data: { lastTimeStep: null } });
      await enterCode(page(), await generate({ secret }));
      await page().waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: UI_TIMEOUT_MS });
      await page().goto(`${base}/admin/account/two-factor`);
      await expect.poll(() => page().getByTestId('two-factor-status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('on');

      await signOut(page());
      await passwordStep(page(), user);
      await enterCode(page(), recoveryCodes[0]!);
      await page().waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: UI_TIMEOUT_MS });
      await page().goto(`${base}/admin/account/two-factor`);
      await expect.poll(() => page().getByTestId('recovery-codes-remaining').textContent(), { timeout: UI_TIMEOUT_MS }).toContain('9 unused');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'turns two-factor off with the password; sign-in then needs no code',
    async () => {
      const user = await registerUser(t);
      await signIn(page(), base, { login: user.username, password: user.password });
      await page().goto(`${base}/admin/account/two-factor`);
      const card = page().getByTestId('two-factor-card');
      await card.getByRole('button', { name: 'Set up an authenticator app' }).click();
      const secret = ((await card.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
      await card.locator('input[name="totp-confirm"]').fill(await generate({ secret }));
      await card.getByRole('button', { name: 'Turn on' }).click();
      await page().getByRole('button', { name: 'I have saved them' }).click();
      await expect.poll(() => card.getByTestId('two-factor-status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('on');

      await card.locator('input[name="totp-password"]').fill(user.password);
      await card.getByRole('button', { name: 'Turn off' }).click();
      await expect.poll(() => card.getByTestId('two-factor-status').textContent(), { timeout: UI_TIMEOUT_MS }).toBe('off');

      await signOut(page());
      await signIn(page(), base, { login: user.username, password: user.password });
      expect(await page().getByTestId('second-factor-step').count()).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );
}
