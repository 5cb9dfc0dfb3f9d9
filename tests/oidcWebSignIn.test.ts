// Web sign-in through an external OIDC issuer (authorization code flow with PKCE), driven through the
// HTTP routes as a browser would: a cookie-keeping client follows /auth/oidc/<key>/start to
// oauth2-mock-server's /authorize (which answers at once with a redirect to our callback) and back,
// then trades the one-time code with completeOidcSignIn.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MutableRedirectUri, MutableToken } from 'oauth2-mock-server';
import { startOidcProvider, type OidcProvider } from './helpers/oidcProvider.ts';
import { createTestApp, type TestApp } from './helpers/testApp.ts';

const CLIENT_ID = 'parlance-web';
const CLIENT_SECRET = `client-secret-${randomBytes(8).toString('hex')}`;
const COMPLETE = `mutation ($code: String!) { completeOidcSignIn(code: $code) { accessToken refreshToken user { id username email role } } }`;
const ME = `{ me { id username email role } }`;

let t: TestApp;
let base: string;
let idp: OidcProvider;
/** An issuer for bearer tokens only (no clientId): no button. */
let apiOnly: OidcProvider;

beforeAll(async () => {
  [idp, apiOnly] = await Promise.all([startOidcProvider(), startOidcProvider({ issuerPath: '/realms/api' })]);
  t = await createTestApp({
    OIDC_ISSUERS: JSON.stringify([
      {
        issuer: idp.issuer,
        audience: 'parlance-api',
        jwksUrl: idp.jwksUrl,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        displayName: 'Mock IdP',
        key: 'mock',
        adminGroups: ['parlance-admins'],
      },
      { issuer: apiOnly.issuer, audience: 'parlance-api', jwksUrl: apiOnly.jwksUrl },
    ]),
    ADMIN_EMAILS: 'chief@parlance.test',
  });
  base = await t.listen();
  // The callback URL (the redirect URI registered at the issuer) is on PUBLIC_URL.
  t.deps.env.publicUrl = base;
});
afterAll(async () => {
  await t?.close();
  await Promise.all([idp?.close(), apiOnly?.close()]);
});

/** A browser's cookie jar for our origin (the only one that sets cookies here). */
class CookieJar {
  readonly cookies = new Map<string, string>();
  readonly setCookies: string[] = [];

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const [name, ...value] = pair.split('=');
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute));
      if (expired || value.join('=') === '') this.cookies.delete(name);
      else this.cookies.set(name, value.join('='));
    }
  }
}

async function get(url: string, jar: CookieJar): Promise<Response> {
  const ours = url.startsWith(base);
  const response = await fetch(url, { redirect: 'manual', headers: ours && jar.cookies.size ? { cookie: jar.header() } : {} });
  if (ours) jar.take(response);
  return response;
}

interface Flow {
  jar: CookieJar;
  authorizeUrl: URL;
  callbackUrl: string;
  /** Where the callback sent the browser (relative to our origin). */
  landing: string;
}

/** Start → the issuer's /authorize → the callback, optionally changing the callback URL on the way. */
async function signInFlow(options: { tamper?: (callback: URL) => void; jar?: CookieJar } = {}): Promise<Flow> {
  const jar = options.jar ?? new CookieJar();
  const started = await get(`${base}/auth/oidc/mock/start`, jar);
  expect(started.status).toBe(302);
  const authorizeUrl = new URL(started.headers.get('location')!);
  const authorized = await get(authorizeUrl.toString(), jar);
  expect(authorized.status).toBe(302);
  const callback = new URL(authorized.headers.get('location')!);
  options.tamper?.(callback);
  const callbackUrl = callback.toString();
  const returned = await get(callbackUrl, jar);
  expect(returned.status).toBe(302);
  return { jar, authorizeUrl, callbackUrl, landing: returned.headers.get('location')! };
}

