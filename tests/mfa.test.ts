// Two-factor authentication with TOTP and the login's second step (README, "Two-factor authentication (TOTP)").
// TOTP codes are computed here from the enrolled secret (otplib); time moves through the rows (a challenge's
// expiry, the last accepted time step), never by waiting.
import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateEncryptionKey } from '../server/services/encryptionRotation.ts';
import { runHousekeeping } from '../server/services/housekeeping.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }`;
const COMPLETE = `mutation ($input: CompleteLoginInput!) { completeLogin(input: $input) { accessToken refreshToken user { id email mfaEnabled } } }`;
const ENROLL = `mutation { enrollTotp { secret uri } }`;
const CONFIRM = `mutation ($code: String!) { confirmTotp(code: $code) }`;
const DISABLE = `mutation ($input: DisableTotpInput!) { disableTotp(input: $input) { id mfaEnabled secondFactors } }`;
const REGENERATE = `mutation ($code: String!) { regenerateRecoveryCodes(code: $code) }`;
const ME = `{ me { id mfaEnabled secondFactors recoveryCodesRemaining } }`;
const REFRESH = `mutation ($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken refreshToken } }`;
const AUDIT = `query ($targetId: ID) { auditLog(targetId: $targetId, first: 100) { edges { node { action details } } } }`;

type User = Awaited<ReturnType<typeof registerUser>>;
interface Tokens {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email?: string | null; mfaEnabled?: boolean | null };
}

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

let t: TestApp;
/** Every response body of this file with what produced it, to look for secrets where they must not be. */
const answers: { label: string; raw: string }[] = [];

async function call<T = Record<string, any>>(label: string, query: string, variables: Record<string, unknown> = {}, token?: string) {
  const result = await t.gql<T>(query, variables, { token });
  answers.push({ label, raw: result.raw });
  return result;
}

// One master key for this file's apps: the second and third share the first one's database (and its signing key).
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
beforeAll(async () => {
  t = await createTestApp({ MFA_MAX_CODE_ATTEMPTS: '9', ENCRYPTION_KEY });
});
afterAll(async () => {
  await t?.close();
});

/** The code for the secret now; `afresh` first forgets the account's last used step (as if the next step had come). */
async function totp(user: User, secret: string, afresh = true): Promise<string> {
  if (afresh) await t.deps.db.totpCredential.update({ where: { userId: user.id }, data: { lastTimeStep: null } });
  return generate({ secret });
}

async function enrollAndConfirm(user: User): Promise<{ secret: string; recoveryCodes: string[] }> {
  const enrolled = await call<{ enrollTotp: { secret: string; uri: string } }>('enroll', ENROLL, {}, user.accessToken);
  expect(enrolled.errors, enrolled.raw).toBeUndefined();
  const { secret } = enrolled.data!.enrollTotp;
  const confirmed = await call<{ confirmTotp: string[] }>('confirm', CONFIRM, { code: await generate({ secret }) }, user.accessToken);
  expect(confirmed.errors, confirmed.raw).toBeUndefined();
  return { secret, recoveryCodes: confirmed.data!.confirmTotp };
}

/** Password login of an account with a second factor: MFA_REQUIRED with a challenge. */
async function startLogin(user: User): Promise<{ challenge: string; methods: string[] }> {
  const result = await call('login', LOGIN, { input: { login: user.username, password: user.password } });
  expect(codeOf(result), result.raw).toBe('MFA_REQUIRED');
  expect(result.data?.login ?? null).toBeNull();
  const extensions = result.errors![0]!.extensions!;
  return { challenge: extensions.challenge as string, methods: extensions.methods as string[] };
}

async function complete(challenge: string, code: string) {
  return call<{ completeLogin: Tokens }>('completeLogin', COMPLETE, { input: { challenge, code } });
}

async function auditActions(userId: string): Promise<string[]> {
  const admin = await registerUser(t);
  await makeAdmin(t, admin.id);
  const result = await call<{ auditLog: { edges: { node: { action: string } }[] } }>('audit', AUDIT, { targetId: userId }, admin.accessToken);
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.auditLog.edges.map((edge) => edge.node.action);
}

