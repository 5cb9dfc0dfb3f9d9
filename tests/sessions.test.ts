import { createRemoteJWKSet, decodeJwt, exportSPKI, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessClaims,
  base64url,
  serverSigningKey,
  signEs256,
  unsignedToken,
} from './helpers/forgeTokens.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const ME = `{ me { id } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }`;
const REFRESH = `mutation ($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken refreshToken user { id } } }`;
const LOGOUT = `mutation ($refreshToken: String!) { logout(refreshToken: $refreshToken) }`;
const SET_ACTIVE = `mutation ($userId: ID!, $active: Boolean!) { setUserActive(userId: $userId, active: $active) { id isActive } }`;

interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string };
}

let t: TestApp;
let baseUrl: string;
beforeAll(async () => {
  t = await createTestApp();
  baseUrl = await t.listen();
});
afterAll(async () => {
  await t?.close();
});

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

async function me(token: string) {
  return t.gql<{ me: { id: string } | null }>(ME, {}, { token });
}

async function refresh(refreshToken: string) {
  return t.gql<{ refreshSession: Tokens }>(REFRESH, { refreshToken });
}

async function login(loginName: string, password: string) {
  return t.gql<{ login: Tokens }>(LOGIN, { input: { login: loginName, password } });
}

/** The token is refused outright: UNAUTHENTICATED, HTTP 401, and no data about anyone. */
async function expectRejected(token: string, label: string) {
  const result = await me(token);
  expect(codeOf(result), `${label}: ${result.raw}`).toBe('UNAUTHENTICATED');
  expect(result.status, label).toBe(401);
  expect(result.data?.me ?? null, label).toBeNull();
}