/** The claims of the next ID token the issuer signs (the access token it signs alongside is left alone). */
function nextIdTokenClaims(claims: Record<string, unknown>): void {
  const service = idp.service;
  service.removeAllListeners('beforeTokenSigning'); // one left by a sign-in that never reached the token endpoint
  const hook = (token: MutableToken) => {
    if (token.payload.nonce === undefined) return;
    Object.assign(token.payload, claims);
    service.off('beforeTokenSigning', hook);
  };
  service.on('beforeTokenSigning', hook);
}

const completionCode = (landing: string) => /^\/admin\/login#oidc-code=(osc_[\w-]+)$/.exec(landing)?.[1] ?? null;
const complete = (code: string) => t.gql(COMPLETE, { code });
const newSub = () => `sub-${randomBytes(6).toString('hex')}`;
const usersOf = (sub: string) => t.deps.db.user.findMany({ where: { oidcSubject: sub } });

describe('signInOptions', () => {
  it('lists the issuers with a clientId, with their start URL on PUBLIC_URL, to anyone', async () => {
    const result = await t.gql(`{ signInOptions { oidcIssuers { key displayName startUrl } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data!.signInOptions.oidcIssuers).toEqual([
      { key: 'mock', displayName: 'Mock IdP', startUrl: `${base}/auth/oidc/mock/start` },
    ]);
  });
});

describe('web sign-in through an external issuer', () => {
  it('runs the code flow with PKCE, state and nonce, and signs in the external user keyed as bearer tokens are', async () => {
    const sub = newSub();
    nextIdTokenClaims({ sub, preferred_username: 'grace.h', email: 'Grace@Example.org', email_verified: true });
    const flow = await signInFlow();

    // What went to the issuer.
    const query = flow.authorizeUrl.searchParams;
    expect(`${flow.authorizeUrl.origin}${flow.authorizeUrl.pathname}`).toBe(new URL('/authorize', idp.issuer).toString());
    expect(query.get('response_type')).toBe('code');
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('redirect_uri')).toBe(`${base}/auth/oidc/callback`);
    expect(query.get('scope')).toBe('openid email profile');
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(query.get('state')).toMatch(/^[\w-]{43}$/);
    expect(query.get('nonce')).toMatch(/^[\w-]{43}$/);
    // The state cookie: for the callback only, out of scripts' reach, sent on the issuer's top-level redirect back.
    const cookie = flow.jar.setCookies[0];
    expect(cookie).toMatch(/^parlance_oidc_state=[\w-]{43}; Path=\/auth\/oidc\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    expect(flow.jar.cookies.size).toBe(0); // cleared by the callback

    // The web app is handed a one-time code in the fragment (never sent to a server), no token.
    const code = completionCode(flow.landing);
    expect(code, flow.landing).not.toBeNull();
    const signedIn = await complete(code!);
    expect(signedIn.errors).toBeUndefined();
    const payload = signedIn.data!.completeOidcSignIn;
    expect(payload.user).toMatchObject({ username: 'grace.h', email: 'grace@example.org', role: 'USER' });
    expect((await t.gql(ME, {}, { token: payload.accessToken })).data!.me.id).toBe(payload.user.id);
    const refreshed = await t.gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { user { id } } }`, { r: payload.refreshToken });
    expect(refreshed.data!.refreshSession.user.id).toBe(payload.user.id);

    // Keyed by (issuer, subject), exactly as the issuer's bearer tokens are: one user for both.
    const [row] = await usersOf(sub);
    expect(row).toMatchObject({ id: payload.user.id, oidcIssuer: idp.issuer, oidcSubject: sub, passwordHash: null });
    const bearer = await t.gql(ME, {}, { token: await idp.sign({ sub }) });
    expect(bearer.data!.me.id).toBe(payload.user.id);

    // The code works once.
    const again = await complete(code!);
    expect(again.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(again.data).toBeNull();

    // Audited: created on first sight, signed in afterwards.
    nextIdTokenClaims({ sub, preferred_username: 'grace.h', email: 'grace@example.org', email_verified: true });
    const second = await complete(completionCode((await signInFlow()).landing)!);
    expect(second.data!.completeOidcSignIn.user.id).toBe(payload.user.id);
    expect(await usersOf(sub)).toHaveLength(1);
    const audit = await t.deps.db.auditEntry.findMany({ where: { action: 'oidc.signedIn', targetId: payload.user.id }, orderBy: { seq: 'asc' } });
    expect(audit.map((entry) => entry.details)).toEqual([
      { issuer: idp.issuer, issuerKey: 'mock', created: true, role: 'USER' },
      { issuer: idp.issuer, issuerKey: 'mock', created: false, role: 'USER' },
    ]);
    expect(audit.every((entry) => entry.actorId === payload.user.id)).toBe(true);

    // Nothing secret at rest or in the log.
    const attempts = await t.deps.db.oidcSignIn.findMany({ where: { userId: payload.user.id } });
    expect(attempts).toHaveLength(2);
    const state = query.get('state')!;
    const issuerCode = new URL(flow.callbackUrl).searchParams.get('code')!;
    for (const attempt of attempts) {
      expect(attempt.codeVerifier).toBeNull();
      expect(JSON.stringify(attempt)).not.toContain(code!);
      expect(JSON.stringify(attempt)).not.toContain(state);
    }
    const logs = t.logs.join('');
    for (const secret of [code!, state, issuerCode, CLIENT_SECRET, query.get('nonce')!, payload.accessToken, payload.refreshToken]) {
      expect(logs).not.toContain(secret);
    }
  });

  it('makes ADMIN by the issuer groups and by ADMIN_EMAILS with a verified address, as for bearer tokens', async () => {
    nextIdTokenClaims({ sub: newSub(), preferred_username: 'ops', groups: ['parlance-admins'] });
    const byGroup = await complete(completionCode((await signInFlow()).landing)!);
    expect(byGroup.data!.completeOidcSignIn.user.role).toBe('ADMIN');

    // The issuer's amr goes with the session (REQUIRE_ADMIN_MFA reads it as it reads an issuer's access token's).
    const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { amr?: string[] };
    expect(claimsOf(byGroup.data!.completeOidcSignIn.accessToken).amr).toBeUndefined();
    nextIdTokenClaims({ sub: newSub(), amr: ['pwd', 'mfa'] });
    const withMfa = await complete(completionCode((await signInFlow()).landing)!);
    expect(claimsOf(withMfa.data!.completeOidcSignIn.accessToken).amr).toEqual(['pwd', 'mfa']);

    nextIdTokenClaims({ sub: newSub(), email: 'chief@parlance.test', email_verified: true });
    const byEmail = await complete(completionCode((await signInFlow()).landing)!);
    expect(byEmail.data!.completeOidcSignIn.user.role).toBe('ADMIN');

    nextIdTokenClaims({ sub: newSub(), email: 'chief@parlance.test', email_verified: false });
    const unverified = await complete(completionCode((await signInFlow()).landing)!);
    expect(unverified.data!.completeOidcSignIn.user.role).toBe('USER');
  });
});

describe('refused sign-ins end on the login page with the reason', () => {
  it('refuses a tampered state, and a callback in a browser that did not start the sign-in', async () => {
    const sub = newSub();
    nextIdTokenClaims({ sub });
    const tampered = await signInFlow({
      tamper: (callback) => callback.searchParams.set('state', `${callback.searchParams.get('state')!.slice(0, -2)}xx`),
    });
    expect(tampered.landing).toBe('/admin/login#oidc-error=state');

    // Login CSRF: someone else's genuine callback (they started, the issuer sent them back) opened in this browser.
    const theirs = new CookieJar();
    const started = await get(`${base}/auth/oidc/mock/start`, theirs);
    const authorized = await get(started.headers.get('location')!, theirs);
    const mine = await get(authorized.headers.get('location')!, new CookieJar());
    expect(mine.headers.get('location')).toBe('/admin/login#oidc-error=state');
    expect(await usersOf(sub)).toHaveLength(0);
  });

  it('refuses a replayed callback', async () => {
    nextIdTokenClaims({ sub: newSub() });
    const flow = await signInFlow();
    expect(completionCode(flow.landing)).not.toBeNull();
    // The same callback again, with the state cookie put back.
    const jar = new CookieJar();
    jar.cookies.set('parlance_oidc_state', new URL(flow.callbackUrl).searchParams.get('state')!);
    const replayed = await get(flow.callbackUrl, jar);
    expect(replayed.status).toBe(302);
    expect(replayed.headers.get('location')).toBe('/admin/login#oidc-error=used');
  });

  it('refuses an ID token with another nonce', async () => {
    const sub = newSub();
    nextIdTokenClaims({ sub, nonce: randomBytes(32).toString('base64url') });
    const flow = await signInFlow();
    expect(flow.landing).toBe('/admin/login#oidc-error=nonce');
    expect(await usersOf(sub)).toHaveLength(0);
  });

  it('refuses an ID token for another client (aud)', async () => {
    const sub = newSub();
    nextIdTokenClaims({ sub, aud: 'another-client' });
    expect((await signInFlow()).landing).toBe('/admin/login#oidc-error=id_token');
    expect(await usersOf(sub)).toHaveLength(0);
  });

  it('says so when the user declines at the issuer (error=access_denied)', async () => {
    idp.service.once('beforeAuthorizeRedirect', (redirect: MutableRedirectUri) => {
      redirect.url.searchParams.delete('code');
      redirect.url.searchParams.set('error', 'access_denied');
      redirect.url.searchParams.set('error_description', 'The resource owner denied the request.');
    });
    const flow = await signInFlow();
    expect(flow.landing).toBe('/admin/login#oidc-error=denied');
    // The landing page is the web app's (its build may be absent in this suite: then 404, never a stack trace).
    const page = await fetch(`${base}/admin/login`);
    expect(await page.text()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses a state that has expired', async () => {
    // Start, let the state expire (its expiry moved into the past), then come back.
    const jar = new CookieJar();
    const started = await get(`${base}/auth/oidc/mock/start`, jar);
    const authorized = await get(started.headers.get('location')!, jar);
    const { count } = await t.deps.db.oidcSignIn.updateMany({
      where: { returnedAt: null, expiresAt: { gt: new Date() } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(count).toBeGreaterThanOrEqual(1);
    const returned = await get(authorized.headers.get('location')!, jar);
    expect(returned.headers.get('location')).toBe('/admin/login#oidc-error=expired');
  });

  it('refuses a completion code that has expired, and a deactivated user', async () => {
    const sub = newSub();
    nextIdTokenClaims({ sub });
    const code = completionCode((await signInFlow()).landing)!;
    await t.deps.db.oidcSignIn.updateMany({ where: { completedAt: null, completionHash: { not: null } }, data: { completionExpiresAt: new Date(Date.now() - 1000) } });
    const late = await complete(code);
    expect(late.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    await t.deps.db.user.updateMany({ where: { oidcSubject: sub }, data: { isActive: false } });
    nextIdTokenClaims({ sub });
    expect((await signInFlow()).landing).toBe('/admin/login#oidc-error=deactivated');
  });

  it('sends an unknown issuer key back to the login page', async () => {
    const response = await get(`${base}/auth/oidc/nobody/start`, new CookieJar());
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin/login#oidc-error=unknown_issuer');
    expect(response.headers.getSetCookie()).toEqual([]);
    const post = await fetch(`${base}/auth/oidc/mock/start`, { method: 'POST', redirect: 'manual' });
    expect(post.status).toBe(405);
  });
});