describe('enrolling TOTP', () => {
  it('gives a secret and an otpauth URI once, turns on with a first code and returns ten recovery codes', async () => {
    const user = await registerUser(t);
    const enrolled = await call<{ enrollTotp: { secret: string; uri: string } }>('enroll', ENROLL, {}, user.accessToken);
    const { secret, uri } = enrolled.data!.enrollTotp;
    expect(secret).toMatch(/^[A-Z2-7]{26,}$/);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(decodeURIComponent(parsed.pathname)).toContain(`Parlance:${user.email}`);
    expect(parsed.searchParams.get('secret')).toBe(secret);
    expect(parsed.searchParams.get('issuer')).toBe('Parlance');

    // Not on until confirmed: login still answers tokens.
    const before = await call<{ me: { mfaEnabled: boolean; secondFactors: string[] } }>('me', ME, {}, user.accessToken);
    expect(before.data!.me).toMatchObject({ mfaEnabled: false, secondFactors: [] });
    const wrong = await call('confirm wrong', CONFIRM, { code: '000000' === (await generate({ secret })) ? '111111' : '000000' }, user.accessToken);
    expect(codeOf(wrong), wrong.raw).toBe('BAD_USER_INPUT');

    const confirmed = await call<{ confirmTotp: string[] }>('confirm', CONFIRM, { code: await generate({ secret }) }, user.accessToken);
    expect(confirmed.errors, confirmed.raw).toBeUndefined();
    const codes = confirmed.data!.confirmTotp;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);

    const after = await call<{ me: Record<string, unknown> }>('me', ME, {}, user.accessToken);
    expect(after.data!.me).toMatchObject({ mfaEnabled: true, secondFactors: ['TOTP', 'RECOVERY_CODE'], recoveryCodesRemaining: 10 });

    const again = await call('enroll again', ENROLL, {}, user.accessToken);
    expect(codeOf(again), again.raw).toBe('CONFLICT');

    // Sealed at rest: the row holds no readable secret.
    const row = await t.deps.db.totpCredential.findUniqueOrThrow({ where: { userId: user.id } });
    expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain(secret);
    const stored = await t.deps.db.recoveryCode.findMany({ where: { userId: user.id } });
    expect(stored.map((code) => code.codeHash).join()).not.toContain(codes[0]!.replace(/-/g, ''));
  });

  it('shows whether an account has a second factor to the user and to admins, and to no one else', async () => {
    const user = await registerUser(t);
    await enrollAndConfirm(user);
    const NODE = `query ($id: ID!) { node(id: $id) { ... on User { id mfaEnabled secondFactors recoveryCodesRemaining } } }`;
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const asAdmin = await call<{ node: Record<string, unknown> }>('node as admin', NODE, { id: user.id }, admin.accessToken);
    expect(asAdmin.data!.node).toMatchObject({ mfaEnabled: true, secondFactors: ['TOTP', 'RECOVERY_CODE'], recoveryCodesRemaining: 10 });
    const stranger = await registerUser(t);
    const asStranger = await call<{ node: Record<string, unknown> | null }>('node as stranger', NODE, { id: user.id }, stranger.accessToken);
    expect(asStranger.data?.node ?? null, asStranger.raw).toBeNull();
    expect(asStranger.raw).not.toContain('mfaEnabled":true');
  });

  it('cannot be managed with an API key (it could lock the owner out)', async () => {
    const user = await registerUser(t);
    const key = await call<{ createApiKey: { secret: string } }>(
      'api key',
      `mutation { createApiKey(input: { name: "ci", scopes: [READ, WRITE] }) { secret } }`,
      {},
      user.accessToken,
    );
    const refused = await call('enroll by key', ENROLL, {}, key.data!.createApiKey.secret);
    expect(codeOf(refused), refused.raw).toBe('FORBIDDEN');
    expect(await t.deps.db.totpCredential.count({ where: { userId: user.id } })).toBe(0);
  });
});

