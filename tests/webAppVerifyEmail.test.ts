// Email verification and the registration policy in the web app, in headless Chromium against the real
// build and server: sign up (a refused domain shows the policy's reason), the "verify your email" notice
// with its resend button, the link from the real mail (SMTP on loopback) opened in a new tab, and the
// account verified. Sign-up is hidden when REGISTRATION=closed. Screenshots go to tests/output/verify-email/.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { startSmtpMailbox, type SmtpMailbox } from './helpers/smtpMailbox.ts';
import { createTestApp, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/verify-email');
const TEST_TIMEOUT_MS = 240_000;

describeInChromium('email verification in Chromium', suite);

function suite() {
  const web = webAppBrowser();
  let mailbox: SmtpMailbox;
  let t: TestApp;
  let base: string;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });
  const messagesTo = (address: string) => mailbox.messages.filter((message) => message.to.includes(address));
  const linkIn = (text: string) => /(\S+\/admin\/verify-email#token=vfy_[A-Za-z0-9_-]+)/.exec(text)![1];

  beforeAll(async () => {
    assertWebAppBuilt();
    mailbox = await startSmtpMailbox();
    t = await createTestApp({ SMTP_URL: mailbox.url(), REQUIRE_EMAIL_VERIFICATION: 'true', REGISTRATION_DOMAINS: 'example.com' });
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
    'signs up, is asked to verify, resends the link, opens it from the mail and sees the account verified',
    async () => {
      await page().goto(`${base}/admin/login`);
      await page().getByRole('tab', { name: 'Sign up' }).click();
      await poll(() => page().getByTestId('signup-policy').textContent()).toContain('Addresses at example.com only.');

      // A refused domain: the policy's reason is shown, and nothing is created.
      await page().locator('input[name="signup-username"]').fill('grace');
      await page().locator('input[name="signup-email"]').fill('grace@elsewhere.test');
      await page().locator('input[name="signup-password"]').fill('a long enough password');
      await page().getByRole('button', { name: 'Create account' }).click();
      await poll(() => page().getByTestId('login-error').textContent()).toContain('Registration is limited to addresses at example.com.');
      expect(await t.deps.db.user.count({ where: { username: 'grace' } })).toBe(0);

      await page().locator('input[name="signup-email"]').fill('grace@example.com');
      await page().getByRole('button', { name: 'Create account' }).click();
      await page().waitForURL((url) => !url.pathname.endsWith('/login'), { timeout: UI_TIMEOUT_MS });
      const banner = page().getByTestId('verify-email-banner');
      await poll(() => banner.textContent()).toContain('Please verify your email address: open the link we sent to grace@example.com.');
      expect(await banner.textContent()).toContain('Until then you cannot submit jobs');
      await web.shots('verify-banner', SHOTS);
      const first = linkIn((await waitFor('the first link', async () => messagesTo('grace@example.com')[0], 15_000, 50)).text);
      expect(first.startsWith(`${base}/admin/verify-email#token=`)).toBe(true);

      await banner.getByRole('button', { name: 'Resend link' }).click();
      await poll(() => banner.textContent()).toContain('A new link is on its way to grace@example.com');
      const second = linkIn((await waitFor('the second link', async () => messagesTo('grace@example.com')[1], 15_000, 50)).text);

      // The replaced link, opened in a new tab (not signed in there): refused with an explanation.
      const old = await web.context.newPage();
      await old.goto(first);
      await poll(() => old.getByTestId('verify-email').getAttribute('data-state')).toBe('refused');
      expect(await old.getByTestId('verify-email').textContent()).toContain('This link is not valid');
      await old.close();

      // The latest link: verified; the token leaves the address bar.
      const fresh = await web.context.newPage();
      await fresh.goto(second);
      await poll(() => fresh.getByTestId('verify-email').getAttribute('data-state')).toBe('verified');
      expect(await fresh.getByTestId('verify-email').textContent()).toContain('grace@example.com is confirmed as your address.');
      expect(fresh.url()).toBe(`${base}/admin/verify-email`);
      await fresh.screenshot({ path: path.join(SHOTS, 'verified-desktop.png'), fullPage: true });
      await fresh.close();

      const user = await t.deps.db.user.findUniqueOrThrow({ where: { username: 'grace' } });
      expect(user.emailVerifiedAt).not.toBeNull();

      // Back in the signed-in tab: the notice is gone.
      await page().reload();
      await poll(() => page().getByText('My jobs').count()).toBeGreaterThan(0);
      await page().waitForLoadState('networkidle');
      expect(await banner.count()).toBe(0);

      const logs = t.logs.join('');
      for (const link of [first, second]) expect(logs).not.toContain(link.split('#token=')[1]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'hides sign-up when REGISTRATION=closed',
    async () => {
      const closed = await createTestApp({ REGISTRATION: 'closed' });
      try {
        const closedBase = await closed.listen();
        await page().goto(`${closedBase}/admin/login`);
        await poll(() => page().getByRole('button', { name: 'Sign in', exact: true }).count()).toBe(1);
        // The policy arrives after the first render: wait until the sign-up tab is gone.
        await poll(() => page().getByRole('tab', { name: 'Sign up' }).count()).toBe(0);
        expect(await page().getByRole('tab', { name: 'Sign in' }).count()).toBe(1);
      } finally {
        await closed.close();
      }
    },
    TEST_TIMEOUT_MS,
  );
}
