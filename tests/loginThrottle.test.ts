// Failed-login throttling: an attacker is slowed, the owner is not locked out (README, security notes).
// Time moves through the throttle rows (blocks and windows aged in the database), never by waiting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../server/services/housekeeping.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken user { id } } }`;
const UNLOCK = `mutation ($userId: ID!) { unlockUser(userId: $userId) { id username } }`;

let t: TestApp;
let base: string;
beforeAll(async () => {
  // Defaults (5 per pair, 20 accounts per address) except the account-wide limit, lowered from 100
  // so its test needs fewer attempts.
  t = await createTestApp({ TRUST_PROXY: 'true', LOGIN_MAX_FAILURES_PER_ACCOUNT: '12' });
  base = await t.listen();
});
afterAll(async () => {
  await t?.close();
});

const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;
const retryAfterOf = (result: GqlResult) => result.errors?.[0]?.extensions?.retryAfterSeconds as number;

/** A login over real HTTP, so the client address comes from x-forwarded-for. */
async function loginFrom(address: string, loginName: string, password: string): Promise<GqlResult<{ login: { user: { id: string } } }>> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query: LOGIN, variables: { input: { login: loginName, password } } }),
  });
  const raw = await response.text();
  const body = JSON.parse(raw) as { data?: { login: { user: { id: string } } } | null; errors?: GqlResult['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors, raw };
}

async function expectLoggedIn(address: string, user: { username: string; password: string; id: string }) {
  const result = await loginFrom(address, user.username, user.password);
  expect(result.errors, `${user.username} from ${address}: ${result.raw}`).toBeUndefined();
  expect(result.data!.login.user.id).toBe(user.id);
}

async function failFrom(address: string, loginName: string, times: number) {
  for (let attempt = 1; attempt <= times; attempt += 1) {
    const wrong = await loginFrom(address, loginName, `wrong password ${attempt}`);
    expect(codeOf(wrong), `${loginName} from ${address}, attempt ${attempt}: ${wrong.raw}`).toBe('UNAUTHENTICATED');
  }
}

/** Ends the block of every throttle row of this address: as if the block's time had passed. */
const endBlocksOf = (address: string) =>
  t.deps.db.$executeRaw`
    UPDATE login_throttles SET blocked_until = now() - interval '1 second'
    WHERE blocked_until IS NOT NULL AND (key LIKE ${`%|${address}`} OR key = ${`address:${address}`})`;

describe('an attacker guessing one account', () => {
  it('is blocked on their own address with retryAfterSeconds, while the owner signs in from another', async () => {
    const victim = await registerUser(t);
    // Five failures, by username and by email alike (one account, one budget).
    await failFrom('203.0.113.10', victim.username, 3);
    await failFrom('203.0.113.10', victim.email.toUpperCase(), 2);

    for (const password of ['sixth guess', victim.password]) {
      const blocked = await loginFrom('203.0.113.10', victim.username, password);
      expect(codeOf(blocked), blocked.raw).toBe('RATE_LIMITED');
      expect(blocked.data).toBeNull();
      expect(retryAfterOf(blocked)).toBeGreaterThan(0);
      expect(retryAfterOf(blocked)).toBeLessThanOrEqual(30);
    }

    // The owner, from an address they never used before, is not locked out.
    await expectLoggedIn('198.51.100.20', victim);
  });

  it('waits longer after each further failure, up to the window; a quiet window forgets the failures', async () => {
    const victim = await registerUser(t);
    const attacker = '203.0.113.30';
    await failFrom(attacker, victim.username, 5);
    const waits = [retryAfterOf(await loginFrom(attacker, victim.username, 'x'))];
    for (let round = 0; round < 6; round += 1) {
      await endBlocksOf(attacker);
      await failFrom(attacker, victim.username, 1);
      const blocked = await loginFrom(attacker, victim.username, victim.password);
      expect(codeOf(blocked), blocked.raw).toBe('RATE_LIMITED');
      waits.push(retryAfterOf(blocked));
    }
    // 30 s, 60 s, 120 s, … doubling, never beyond the window (900 s); a second or two may have passed.
    const expected = [30, 60, 120, 240, 480, 900, 900];
    waits.forEach((wait, index) => expect(wait, `block ${index + 1}: ${waits.join(', ')}`).toBeGreaterThan(expected[index] - 3));
    waits.forEach((wait, index) => expect(wait).toBeLessThanOrEqual(expected[index]));

    // A window after the last block ended, the pair (and the account's count) start afresh.
    await t.deps.db.$executeRaw`
      UPDATE login_throttles SET window_start = now() - interval '2 hours', blocked_until = now() - interval '1 hour'
      WHERE key LIKE ${`%|${attacker}`} OR key = ${`account:${victim.id}`}`;
    await failFrom(attacker, victim.username, 4);
    await expectLoggedIn(attacker, victim);
  });
});

describe('many addresses against one account', () => {
  it('past the account-wide limit, blocks addresses the account never signed in from, and only those', async () => {
    const victim = await registerUser(t);
    await expectLoggedIn('192.0.2.1', victim); // the owner's usual address
    // 12 failures (the account-wide limit here) from 4 addresses, 3 each: no pair reaches its limit.
    for (const host of [101, 102, 103, 104]) await failFrom(`192.0.2.${host}`, victim.username, 3);

    const fromNewAddress = await loginFrom('192.0.2.105', victim.username, victim.password);
    expect(codeOf(fromNewAddress), fromNewAddress.raw).toBe('RATE_LIMITED');
    expect(retryAfterOf(fromNewAddress)).toBeGreaterThan(0);
    // The owner's known address still works, and so does every other account.
    await expectLoggedIn('192.0.2.1', victim);
    await expectLoggedIn('192.0.2.105', await registerUser(t));
  });
});

describe('one address, many accounts (an office behind one NAT)', () => {
  it('20 failures on 5 accounts block nobody: neither those accounts nor a colleague signing in for the first time', async () => {
    const office = '10.20.30.40';
    const typists = await Promise.all(Array.from({ length: 5 }, () => registerUser(t)));
    for (const typist of typists) await failFrom(office, typist.username, 4);
    await expectLoggedIn(office, await registerUser(t));
    for (const typist of typists) await expectLoggedIn(office, typist);
  });

  it('failures on 20 different accounts block first sign-ins from that address, not accounts known there', async () => {
    const sprayer = '10.20.30.50';
    const regular = await registerUser(t);
    await expectLoggedIn(sprayer, regular);
    for (let account = 1; account <= 20; account += 1) await failFrom(sprayer, `nobody-${account}-${Date.now()}`, 1);

    const newcomer = await registerUser(t);
    const refused = await loginFrom(sprayer, newcomer.username, newcomer.password);
    expect(codeOf(refused), refused.raw).toBe('RATE_LIMITED');
    expect(retryAfterOf(refused)).toBeGreaterThan(0);
    await expectLoggedIn(sprayer, regular);
    await expectLoggedIn('10.20.30.51', newcomer);
  });
});

describe('unlockUser', () => {
  it('lets an admin clear the blocks of an account, audited; others are refused', async () => {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const victim = await registerUser(t);
    // Its pair with .60 blocked (5 failures), and the account-wide limit (12) reached from .61 and .62.
    await failFrom('203.0.113.60', victim.username, 5);
    await failFrom('203.0.113.61', victim.username, 4);
    await failFrom('203.0.113.62', victim.username, 3);
    expect(codeOf(await loginFrom('203.0.113.60', victim.username, victim.password))).toBe('RATE_LIMITED');
    expect(codeOf(await loginFrom('203.0.113.64', victim.username, victim.password))).toBe('RATE_LIMITED');

    const byUser = await t.gql(UNLOCK, { userId: victim.id }, { token: victim.accessToken });
    expect(codeOf(byUser)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(UNLOCK, { userId: victim.id }))).toBe('UNAUTHENTICATED');

    const unlocked = await t.gql(UNLOCK, { userId: victim.id }, { token: admin.accessToken });
    expect(unlocked.errors, unlocked.raw).toBeUndefined();
    expect(unlocked.data!.unlockUser).toEqual({ id: victim.id, username: victim.username });
    await expectLoggedIn('203.0.113.60', victim);
    await expectLoggedIn('203.0.113.64', victim);

    const audit = await t.deps.db.auditEntry.findMany({ where: { action: 'user.unlocked', targetId: victim.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, targetType: 'User' });

    const missing = await t.gql(UNLOCK, { userId: 'usr_missing' }, { token: admin.accessToken });
    expect(codeOf(missing)).toBe('NOT_FOUND');
  });
});

describe('housekeeping', () => {
  it('keeps an address an account signed in from as known for 90 days, then forgets it', async () => {
    const user = await registerUser(t);
    await expectLoggedIn('192.0.2.201', user);
    const key = `pair:${user.id}|192.0.2.201`;
    await t.deps.db.$executeRaw`
      UPDATE login_throttles SET window_start = now() - interval '30 days', last_success_at = now() - interval '30 days' WHERE key = ${key}`;
    await runHousekeeping(t.deps);
    expect(await t.deps.db.loginThrottle.findUnique({ where: { key } })).not.toBeNull();

    await t.deps.db.$executeRaw`UPDATE login_throttles SET last_success_at = now() - interval '91 days' WHERE key = ${key}`;
    await runHousekeeping(t.deps);
    expect(await t.deps.db.loginThrottle.findUnique({ where: { key } })).toBeNull();
  });
});