describe('the login second step', () => {
  it('login answers MFA_REQUIRED with a challenge; completeLogin with a TOTP code gives tokens whose amr says mfa, kept on refresh', async () => {
    const user = await registerUser(t);
    const { secret } = await enrollAndConfirm(user);
    const { challenge, methods } = await startLogin(user);
    expect(challenge).toMatch(/^mfa_/);
    expect(methods).toEqual(['TOTP', 'RECOVERY_CODE']);

    const done = await complete(challenge, await totp(user, secret));
    expect(done.errors, done.raw).toBeUndefined();
    expect(done.data!.completeLogin.user).toMatchObject({ id: user.id, email: user.email, mfaEnabled: true });
    expect(decodeJwt(done.data!.completeLogin.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    const me = await call<{ me: { id: string } }>('me', ME, {}, done.data!.completeLogin.accessToken);
    expect(me.data!.me.id).toBe(user.id);

    const refreshed = await call<{ refreshSession: Tokens }>('refresh', REFRESH, { refreshToken: done.data!.completeLogin.refreshToken });
    expect(decodeJwt(refreshed.data!.refreshSession.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);

    // Single use: the same challenge does not sign in twice.
    const reused = await complete(challenge, await totp(user, secret));
    expect(codeOf(reused), reused.raw).toBe('UNAUTHENTICATED');
    expect(reused.data?.completeLogin ?? null).toBeNull();

    // A wrong password never reaches the second step.
    const wrongPassword = await call('login wrong password', LOGIN, { input: { login: user.username, password: 'not the password' } });
    expect(codeOf(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(wrongPassword.errors![0]!.extensions!.challenge).toBeUndefined();
  });

  it('refuses a TOTP code replayed within its window', async () => {
    const user = await registerUser(t);
    const { secret } = await enrollAndConfirm(user);
    const first = await startLogin(user);
    const code = await totp(user, secret);
    expect((await complete(first.challenge, code)).errors).toBeUndefined();

    const second = await startLogin(user);
    const replayed = await complete(second.challenge, code);
    expect(codeOf(replayed), replayed.raw).toBe('UNAUTHENTICATED');
    expect(replayed.errors![0]!.message).toMatch(/not valid/);
    // The challenge survives one wrong code: the next step's code works.
    const fresh = await complete(second.challenge, await totp(user, secret));
    expect(fresh.errors, fresh.raw).toBeUndefined();
  });

  it('burns the challenge after five wrong codes, audited; the right code is refused afterwards', async () => {
    const user = await registerUser(t);
    const { secret } = await enrollAndConfirm(user);
    const { challenge } = await startLogin(user);
    const right = await totp(user, secret);
    const wrong = right === '123456' ? '654321' : '123456';
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const result = await complete(challenge, wrong);
      expect(codeOf(result), `attempt ${attempt}: ${result.raw}`).toBe('UNAUTHENTICATED');
      if (attempt === 5) expect(result.errors![0]!.message).toMatch(/cancelled/);
    }
    const late = await complete(challenge, right);
    expect(codeOf(late), late.raw).toBe('UNAUTHENTICATED');
    expect(late.errors![0]!.message).toMatch(/Sign in again/);
    expect(await auditActions(user.id)).toContain('mfa.challengeBurned');

    // A new login works.
    const next = await startLogin(user);
    expect((await complete(next.challenge, await totp(user, secret))).errors).toBeUndefined();
  });

  it('limits codes per account across challenges (MFA_MAX_CODE_ATTEMPTS), even the right one', async () => {
    const user = await registerUser(t);
    const { secret } = await enrollAndConfirm(user); // confirming took one of the nine attempts
    const first = await startLogin(user);
    for (let attempt = 1; attempt <= 5; attempt += 1) await complete(first.challenge, 'abcdef');
    const second = await startLogin(user);
    for (let attempt = 1; attempt <= 3; attempt += 1) await complete(second.challenge, 'abcdef');
    const limited = await complete(second.challenge, await totp(user, secret));
    expect(codeOf(limited), limited.raw).toBe('RATE_LIMITED');
    expect(limited.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.data?.completeLogin ?? null).toBeNull();
  });

  it('accepts each recovery code once, audited', async () => {
    const user = await registerUser(t);
    const { recoveryCodes } = await enrollAndConfirm(user);
    const first = await startLogin(user);
    const used = await complete(first.challenge, recoveryCodes[3]!.toUpperCase());
    expect(used.errors, used.raw).toBeUndefined();
    expect(decodeJwt(used.data!.completeLogin.accessToken).amr).toContain('mfa');

    const second = await startLogin(user);
    const twice = await complete(second.challenge, recoveryCodes[3]!);
    expect(codeOf(twice), twice.raw).toBe('UNAUTHENTICATED');
    const me = await call<{ me: { recoveryCodesRemaining: number } }>('me', ME, {}, used.data!.completeLogin.accessToken);
    expect(me.data!.me.recoveryCodesRemaining).toBe(9);
    expect(await auditActions(user.id)).toContain('mfa.recoveryCodeUsed');
  });

  it('refuses an expired challenge', async () => {
    const user = await registerUser(t);
    const { secret } = await enrollAndConfirm(user);
    const { challenge } = await startLogin(user);
    await t.deps.db.loginChallenge.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await complete(challenge, await totp(user, secret));
    expect(codeOf(expired), expired.raw).toBe('UNAUTHENTICATED');
    expect(expired.errors![0]!.message).toMatch(/expired/);

    // Housekeeping removes expired challenges.
    const sweep = await runHousekeeping(t.deps);
    expect((sweep.removed as Record<string, number>).loginChallenges).toBeGreaterThanOrEqual(1);
    expect(await t.deps.db.loginChallenge.count({ where: { userId: user.id } })).toBe(0);
  });

  it('binds the challenge to the client address', async () => {
    const proxied = await createTestApp({ TRUST_PROXY: 'true', ENCRYPTION_KEY }, { databaseUrl: t.databaseUrl });
    try {
      const base = await proxied.listen();
      const post = async (address: string, query: string, variables: Record<string, unknown>) => {
        const response = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: JSON.stringify({ query, variables }),
        });
        const raw = await response.text();
        answers.push({ label: 'proxied', raw });
        return JSON.parse(raw) as { data?: any; errors?: GqlResult['errors'] };
      };
      const user = await registerUser(t);
      const { secret } = await enrollAndConfirm(user);
      const login = await post('203.0.113.5', LOGIN, { input: { login: user.username, password: user.password } });
      const challenge = login.errors![0]!.extensions!.challenge as string;
      const elsewhere = await post('198.51.100.9', COMPLETE, { input: { challenge, code: await totp(user, secret) } });
      expect(elsewhere.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
      const here = await post('203.0.113.5', COMPLETE, { input: { challenge, code: await totp(user, secret) } });
      expect(here.errors, JSON.stringify(here)).toBeUndefined();
      expect(here.data.completeLogin.user.id).toBe(user.id);
    } finally {
      await proxied.close();
    }
  });
});

describe('managing TOTP', () => {
  it('regenerates recovery codes with a code (the old ones stop working) and disables with the password, audited', async () => {
    const user = await registerUser(t);
    const { secret, recoveryCodes } = await enrollAndConfirm(user);
    const refused = await call('regenerate wrong', REGENERATE, { code: 'abcdef' }, user.accessToken);
    expect(codeOf(refused), refused.raw).toBe('FORBIDDEN');
    const regenerated = await call<{ regenerateRecoveryCodes: string[] }>('regenerate', REGENERATE, { code: await totp(user, secret) }, user.accessToken);
    expect(regenerated.errors, regenerated.raw).toBeUndefined();
    const fresh = regenerated.data!.regenerateRecoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(recoveryCodes[0]);

    const login = await startLogin(user);
    expect(codeOf(await complete(login.challenge, recoveryCodes[0]!))).toBe('UNAUTHENTICATED');
    expect((await complete(login.challenge, fresh[0]!)).errors).toBeUndefined();

    const wrongPassword = await call('disable wrong', DISABLE, { input: { password: 'not my password' } }, user.accessToken);
    expect(codeOf(wrongPassword), wrongPassword.raw).toBe('FORBIDDEN');
    const disabled = await call<{ disableTotp: { mfaEnabled: boolean; secondFactors: string[] } }>(
      'disable',
      DISABLE,
      { input: { password: user.password } },
      user.accessToken,
    );
    expect(disabled.errors, disabled.raw).toBeUndefined();
    expect(disabled.data!.disableTotp).toMatchObject({ mfaEnabled: false, secondFactors: [] });
    expect(await t.deps.db.recoveryCode.count({ where: { userId: user.id } })).toBe(0);

    const plain = await call<{ login: Tokens }>('login plain', LOGIN, { input: { login: user.username, password: user.password } });
    expect(plain.errors, plain.raw).toBeUndefined();
    expect(decodeJwt(plain.data!.login.accessToken).amr).toEqual(['pwd']);

    const actions = await auditActions(user.id);
    for (const action of ['mfa.totpEnrolled', 'mfa.totpConfirmed', 'mfa.recoveryCodesRegenerated', 'mfa.totpDisabled']) {
      expect(actions).toContain(action);
    }
  });

  it('keeps working after the master key is rotated (keys:rotate-encryption re-seals the secret)', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = await createTestApp({ ENCRYPTION_KEY: oldKey.toString('base64') });
    let secret: string;
    let user: User;
    try {
      user = await registerUser(before);
      const enrolled = await before.gql<{ enrollTotp: { secret: string } }>(ENROLL, {}, { token: user.accessToken });
      secret = enrolled.data!.enrollTotp.secret;
      const confirmed = await before.gql(CONFIRM, { code: await generate({ secret }) }, { token: user.accessToken });
      expect(confirmed.errors, confirmed.raw).toBeUndefined();
      const counts = await rotateEncryptionKey(before.deps.db, oldKey, newKey);
      expect(counts.totpSecrets).toBe(1);
    } finally {
      await before.close();
    }
    const after = await createTestApp({ ENCRYPTION_KEY: newKey.toString('base64') }, { databaseUrl: before.databaseUrl });
    try {
      await after.deps.db.totpCredential.update({ where: { userId: user.id }, data: { lastTimeStep: null } });
      const login = await after.gql(LOGIN, { input: { login: user.username, password: user.password } });
      expect(codeOf(login), login.raw).toBe('MFA_REQUIRED');
      const challenge = login.errors![0]!.extensions!.challenge as string;
      const done = await after.gql<{ completeLogin: Tokens }>(COMPLETE, { input: { challenge, code: await generate({ secret }) } });
      expect(done.errors, done.raw).toBeUndefined();
      expect(done.data!.completeLogin.user.id).toBe(user.id);
    } finally {
      await after.close();
    }
  });

  it('disables with a TOTP code', async () => {
    const user = await registerUser(t);
    const { secret } = await enrollAndConfirm(user);
    const disabled = await call<{ disableTotp: { mfaEnabled: boolean } }>('disable', DISABLE, { input: { code: await totp(user, secret) } }, user.accessToken);
    expect(disabled.errors, disabled.raw).toBeUndefined();
    expect(disabled.data!.disableTotp.mfaEnabled).toBe(false);
  });
});

describe('REQUIRE_ADMIN_MFA', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await createTestApp({ REQUIRE_ADMIN_MFA: 'true', ENCRYPTION_KEY }, { databaseUrl: t.databaseUrl });
  });
  afterAll(async () => {
    await strict?.close();
  });
  const USERS = `{ users(first: 5) { totalCount } }`;

  it('an ADMIN without a second factor works as a user; admin power needs an enrolled factor used at login, kept on refresh', async () => {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const asAdmin = async (token: string) => strict.gql(USERS, {}, { token });

    const noFactor = await asAdmin(admin.accessToken);
    expect(codeOf(noFactor), noFactor.raw).toBe('FORBIDDEN');
    expect(noFactor.errors![0]!.message).toMatch(/enroll a second factor/);
    const me = await strict.gql<{ me: { id: string } }>(`{ me { id } }`, {}, { token: admin.accessToken });
    expect(me.data!.me.id).toBe(admin.id);

    const { secret } = await enrollAndConfirm(admin);
    const oldLogin = await asAdmin(admin.accessToken);
    expect(codeOf(oldLogin), oldLogin.raw).toBe('FORBIDDEN');
    expect(oldLogin.errors![0]!.message).toMatch(/sign in again/);

    const { challenge } = await startLogin(admin);
    const done = await complete(challenge, await totp(admin, secret));
    const withFactor = await asAdmin(done.data!.completeLogin.accessToken);
    expect(withFactor.errors, withFactor.raw).toBeUndefined();
    const refreshed = await strict.gql<{ refreshSession: Tokens }>(REFRESH, { refreshToken: done.data!.completeLogin.refreshToken });
    expect((await asAdmin(refreshed.data!.refreshSession.accessToken)).errors).toBeUndefined();

    // Without the setting, the same admin's password-only token keeps its power.
    expect((await t.gql(USERS, {}, { token: admin.accessToken })).errors).toBeUndefined();
  });
});

