// The user behind an access token is cached per API process (services/userCache.ts). These tests hold
// the security rules to it: a change in one process (or straight in SQL) reaches every other process's
// cache by the users_changed NOTIFY, the writing process forgets at once, the cache is off while its
// listener is disconnected, and it is bounded.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UserCache } from '../server/services/userCache.ts';
import { withClient } from './setup/globalSetup.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const ME = `{ me { id } }`;
const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }`;

let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  const shared = { ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  a = await createTestApp(shared);
  b = await createTestApp(shared, { databaseUrl: a.databaseUrl });
});

afterAll(async () => {
  await b?.close();
  await a?.close();
});

async function meOn(t: TestApp, token: string) {
  const result = await t.gql<{ me: { id: string } | null }>(ME, {}, { token });
  return { id: result.data?.me?.id ?? null, code: result.errors?.[0]?.extensions?.code ?? null };
}

describe('user cache', () => {
  it('a password change in one process ends the old token in another process once its event arrives, with no expiry involved', async () => {
    const user = await registerUser(a);
    expect(await meOn(b, user.accessToken)).toEqual({ id: user.id, code: null });
    expect(b.deps.userCache?.holds(user.id)).toBe(true);

    const changed = await a.gql<{ changePassword: { accessToken: string } }>(
      CHANGE,
      { input: { currentPassword: user.password, newPassword: 'another long enough password' } },
      { token: user.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    await waitFor('process B to hear of the change', async () => !b.deps.userCache?.holds(user.id));
    expect(await meOn(b, user.accessToken)).toEqual({ id: null, code: 'UNAUTHENTICATED' });
    expect(await meOn(b, changed.data!.changePassword.accessToken)).toEqual({ id: user.id, code: null });
  });

  it('the writing process refuses the old token in its very next request, without waiting for the event', async () => {
    const user = await registerUser(a);
    expect(await meOn(a, user.accessToken)).toEqual({ id: user.id, code: null });
    expect(a.deps.userCache?.holds(user.id)).toBe(true);
    await a.gql(CHANGE, { input: { currentPassword: user.password, newPassword: 'another long enough password' } }, { token: user.accessToken });
    expect(await meOn(a, user.accessToken)).toEqual({ id: null, code: 'UNAUTHENTICATED' });
  });

  it('a change made in plain SQL by another writer (deactivation, erasure) reaches the cache too', async () => {
    const deactivated = await registerUser(a);
    const erased = await registerUser(a);
    for (const user of [deactivated, erased]) {
      expect(await meOn(b, user.accessToken)).toEqual({ id: user.id, code: null });
      expect(b.deps.userCache?.holds(user.id)).toBe(true);
    }
    await withClient(a.databaseUrl, async (client) => {
      await client.query('UPDATE users SET is_active = false WHERE id = $1', [deactivated.id]);
      await client.query('DELETE FROM users WHERE id = $1', [erased.id]);
    });
    await waitFor('process B to hear of both changes', async () => !b.deps.userCache?.holds(deactivated.id) && !b.deps.userCache?.holds(erased.id));
    expect(await meOn(b, deactivated.accessToken)).toEqual({ id: null, code: 'UNAUTHENTICATED' });
    expect(await meOn(b, erased.accessToken)).toEqual({ id: null, code: 'UNAUTHENTICATED' });
  });

  it('is off while its listener is disconnected, emptied, and on again once reconnected', async () => {
    const user = await registerUser(a);
    await meOn(b, user.accessToken);
    expect(b.deps.userCache?.holds(user.id)).toBe(true);
    await withClient(a.databaseUrl, (client) =>
      client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database() AND query = 'LISTEN parlance_user_changes' AND pid <> pg_backend_pid()`),
    );
    await waitFor('the cache to turn off', async () => b.deps.userCache?.isOn === false);
    expect(b.deps.userCache?.holds(user.id)).toBe(false);
    await waitFor('the listener to reconnect', async () => b.deps.userCache?.isOn === true);
    expect(await meOn(b, user.accessToken)).toEqual({ id: user.id, code: null });
    expect(b.deps.userCache?.holds(user.id)).toBe(true);
  });

  it('holds at most its size, dropping the least recently used, and never stores a row read before an invalidation', async () => {
    const cache = new UserCache(2);
    cache.setListening(true);
    const row = (id: string) => ({ id }) as never;
    await cache.user('u1', async () => row('u1'));
    await cache.user('u2', async () => row('u2'));
    await cache.user('u1', async () => row('u1'));
    await cache.user('u3', async () => row('u3'));
    expect([cache.holds('u1'), cache.holds('u2'), cache.holds('u3'), cache.size]).toEqual([true, false, true, 2]);

    let finishRead!: () => void;
    const pending = cache.user('u4', () => new Promise((resolve) => (finishRead = () => resolve(row('u4')))));
    cache.forget('u4');
    finishRead();
    await pending;
    expect(cache.holds('u4')).toBe(false);
  });
});

describe('verified access tokens', () => {
  it('are remembered by their exact text, yet an expired one is refused and an altered one is checked afresh', async () => {
    const user = await registerUser(a);
    const { token } = await a.deps.accessTokens.issue(user.id);
    expect((await a.deps.accessTokens.verify(token)).sub).toBe(user.id);
    const [header, payload, signature] = token.split('.');
    const altered = `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    await expect(a.deps.accessTokens.verify(altered)).rejects.toThrow();
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + (a.deps.env.ACCESS_TOKEN_TTL_SECONDS + 31) * 1000);
      await expect(a.deps.accessTokens.verify(token)).rejects.toThrow();
    } finally {
      vi.useRealTimers();
    }
  });
});
