// Passkeys in the web app, in headless Chromium with a virtual authenticator (CDP WebAuthn): add one on
// the account page, sign out, sign in with the passkey alone; a password sign-in then asks for the
// passkey as its second step ("Use a passkey"); rename and delete it (with the password), after which
// it signs in no more. The app is opened on http://localhost:<port> so the rp id is "localhost".
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './helpers/passkeys.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const TEST_TIMEOUT_MS = 240_000;

describeInChromium('passkeys in the web app', passkeySuite);

function passkeySuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let local: string;
  let authenticator: VirtualAuthenticator;
  const page = () => web.page;

  beforeAll(async () => {
    assertWebAppBuilt();
    t = await createTestApp();
    local = (await t.listen()).replace('127.0.0.1', 'localhost');
    t.deps.env.publicUrl = local;
    await web.launch();
  }, 300_000);
  beforeEach(async () => {
    await web.open();
    authenticator = await addVirtualAuthenticator(web.page);
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
  const rows = () => page().getByTestId('passkey-row');

  it('adds a passkey on the account page, signs in with it alone, uses it as the second step, renames and deletes it', async () => {
    const user = await registerUser(t);
    await signIn(page(), local, { login: user.username, password: user.password });
    await page().goto(`${local}/admin/account/passkeys`);
    await expect.poll(() => page().getByText('No passkeys yet.').count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    await page().locator('input[name="passkey-name"]').fill('Test laptop');
    await page().getByRole('button', { name: 'Add passkey' }).click();
    await rows().first().waitFor({ timeout: UI_TIMEOUT_MS });
    await expect.poll(() => rows().first().innerText(), { timeout: UI_TIMEOUT_MS }).toMatch(/Test laptop[\s\S]*This device only[\s\S]*never/);
    expect(await authenticator.credentials()).toHaveLength(1);
    await web.shots('passkeys', 'tests/output/account');

    // Signed out, the passkey alone signs in: no username typed.
    await signOut(page());
    await page().getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page().waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: UI_TIMEOUT_MS });
    await page().goto(`${local}/admin/account/passkeys`);
    await expect.poll(() => rows().first().innerText(), { timeout: UI_TIMEOUT_MS }).not.toMatch(/never/);
    expect((await t.deps.db.auditEntry.findMany({ where: { actorId: user.id, action: 'passkey.signedIn' } })).length).toBe(1);

    // A password sign-in now asks for the passkey as its second step.
    await signOut(page());
    await signIn(page(), local, { login: user.username, password: user.password }, { waitForApp: false });
    await page().getByTestId('second-factor-step').waitFor({ timeout: UI_TIMEOUT_MS });
    await page().getByRole('button', { name: 'Use a passkey' }).click();
    await page().waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: UI_TIMEOUT_MS });

    // Rename, then delete (the password is asked for).
    await page().goto(`${local}/admin/account/passkeys`);
    await rows().first().getByRole('button', { name: 'Rename' }).click();
    await page().locator('input[name="passkey-new-name"]').fill('Old laptop');
    await page().getByRole('button', { name: 'Rename', exact: true }).last().click();
    await expect.poll(() => rows().first().innerText(), { timeout: UI_TIMEOUT_MS }).toMatch(/Old laptop/);
    await rows().first().getByRole('button', { name: 'Delete' }).click();
    await page().locator('input[name="passkey-delete-password"]').fill('wrong password');
    await page().getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page().getByRole('dialog').getByRole('alert').filter({ hasText: 'not correct' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page().locator('input[name="passkey-delete-password"]').fill(user.password);
    await page().getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page().getByText('No passkeys yet.').count(), { timeout: UI_TIMEOUT_MS }).toBe(1);
    expect(await t.deps.db.passkey.count({ where: { userId: user.id } })).toBe(0);

    // The device still offers it; the server refuses it.
    await signOut(page());
    await page().getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page().getByTestId('passkey-error').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page().getByTestId('passkey-error').innerText()).toMatch(/not accepted/);
    expect(new URL(page().url()).pathname).toMatch(/\/login$/);
  }, TEST_TIMEOUT_MS);
}