describe('access token attacks', () => {
  let victim: Awaited<ReturnType<typeof registerUser>>;
  let other: Awaited<ReturnType<typeof registerUser>>;
  beforeAll(async () => {
    victim = await registerUser(t);
    other = await registerUser(t);
  });

  it('accepts genuine tokens, including one forged with the real key and correct claims (the control)', async () => {
    const genuine = await me(victim.accessToken);
    expect(genuine.errors).toBeUndefined();
    expect(genuine.data!.me!.id).toBe(victim.id);

    // Proves the forging helper makes tokens the server accepts, so each refusal below is down to
    // the one thing that test changes.
    const control = await signEs256(accessClaims(t, victim.id), await serverSigningKey(t));
    const result = await me(control);
    expect(result.errors).toBeUndefined();
    expect(result.data!.me!.id).toBe(victim.id);

    // exp 10 s ago is inside the 30 s clock tolerance.
    const now = Math.floor(Date.now() / 1000);
    const justExpired = await signEs256(accessClaims(t, victim.id, { iat: now - 900, exp: now - 10 }), await serverSigningKey(t));
    expect((await me(justExpired)).data?.me?.id).toBe(victim.id);
  });

  it('refuses an unsigned alg "none" token', async () => {
    const claims = accessClaims(t, victim.id);
    await expectRejected(unsignedToken(claims), 'alg none');
    await expectRejected(unsignedToken(claims, { alg: 'none' }), 'alg none without typ');
    await expectRejected(unsignedToken(claims, { alg: 'NONE', typ: 'at+jwt' }), 'alg NONE');
    // The genuine token with its signature stripped.
    const [header, payload] = victim.accessToken.split('.');
    await expectRejected(`${header}.${payload}.`, 'stripped signature');
  });

  it('refuses HS256 tokens keyed with the server public key (algorithm confusion)', async () => {
    const publicJwk = t.deps.accessTokens.jwks().keys[0];
    expect(publicJwk.kid).toBeTruthy();
    expect(publicJwk).not.toHaveProperty('d');
    const pem = await exportSPKI((await importJWK(publicJwk, 'ES256', { extractable: true })) as CryptoKey);
    const { d: _none, ...bareJwk } = publicJwk;
    const secrets = [
      pem,
      pem.trim(),
      JSON.stringify(publicJwk),
      JSON.stringify(bareJwk),
      JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y }),
      publicJwk.x! + publicJwk.y!,
    ];
    for (const secret of secrets) {
      const token = await new SignJWT(accessClaims(t, victim.id))
        .setProtectedHeader({ alg: 'HS256', kid: publicJwk.kid, typ: 'at+jwt' })
        .sign(new TextEncoder().encode(secret));
      await expectRejected(token, `HS256 keyed with ${secret.slice(0, 30)}`);
    }
  });

  it('refuses a correctly signed token for another audience', async () => {
    const key = await serverSigningKey(t);
    await expectRejected(await signEs256(accessClaims(t, victim.id, { aud: 'someone-else' }), key), 'wrong aud');
    await expectRejected(await signEs256(accessClaims(t, victim.id, { aud: undefined }), key), 'no aud');
  });

  it('refuses a correctly signed token from another issuer', async () => {
    const key = await serverSigningKey(t);
    await expectRejected(
      await signEs256(accessClaims(t, victim.id, { iss: 'https://evil.example.com' }), key),
      'wrong iss',
    );
    await expectRejected(await signEs256(accessClaims(t, victim.id, { iss: undefined }), key), 'no iss');
  });

  it('refuses a token expired beyond the 30 s tolerance, and one without exp', async () => {
    const key = await serverSigningKey(t);
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(
      await signEs256(accessClaims(t, victim.id, { iat: now - 1000, exp: now - 60 }), key),
      'expired 60 s ago',
    );
    await expectRejected(await signEs256(accessClaims(t, victim.id, { exp: undefined }), key), 'no exp');
  });

  it('refuses a genuine token whose payload was edited to name another user', async () => {
    const [header, payload, signature] = victim.accessToken.split('.');
    const claims = decodeJwt(victim.accessToken);
    expect(claims.sub).toBe(victim.id);
    const edited = base64url(JSON.stringify({ ...claims, sub: other.id }));
    expect(edited).not.toBe(payload);
    await expectRejected(`${header}.${edited}.${signature}`, 'sub changed');
    // Also with the signature of the other user's own genuine token.
    const otherSignature = other.accessToken.split('.')[2];
    await expectRejected(`${header}.${edited}.${otherSignature}`, 'sub changed, other signature');
  });

  it('refuses a token signed by a different ES256 key that claims the server kid', async () => {
    const { kid } = await serverSigningKey(t);
    const { privateKey } = await generateKeyPair('ES256');
    await expectRejected(await signEs256(accessClaims(t, victim.id), { kid, privateKey }), 'impostor key');
  });
});

