// Passwords in the web app, in headless Chromium against the real build and server: "Forgot password?"
// on the login page asks for a link, the link from the real mail (SMTP on loopback, sent by the worker)
// opens the reset page, which refuses a breached password and two different ones, sets the new one, and
// signing in with it works; then "Change password" on the account page keeps the tab signed in while
// another session ends. Screenshots go to tests/output/password-reset/.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, signIn, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { startSmtpMailbox, type SmtpMailbox } from './helpers/smtpMailbox.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/password-reset');
const TEST_TIMEOUT_MS = 240_000;

describeInChromium('passwords in Chromium', suite);

function suite() {
  const web = webAppBrowser();
  let mailbox: SmtpMailbox;
  let t: TestApp;
  let base: string;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });
  const resetMessagesTo = (address: string) =>
    mailbox.messages.filter((message) => message.to.includes(address) && /reset your parlance password/i.test(message.headers.subject ?? ''));
  const linkIn = (text: string) => /(\S+\/admin\/reset-password#token=rpw_[A-Za-z0-9_-]+)/.exec(text)![1];

  beforeAll(async () => {
    assertWebAppBuilt();
    mailbox = await startSmtpMailbox();
    t = await createTestApp({ SMTP_URL: mailbox.url() }, { runner: true });
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
    await mailbox?.close();
  });

  it(
    'asks for a link from the login page, sets a new password from the mailed link and signs in with it',
    async () => {
      const user = await registerUser(t, { email: 'hedy@example.com', password: 'an old forgotten passphrase' });
      const newPassword = 'frequency hopping since 1942';

      await page().goto(`${base}/admin/login`);
      await page().getByRole('link', { name: 'Forgot password?' }).click();
      await page().waitForURL((url) => url.pathname.endsWith('/admin/forgot-password'), { timeout: UI_TIMEOUT_MS });
      await page().locator('input[name="reset-email"]').fill('hedy@example.com');
      await page().getByRole('button', { name: 'Send the link' }).click();
      await poll(() => page().getByTestId('reset-requested').textContent()).toContain('If an account has the address hedy@example.com');
      await web.shots('requested', SHOTS);

      const link = linkIn((await waitFor('the reset mail', async () => resetMessagesTo('hedy@example.com')[0], 30_000, 50)).text);
      expect(link.startsWith(`${base}/admin/reset-password#token=`)).toBe(true);

      // Opened in a fresh tab, as from a mail client; the token leaves the address bar at once.
      const reset = await web.context.newPage();
      await reset.goto(link);
      await reset.waitForURL(`${base}/admin/reset-password`, { timeout: UI_TIMEOUT_MS });
      const fields = { password: reset.locator('input[name="new-password"]'), repeat: reset.locator('input[name="repeat-password"]') };
      const submit = reset.getByRole('button', { name: 'Set the new password' });

      await fields.password.fill('password1234');
      await fields.repeat.fill('password1234');
      await submit.click();
      await poll(() => reset.getByTestId('password-error').textContent()).toContain('appears in lists of breached passwords');

      await fields.password.fill(newPassword);
      await fields.repeat.fill(`${newPassword}!`);
      await submit.click();
      await poll(() => reset.getByTestId('password-error').textContent()).toContain('The two passwords are not the same.');

      await fields.repeat.fill(newPassword);
      await submit.click();
      await poll(() => reset.getByTestId('password-reset-done').textContent()).toContain('Your password has been changed');
      await reset.screenshot({ path: path.join(SHOTS, 'done-desktop.png'), fullPage: true });
      await reset.getByRole('link', { name: 'Sign in' }).click();
      await reset.waitForURL((url) => url.pathname.endsWith('/admin/login'), { timeout: UI_TIMEOUT_MS });
      await reset.close();

      // The old password is refused; the new one signs in.
      await signIn(page(), base, { login: user.username, password: 'an old forgotten passphrase' }, { waitForApp: false });
      await poll(() => page().getByTestId('login-error').textContent()).toContain('Invalid login or password.');
      await signIn(page(), base, { login: user.username, password: newPassword });
      await poll(() => page().getByText('My jobs').count()).toBeGreaterThan(0);

      // The link worked once.
      const again = await web.context.newPage();
      await again.goto(link);
      await again.locator('input[name="new-password"]').fill('another passphrase again');
      await again.locator('input[name="repeat-password"]').fill('another passphrase again');
      await again.getByRole('button', { name: 'Set the new password' }).click();
      await poll(() => again.getByTestId('password-reset-refused').textContent()).toContain('This link has already been used');
      await again.close();

      const logs = t.logs.join('');
      expect(logs).not.toContain(link.split('#token=')[1]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'changes the password on the account page, staying signed in while the other session ends',
    async () => {
      const user = await registerUser(t, { email: 'ada@example.com', password: 'an analytical engine' });
      const other = await t.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`, {
        input: { login: user.username, password: user.password },
      });
      const newPassword = 'notes on the engine by ada';

      await signIn(page(), base, { login: user.username, password: user.password });
      await page().goto(`${base}/admin/account/password`);
      await page().locator('input[name="current-password"]').fill('not the password at all');
      await page().locator('input[name="new-password"]').fill(newPassword);
      await page().locator('input[name="repeat-password"]').fill(newPassword);
      await page().getByRole('button', { name: 'Change password' }).click();
      await poll(() => page().getByTestId('change-password-error').textContent()).toContain('The current password is not right.');

      await page().locator('input[name="current-password"]').fill(user.password);
      await page().getByRole('button', { name: 'Change password' }).click();
      await poll(() => page().getByTestId('change-password-done').textContent()).toContain('Your password has been changed');
      await web.shots('changed', SHOTS);

      // This tab goes on with the tokens changePassword returned (after a reload too)...
      await page().reload();
      await poll(() => page().getByRole('tab', { name: 'Password' }).count()).toBeGreaterThan(0);
      expect(page().url()).toBe(`${base}/admin/account/password`);
      // ...while the other session is over.
      const refreshed = await t.gql(`mutation ($token: String!) { refreshSession(refreshToken: $token) { accessToken } }`, {
        token: other.data!.login.refreshToken,
      });
      expect(refreshed.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      const login = await t.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, {
        input: { login: user.username, password: newPassword },
      });
      expect(login.errors).toBeUndefined();
    },
    TEST_TIMEOUT_MS,
  );
}
