import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id username email } } }`;
const ME = `{ me { id username email role isActive } }`;

describe('register and login', () => {
  it('registers, then logs in by username and by email, and me answers with the account', async () => {
    const alice = await registerUser(t, { username: 'Alice_1', email: 'Alice1@Example.com' });
    expect(alice.username).toBe('Alice_1');
    const me = await t.gql(ME, {}, { token: alice.accessToken });
    expect(me.data!.me).toMatchObject({ id: alice.id, username: 'alice_1', email: 'alice1@example.com', role: 'USER' });

    for (const login of ['alice_1', 'ALICE1@example.com']) {
      const result = await t.gql(LOGIN, { input: { login, password: alice.password } });
      expect(result.errors).toBeUndefined();
      expect(result.data!.login.user).toMatchObject({ id: alice.id, email: 'alice1@example.com' });
      const expires = new Date(result.data!.login.accessTokenExpiresAt).getTime();
      expect(expires - Date.now()).toBeGreaterThan(14 * 60_000);
      expect(expires - Date.now()).toBeLessThanOrEqual(15 * 60_000);
    }
  });

  it('refuses weak passwords, bad usernames and bad emails with BAD_USER_INPUT, and writes nothing', async () => {
    const cases = [
      { username: 'bob_weak', email: 'bob@example.com', password: 'short' },
      { username: 'bob_same', email: 'bob2@example.com', password: 'bob_same' },
      { username: 'bobmail', email: 'bob3@example.com', password: 'BOB3@example.com' },
      { username: 'x', email: 'bob4@example.com', password: 'a long enough password' },
      { username: 'bob5', email: 'not-an-email', password: 'a long enough password' },
    ];
    for (const input of cases) {
      const result = await t.gql(`mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
        input,
      });
      expect(result.errors?.[0].extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect(await t.deps.db.user.count({ where: { username: { startsWith: 'bob' } } })).toBe(0);
  });

  it('refuses a taken username or email with CONFLICT', async () => {
    const carol = await registerUser(t);
    const again = await t.gql(`mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
      input: { username: carol.username, email: 'other@example.com', password: 'a long enough password' },
    });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const dave = await registerUser(t);
    const wrong = await t.gql(LOGIN, { input: { login: dave.username, password: 'not the password!' } });
    const unknown = await t.gql(LOGIN, { input: { login: 'nobody-here', password: 'not the password!' } });
    expect(wrong.errors?.[0]).toEqual(unknown.errors?.[0]);
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('stores passwords as argon2id hashes', async () => {
    const erin = await registerUser(t);
    const row = await t.deps.db.user.findUniqueOrThrow({ where: { id: erin.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });
});

describe('ADMIN_EMAILS', () => {
  it('does not make a registration admin, neither at once nor at the next start, without proof of the address', async () => {
    const settings = { ADMIN_EMAILS: 'claimed-admin@example.com', ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    const first = await createTestApp(settings);
    const claimer = await registerUser(first, { email: 'Claimed-Admin@example.com' });
    expect((await first.gql(ME, {}, { token: claimer.accessToken })).data!.me.role).toBe('USER');
    await first.close();

    // A restart with the same list leaves the account a plain user too.
    const restarted = await createTestApp(settings, { databaseUrl: first.databaseUrl });
    expect((await restarted.gql(ME, {}, { token: claimer.accessToken })).data!.me.role).toBe('USER');
    expect((await restarted.gql(`{ users(first: 1) { totalCount } }`, {}, { token: claimer.accessToken })).errors?.[0].extensions?.code).toBe(
      'FORBIDDEN',
    );
    await restarted.close();
  });
});