describe('JWKS', () => {
  it('lets a third party verify an access token through /.well-known/jwks.json', async () => {
    const user = await registerUser(t);
    const response = await fetch(`${baseUrl}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { keys: Record<string, unknown>[] };
    expect(body.keys.length).toBeGreaterThan(0);
    for (const key of body.keys) {
      expect(key).not.toHaveProperty('d');
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }

    const jwks = createRemoteJWKSet(new URL(`${baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(user.accessToken, jwks, {
      issuer: t.deps.accessTokens.issuer,
      audience: 'parlance',
      algorithms: ['ES256'],
    });
    expect(payload.sub).toBe(user.id);
    expect(protectedHeader.alg).toBe('ES256');
    expect(body.keys.map((key) => key.kid)).toContain(protectedHeader.kid);

    // The same third party refuses a token signed elsewhere under the server's kid.
    const { privateKey } = await generateKeyPair('ES256');
    const impostor = await signEs256(accessClaims(t, user.id), { kid: protectedHeader.kid!, privateKey });
    await expect(
      jwtVerify(impostor, jwks, { issuer: t.deps.accessTokens.issuer, audience: 'parlance', algorithms: ['ES256'] }),
    ).rejects.toThrow();
  });
});

describe('refresh tokens', () => {
  it('rotates: the new pair works and the old refresh token is refused', async () => {
    const user = await registerUser(t);
    const first = await refresh(user.refreshToken);
    expect(first.errors).toBeUndefined();
    const rotated = first.data!.refreshSession;
    expect(rotated.user.id).toBe(user.id);
    expect(rotated.refreshToken).not.toBe(user.refreshToken);
    expect(rotated.accessToken).not.toBe(user.accessToken);
    expect((await me(rotated.accessToken)).data!.me!.id).toBe(user.id);

    const again = await refresh(user.refreshToken);
    expect(codeOf(again)).toBe('UNAUTHENTICATED');
    expect(again.data).toBeNull();
  });

  it('revokes the whole family when a used refresh token is presented again, and only that family', async () => {
    const user = await registerUser(t);
    const otherLogin = (await login(user.username, user.password)).data!.login;

    const r1 = (await refresh(user.refreshToken)).data!.refreshSession.refreshToken;
    const r2 = (await refresh(r1)).data!.refreshSession.refreshToken;

    // r1 is used: presenting it again is reuse.
    expect(codeOf(await refresh(r1))).toBe('UNAUTHENTICATED');
    // So r2, the newest of that family and never used, is dead too.
    expect(codeOf(await refresh(r2))).toBe('UNAUTHENTICATED');

    // The family of the second login is untouched and keeps rotating.
    const b1 = await refresh(otherLogin.refreshToken);
    expect(b1.errors).toBeUndefined();
    expect(b1.data!.refreshSession.user.id).toBe(user.id);
    const b2 = await refresh(b1.data!.refreshSession.refreshToken);
    expect(b2.errors).toBeUndefined();
  });

  it('an unknown or garbage refresh token is refused', async () => {
    for (const token of ['prt_not-a-real-token', '', 'x'.repeat(5000)]) {
      expect(codeOf(await refresh(token))).toBe('UNAUTHENTICATED');
    }
  });

  it('of two concurrent refreshes of one token exactly one succeeds, and the family ends revoked', async () => {
    for (let round = 0; round < 8; round += 1) {
      const user = await registerUser(t);
      const results = await Promise.all([refresh(user.refreshToken), refresh(user.refreshToken)]);
      const winners = results.filter((result) => result.data?.refreshSession);
      const losers = results.filter((result) => !result.data?.refreshSession);
      expect(winners, `round ${round}: ${results.map((r) => r.raw).join(' | ')}`).toHaveLength(1);
      expect(losers.map(codeOf)).toEqual(['UNAUTHENTICATED']);
      // The loser presented an already used token, which is indistinguishable from theft: the
      // family is revoked, including the refresh token the winner just received, whatever the timing.
      const winnerNext = await refresh(winners[0].data!.refreshSession.refreshToken);
      expect(codeOf(winnerNext), `round ${round}: ${winnerNext.raw}`).toBe('UNAUTHENTICATED');
    }
  });

  it('a reuse racing a legitimate rotation of the same family still leaves no live refresh token', async () => {
    for (let round = 0; round < 8; round += 1) {
      const user = await registerUser(t);
      const r1 = user.refreshToken;
      const r2 = (await refresh(r1)).data!.refreshSession.refreshToken;
      // The thief replays r1 while the owner rotates r2.
      const [replay, rotation] = await Promise.all([refresh(r1), refresh(r2)]);
      expect(codeOf(replay)).toBe('UNAUTHENTICATED');
      const r3 = rotation.data?.refreshSession.refreshToken;
      if (r3) {
        const next = await refresh(r3);
        expect(codeOf(next), `round ${round}: the successor outlived its family: ${next.raw}`).toBe('UNAUTHENTICATED');
      } else {
        expect(codeOf(rotation)).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('logout makes the refresh token (and its family) fail, and leaves other logins alone', async () => {
    const user = await registerUser(t);
    const second = (await login(user.username, user.password)).data!.login;
    const rotated = (await refresh(user.refreshToken)).data!.refreshSession;

    const out = await t.gql<{ logout: boolean }>(LOGOUT, { refreshToken: rotated.refreshToken });
    expect(out.errors).toBeUndefined();
    expect(out.data!.logout).toBe(true);
    expect(codeOf(await refresh(rotated.refreshToken))).toBe('UNAUTHENTICATED');

    expect((await refresh(second.refreshToken)).errors).toBeUndefined();
    const unknown = await t.gql<{ logout: boolean }>(LOGOUT, { refreshToken: 'prt_unknown' });
    expect(unknown.data!.logout).toBe(false);
  });
});

describe('deactivation', () => {
  it('stops the access token, refresh token, API key and login of a deactivated user at once', async () => {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id); // the role is re-read per request, so the old token now carries it
    const target = await registerUser(t);
    const key = await t.gql<{ createApiKey: { secret: string } }>(
      `mutation { createApiKey(input: { name: "ci", scopes: [READ] }) { secret } }`,
      {},
      { token: target.accessToken },
    );
    const apiKey = key.data!.createApiKey.secret;
    expect((await me(target.accessToken)).data!.me!.id).toBe(target.id);
    expect((await t.gql(ME, {}, { headers: { 'x-api-key': apiKey } })).data!.me.id).toBe(target.id);

    // A non-admin cannot do it.
    const bystander = await registerUser(t);
    const refused = await t.gql(SET_ACTIVE, { userId: target.id, active: false }, { token: bystander.accessToken });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect((await me(target.accessToken)).data!.me!.id).toBe(target.id);

    const done = await t.gql(SET_ACTIVE, { userId: target.id, active: false }, { token: admin.accessToken });
    expect(done.errors).toBeUndefined();
    expect(done.data!.setUserActive).toEqual({ id: target.id, isActive: false });

    await expectRejected(target.accessToken, 'deactivated access token');
    const viaKey = await t.gql(ME, {}, { headers: { 'x-api-key': apiKey } });
    expect(codeOf(viaKey)).toBe('UNAUTHENTICATED');
    expect(codeOf(await refresh(target.refreshToken))).toBe('UNAUTHENTICATED');
    const loginAgain = await login(target.username, target.password);
    expect(codeOf(loginAgain)).toBe('UNAUTHENTICATED');
    expect(loginAgain.data).toBeNull();

    // Reactivated: login works again; the refresh token revoked by deactivation stays dead.
    const back = await t.gql(SET_ACTIVE, { userId: target.id, active: true }, { token: admin.accessToken });
    expect(back.data!.setUserActive).toEqual({ id: target.id, isActive: true });
    const fresh = await login(target.username, target.password);
    expect(fresh.errors).toBeUndefined();
    expect((await me(fresh.data!.login.accessToken)).data!.me!.id).toBe(target.id);
    expect(codeOf(await refresh(target.refreshToken))).toBe('UNAUTHENTICATED');
  });
});

// Login throttling: tests/loginThrottle.test.ts.

describe('secrets never leak', () => {
  it('keeps passwords, tokens, API keys and provider secrets out of logs and out of every other response', async () => {
    const responses: { label: string; raw: string; requestId: string | null }[] = [];
    async function call<T = Record<string, any>>(
      label: string,
      query: string,
      variables: Record<string, unknown> = {},
      headers: Record<string, string> = {},
    ): Promise<{ data: T | null; errors?: GqlResult['errors'] }> {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const raw = await response.text();
      responses.push({ label, raw, requestId: response.headers.get('x-request-id') });
      return JSON.parse(raw) as { data: T | null; errors?: GqlResult['errors'] };
    }
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

    const password = 'correct horse battery staple 42';
    const username = `leaky${Date.now().toString(36)}`;
    const registered = await call<{ register: Tokens }>(
      'register',
      `mutation ($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id username email } } }`,
      { input: { username, email: `${username}@example.com`, password } },
    );
    expect(registered.errors).toBeUndefined();
    const session0 = registered.data!.register;

    const wrongLogin = await call('failed login', LOGIN, { input: { login: username, password: `${password}!` } });
    expect(wrongLogin.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const loggedIn = await call<{ login: Tokens }>('login', LOGIN, { input: { login: username, password } });
    expect(loggedIn.errors).toBeUndefined();
    const session1 = loggedIn.data!.login;
    const refreshed = await call<{ refreshSession: Tokens }>('refresh', REFRESH, { refreshToken: session1.refreshToken });
    expect(refreshed.errors).toBeUndefined();
    const session2 = refreshed.data!.refreshSession;
    // Reuse of the used token: logged as a warning, must not log the token.
    const reused = await call('reuse', REFRESH, { refreshToken: session1.refreshToken });
    expect(reused.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const created = await call<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
      'createApiKey',
      `mutation { createApiKey(input: { name: "leak check", scopes: [READ, WRITE] }) { secret apiKey { id prefix name scopes } } }`,
      {},
      bearer(session2.accessToken),
    );
    expect(created.errors).toBeUndefined();
    const apiKeySecret = created.data!.createApiKey.secret;
    expect(apiKeySecret.startsWith(created.data!.createApiKey.apiKey.prefix)).toBe(true);

    const providerSecret = `sk-test-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
    const setKey = await call<{ setProviderKey: { last4: string } }>(
      'setProviderKey',
      `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id provider name last4 createdAt } }`,
      { input: { provider: 'OPENAI', name: 'main', secret: providerSecret } },
      bearer(session2.accessToken),
    );
    expect(setKey.errors).toBeUndefined();
    expect(setKey.data!.setProviderKey.last4).toBe(providerSecret.slice(-4));

    const everything = `{ me { id username email role isActive createdAt }
      apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt }
      providerKeys { id provider name last4 createdAt lastUsedAt } }`;
    for (const [label, headers] of [
      ['reads with access token', bearer(session2.accessToken)],
      ['reads with API key', { 'x-api-key': apiKeySecret }],
      ['reads with API key as bearer', bearer(apiKeySecret)],
    ] as const) {
      const read = await call<{ me: { id: string }; apiKeys: unknown[]; providerKeys: unknown[] }>(
        label,
        everything,
        {},
        headers,
      );
      expect(read.errors, label).toBeUndefined();
      expect(read.data!.me.id).toBe(session0.user.id);
      expect(read.data!.apiKeys).toHaveLength(1);
      expect(read.data!.providerKeys).toHaveLength(1);
    }
    const logout = await call('logout', LOGOUT, { refreshToken: session2.refreshToken });
    expect(logout.errors).toBeUndefined();

    const secrets: { name: string; value: string; shownIn: string[] }[] = [
      { name: 'password', value: password, shownIn: [] },
      { name: 'register access token', value: session0.accessToken, shownIn: ['register'] },
      { name: 'register refresh token', value: session0.refreshToken, shownIn: ['register'] },
      { name: 'login access token', value: session1.accessToken, shownIn: ['login'] },
      { name: 'login refresh token', value: session1.refreshToken, shownIn: ['login'] },
      { name: 'refreshed access token', value: session2.accessToken, shownIn: ['refresh'] },
      { name: 'refreshed refresh token', value: session2.refreshToken, shownIn: ['refresh'] },
      { name: 'API key', value: apiKeySecret, shownIn: ['createApiKey'] },
      { name: 'provider secret', value: providerSecret, shownIn: [] },
    ];
    // Every request's log line is written when its response finishes, which the client may see first.
    const logged = (requestId: string | null) => t.logs.some((line) => line.includes(requestId!) && line.includes('"msg":"request"'));
    await expect.poll(() => responses.filter(({ requestId }) => !logged(requestId)).length, { timeout: 10_000 }).toBe(0);
    const logs = t.logs.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).toContain('refresh token reused');
    for (const secret of secrets) {
      expect(logs.includes(secret.value), `${secret.name} appears in the logs`).toBe(false);
      for (const response of responses) {
        const shown = response.raw.includes(secret.value);
        expect(shown, `${secret.name} in the ${response.label} response`).toBe(secret.shownIn.includes(response.label));
      }
    }
    // Nor is the provider secret stored in the clear.
    const row = await t.deps.db.providerKey.findFirstOrThrow({ where: { userId: session0.user.id } });
    expect(Buffer.from(row.ciphertext).includes(Buffer.from(providerSecret))).toBe(false);
  });
});
