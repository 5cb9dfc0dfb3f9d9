// "Sign in with <issuer>" in real Chromium against the real build and server: the login page offers the
// configured issuer, the click goes through /auth/oidc/<key>/start to oauth2-mock-server's /authorize
// (which redirects back at once) and the callback, and the web app lands signed in as the external user.
// A refusal at the issuer (access_denied) ends on the login page saying so. Screenshots go to
// tests/output/oidc/.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { MutableRedirectUri, MutableToken } from 'oauth2-mock-server';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { assertWebAppBuilt, describeInChromium, UI_TIMEOUT_MS, webAppBrowser } from './helpers/browser.ts';
import { startOidcProvider, type OidcProvider } from './helpers/oidcProvider.ts';
import { createTestApp, type TestApp } from './helpers/testApp.ts';

const root = new URL('..', import.meta.url).pathname;
const SHOTS = path.join(root, 'tests/output/oidc');
const TEST_TIMEOUT_MS = 180_000;

describeInChromium('web sign-in through an external issuer in Chromium', oidcSuite);

function oidcSuite() {
  const web = webAppBrowser();
  let t: TestApp;
  let base: string;
  let idp: OidcProvider;
  const page = () => web.page;
  const poll = <T>(probe: () => T | Promise<T>) => expect.poll(probe, { timeout: UI_TIMEOUT_MS, interval: 100 });

  beforeAll(async () => {
    assertWebAppBuilt();
    idp = await startOidcProvider();
    // A public client (no secret): the code is exchanged with the PKCE verifier alone.
    t = await createTestApp({
      OIDC_ISSUERS: JSON.stringify([
        { issuer: idp.issuer, audience: 'parlance-api', jwksUrl: idp.jwksUrl, clientId: 'parlance-web', displayName: 'Mock IdP', key: 'mock' },
      ]),
    });
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
    await idp?.close();
  });

  const signInButton = () => page().getByRole('link', { name: 'Sign in with Mock IdP' });

  it(
    'signs in as the external user with one click',
    async () => {
      const sub = `sub-${randomBytes(6).toString('hex')}`;
      const username = `lin${randomBytes(3).toString('hex')}`;
      const hook = (token: MutableToken) => {
        if (token.payload.nonce === undefined) return; // the access token signed alongside
        Object.assign(token.payload, { sub, preferred_username: username, email: `${username}@example.org`, email_verified: true });
        idp.service.off('beforeTokenSigning', hook);
      };
      idp.service.on('beforeTokenSigning', hook);

      await page().goto(`${base}/admin/login`);
      await signInButton().waitFor();
      await web.shots('login-with-issuer', SHOTS);
      await signInButton().click();

      await page().waitForURL(/\/admin\/myJobs/, { timeout: UI_TIMEOUT_MS });
      // Signed in as the external user: the session holds them, the app bar names them.
      const stored = await page().evaluate(() => sessionStorage.getItem('parlance.user'));
      expect(JSON.parse(stored!)).toMatchObject({ username, email: `${username}@example.org`, role: 'USER' });
      await poll(() => page().getByText(username, { exact: true }).first().isVisible()).toBe(true);
      // Nothing of the round trip is left in the address or the page.
      expect(page().url()).not.toContain('oidc');
      const users = await t.deps.db.user.findMany({ where: { oidcIssuer: idp.issuer, oidcSubject: sub } });
      expect(users.map((user) => user.username)).toEqual([username]);
      await web.shots('signed-in', SHOTS);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'says so on the login page when the user declines at the issuer',
    async () => {
      idp.service.once('beforeAuthorizeRedirect', (redirect: MutableRedirectUri) => {
        redirect.url.searchParams.delete('code');
        redirect.url.searchParams.set('error', 'access_denied');
      });
      await page().goto(`${base}/admin/login`);
      await signInButton().click();
      const alert = page().getByTestId('login-error');
      await poll(() => alert.textContent()).toBe('Sign-in was cancelled at the identity provider (access denied).');
      expect(new URL(page().url()).pathname).toBe('/admin/login');
      expect(new URL(page().url()).hash).toBe('');
      await web.shots('access-denied', SHOTS);
    },
    TEST_TIMEOUT_MS,
  );
}