describe('secrets', () => {
  it('the TOTP secret, recovery codes and challenges appear only in the answer that shows them, and never in logs', async () => {
    const user = await registerUser(t);
    const start = answers.length;
    const { secret, recoveryCodes } = await enrollAndConfirm(user);
    const { challenge } = await startLogin(user);
    await complete(challenge, recoveryCodes[0]!);
    const second = await startLogin(user);
    await complete(second.challenge, 'bad-code');
    await complete(second.challenge, await totp(user, secret));
    await call('me', ME, {}, user.accessToken);
    await auditActions(user.id);

    const mine = answers.slice(start);
    const showing = (needle: string) => mine.filter((answer) => answer.raw.includes(needle)).map((answer) => answer.label);
    expect(showing(secret)).toEqual(['enroll']);
    for (const code of recoveryCodes) expect(showing(code)).toEqual(['confirm']);
    expect(showing(challenge)).toEqual(['login']);
    expect(showing(second.challenge)).toEqual(['login']);

    const logs = t.logs.join('\n');
    for (const needle of [secret, ...recoveryCodes, challenge, second.challenge]) expect(logs).not.toContain(needle);
    const audit = JSON.stringify(await t.deps.db.auditEntry.findMany({ where: { targetId: user.id } }), (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
    for (const needle of [secret, ...recoveryCodes, challenge]) expect(audit).not.toContain(needle);
  });
});
