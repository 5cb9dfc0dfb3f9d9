import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const CREATE = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt } }
}`;
const LIST = `{ apiKeys { id name prefix scopes createdAt lastUsedAt expiresAt revokedAt } }`;
const REVOKE = `mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
const ME = `{ me { id username } }`;
const SET_PROVIDER_KEY = `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id last4 } }`;
const USERS = `{ users(first: 5) { totalCount edges { node { id } } } }`;
const SET_ROLE = `mutation ($userId: ID!, $role: Role!) { setUserRole(userId: $userId, role: $role) { id role } }`;

type Created = {
  createApiKey: {
    secret: string;
    apiKey: { id: string; name: string; prefix: string; scopes: string[]; lastUsedAt: string | null };
  };
};

async function createKey(token: string, input: { name?: string; scopes: string[]; expiresAt?: string }) {
  const result = await t.gql<Created>(CREATE, { input: { name: 'key', ...input } }, { token });
  if (!result.data) throw new Error(`createApiKey failed: ${result.raw}`);
  return result.data.createApiKey;
}

const bearer = (key: string) => ({ token: key });
const xApiKey = (key: string) => ({ headers: { 'x-api-key': key } });
const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;

describe('creating and listing API keys', () => {
  it('shows the secret once, lists the key without it, and stores only prefix and SHA-256 hash', async () => {
    const alice = await registerUser(t);
    const created = await t.gql<Created>(CREATE, { input: { name: ' CI runner ', scopes: ['READ', 'WRITE'] } }, {
      token: alice.accessToken,
    });
    expect(created.errors).toBeUndefined();
    const { secret, apiKey } = created.data!.createApiKey;
    expect(secret.startsWith('prl_')).toBe(true);
    // At least 128 random bits: base64url carries 6 bits a character.
    const body = secret.slice('prl_'.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(body.length * 6).toBeGreaterThanOrEqual(128);
    expect(apiKey).toMatchObject({ name: 'CI runner', scopes: ['READ', 'WRITE'], lastUsedAt: null, revokedAt: null });
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(secret.length / 2);

    // A second key has a different secret and prefix.
    const other = await createKey(alice.accessToken, { scopes: ['READ'] });
    expect(other.secret).not.toBe(secret);
    expect(other.apiKey.prefix).not.toBe(apiKey.prefix);

    const list = await t.gql<{ apiKeys: { id: string; name: string; prefix: string; scopes: string[] }[] }>(LIST, {}, {
      token: alice.accessToken,
    });
    expect(list.errors).toBeUndefined();
    expect(list.data!.apiKeys.map((key) => key.id).sort()).toEqual([apiKey.id, other.apiKey.id].sort());
    expect(list.data!.apiKeys.find((key) => key.id === apiKey.id)).toMatchObject({
      name: 'CI runner',
      prefix: apiKey.prefix,
      scopes: ['READ', 'WRITE'],
    });
    expect(list.raw).not.toContain(secret);
    expect(list.raw).not.toContain(other.secret);

    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.prefix).toBe(apiKey.prefix);
    expect(row.keyHash).toBe(createHash('sha256').update(secret).digest('hex'));
    const rowText = JSON.stringify(row);
    expect(rowText).not.toContain(secret);
    expect(rowText).not.toContain(body);
    // Nor does the log.
    expect(t.logs.join('')).not.toContain(secret);
  });

  it('refuses an expiry in the past, empty scopes and an empty name with BAD_USER_INPUT', async () => {
    const bob = await registerUser(t);
    const cases = [
      { name: 'old', scopes: ['READ'], expiresAt: new Date(Date.now() - 60_000).toISOString() },
      { name: 'none', scopes: [] },
      { name: '   ', scopes: ['READ'] },
    ];
    for (const input of cases) {
      const result = await t.gql(CREATE, { input }, { token: bob.accessToken });
      expect(codeOf(result), JSON.stringify(input)).toBe('BAD_USER_INPUT');
    }
    expect(await t.deps.db.apiKey.count({ where: { userId: bob.id } })).toBe(0);

    const future = new Date(Date.now() + 3_600_000);
    const ok = await createKey(bob.accessToken, { scopes: ['READ'], expiresAt: future.toISOString() });
    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: ok.apiKey.id } });
    expect(row.expiresAt?.toISOString()).toBe(future.toISOString());
  });

  it('requires authentication to list or create keys', async () => {
    expect(codeOf(await t.gql(LIST))).toBe('UNAUTHENTICATED');
    expect(codeOf(await t.gql(CREATE, { input: { name: 'x', scopes: ['READ'] } }))).toBe('UNAUTHENTICATED');
  });
});

describe('authenticating with an API key', () => {
  it('works as a Bearer token and as x-api-key, and records lastUsedAt', async () => {
    const carol = await registerUser(t);
    const { secret, apiKey } = await createKey(carol.accessToken, { scopes: ['READ'] });
    expect((await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } })).lastUsedAt).toBeNull();

    for (const options of [bearer(secret), xApiKey(secret)]) {
      const me = await t.gql(ME, {}, options);
      expect(me.errors).toBeUndefined();
      expect(me.data!.me).toMatchObject({ id: carol.id, username: carol.username });
    }

    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.lastUsedAt).not.toBeNull();
    expect(Math.abs(row.lastUsedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    const list = await t.gql<{ apiKeys: { id: string; lastUsedAt: string | null }[] }>(LIST, {}, bearer(secret));
    expect(list.data!.apiKeys.find((key) => key.id === apiKey.id)!.lastUsedAt).not.toBeNull();
  });

  it('refuses a made-up key, and a real key with a wrong tail, with UNAUTHENTICATED', async () => {
    const dave = await registerUser(t);
    const { secret } = await createKey(dave.accessToken, { scopes: ['READ'] });
    const tampered = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const key of ['prl_notarealkeyatall', tampered]) {
      for (const options of [bearer(key), xApiKey(key)]) {
        const result = await t.gql(ME, {}, options);
        expect(codeOf(result)).toBe('UNAUTHENTICATED');
        expect(result.data?.me ?? null).toBeNull();
      }
    }
  });

  it('refuses a revoked key with UNAUTHENTICATED', async () => {
    const erin = await registerUser(t);
    const { secret, apiKey } = await createKey(erin.accessToken, { scopes: ['READ', 'WRITE'] });
    expect((await t.gql(ME, {}, bearer(secret))).data!.me.id).toBe(erin.id);

    const revoked = await t.gql(REVOKE, { id: apiKey.id }, { token: erin.accessToken });
    expect(revoked.errors).toBeUndefined();
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();

    for (const options of [bearer(secret), xApiKey(secret)]) {
      expect(codeOf(await t.gql(ME, {}, options))).toBe('UNAUTHENTICATED');
    }
    // Revoking again is harmless and keeps the first revocation time.
    const again = await t.gql(REVOKE, { id: apiKey.id }, { token: erin.accessToken });
    expect(again.data!.revokeApiKey.revokedAt).toBe(revoked.data!.revokeApiKey.revokedAt);
  });

  it('refuses an expired key with UNAUTHENTICATED', async () => {
    const frank = await registerUser(t);
    const { secret, apiKey } = await createKey(frank.accessToken, {
      scopes: ['READ'],
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await t.gql(ME, {}, bearer(secret))).data!.me.id).toBe(frank.id);

    await t.deps.db.apiKey.update({ where: { id: apiKey.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const options of [bearer(secret), xApiKey(secret)]) {
      expect(codeOf(await t.gql(ME, {}, options))).toBe('UNAUTHENTICATED');
    }
  });
});

describe('API key scopes', () => {
  it('lets a READ key query but not mutate', async () => {
    const gina = await registerUser(t);
    const { secret } = await createKey(gina.accessToken, { scopes: ['READ'] });

    const me = await t.gql(ME, {}, bearer(secret));
    expect(me.errors).toBeUndefined();
    expect(me.data!.me.id).toBe(gina.id);
    expect((await t.gql(LIST, {}, bearer(secret))).errors).toBeUndefined();

    const mutations: [string, Record<string, unknown>][] = [
      [CREATE, { input: { name: 'escalate', scopes: ['READ'] } }],
      [SET_PROVIDER_KEY, { input: { provider: 'OPENAI', name: 'default', secret: 'sk-readonly-attempt-1234' } }],
    ];
    for (const [query, variables] of mutations) {
      for (const options of [bearer(secret), xApiKey(secret)]) {
        const result = await t.gql(query, variables, options);
        expect(codeOf(result), query).toBe('FORBIDDEN');
        expect(result.data ?? null).toBeNull();
      }
    }
    expect(await t.deps.db.apiKey.count({ where: { userId: gina.id } })).toBe(1);
    expect(await t.deps.db.providerKey.count({ where: { userId: gina.id } })).toBe(0);
  });

  it('lets a WRITE key mutate, but not mint keys with more scopes than it has', async () => {
    const hank = await registerUser(t);
    const { secret } = await createKey(hank.accessToken, { scopes: ['WRITE'] });

    const setKey = await t.gql(
      SET_PROVIDER_KEY,
      { input: { provider: 'OPENAI', name: 'default', secret: 'sk-written-by-a-key-5678' } },
      bearer(secret),
    );
    expect(setKey.errors).toBeUndefined();
    expect(setKey.data!.setProviderKey.last4).toBe('5678');

    const child = await t.gql<Created>(CREATE, { input: { name: 'child', scopes: ['READ'] } }, xApiKey(secret));
    expect(child.errors).toBeUndefined();
    expect(child.data!.createApiKey.apiKey.scopes).toEqual(['READ']);
    expect(await t.deps.db.apiKey.count({ where: { userId: hank.id } })).toBe(2);
  });

  it('needs both the ADMIN role and an ADMIN-scoped key for admin operations', async () => {
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const target = await registerUser(t);

    const writeOnly = await createKey(admin.accessToken, { scopes: ['READ', 'WRITE'] });
    const adminKey = await createKey(admin.accessToken, { scopes: ['READ', 'WRITE', 'ADMIN'] });
    expect(adminKey.apiKey.scopes).toEqual(['READ', 'WRITE', 'ADMIN']);

    // Role ADMIN, but the key lacks the ADMIN scope.
    const users = await t.gql(USERS, {}, bearer(writeOnly.secret));
    expect(codeOf(users)).toBe('FORBIDDEN');
    expect(users.data).toBeNull();
    const promote = await t.gql(SET_ROLE, { userId: target.id, role: 'ADMIN' }, bearer(writeOnly.secret));
    expect(codeOf(promote)).toBe('FORBIDDEN');
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: target.id } })).role).toBe('USER');
    // Nor can the WRITE key mint itself an ADMIN key.
    const escalate = await t.gql(CREATE, { input: { name: 'up', scopes: ['ADMIN'] } }, bearer(writeOnly.secret));
    expect(codeOf(escalate)).toBe('BAD_USER_INPUT');

    // Role ADMIN with an ADMIN-scoped key.
    const adminUsers = await t.gql(USERS, {}, xApiKey(adminKey.secret));
    expect(adminUsers.errors).toBeUndefined();
    expect(adminUsers.data!.users.totalCount).toBeGreaterThanOrEqual(2);
    const promoted = await t.gql(SET_ROLE, { userId: target.id, role: 'ADMIN' }, bearer(adminKey.secret));
    expect(promoted.errors).toBeUndefined();
    expect(promoted.data!.setUserRole).toEqual({ id: target.id, role: 'ADMIN' });

    // Once the owner loses the ADMIN role, the ADMIN-scoped key loses admin power too.
    await t.deps.db.user.update({ where: { id: admin.id }, data: { role: 'USER' } });
    expect(codeOf(await t.gql(USERS, {}, bearer(adminKey.secret)))).toBe('FORBIDDEN');
  });

  it('does not let a non-admin create an ADMIN-scoped key', async () => {
    const ivy = await registerUser(t);
    const result = await t.gql(CREATE, { input: { name: 'admin', scopes: ['READ', 'ADMIN'] } }, {
      token: ivy.accessToken,
    });
    expect(codeOf(result)).toBe('BAD_USER_INPUT');
    expect(result.data).toBeNull();
    expect(await t.deps.db.apiKey.count({ where: { userId: ivy.id } })).toBe(0);
    // And a plain user's session cannot use admin operations at all.
    expect(codeOf(await t.gql(USERS, {}, { token: ivy.accessToken }))).toBe('FORBIDDEN');
  });
});

describe('isolation between users', () => {
  it("hides another user's keys, and answers revoking one exactly like a missing id", async () => {
    const owner = await registerUser(t);
    const stranger = await registerUser(t);
    const { secret, apiKey } = await createKey(owner.accessToken, { name: 'mine', scopes: ['READ'] });

    const strangerList = await t.gql<{ apiKeys: { id: string }[] }>(LIST, {}, { token: stranger.accessToken });
    expect(strangerList.errors).toBeUndefined();
    expect(strangerList.data!.apiKeys).toEqual([]);
    expect(strangerList.raw).not.toContain(apiKey.id);

    const foreign = await t.gql(REVOKE, { id: apiKey.id }, { token: stranger.accessToken });
    const missing = await t.gql(REVOKE, { id: 'key_00000000000000000000000000' }, { token: stranger.accessToken });
    expect(foreign.errors).toHaveLength(1);
    expect(foreign.errors![0].extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors).toEqual(missing.errors);
    expect(foreign.data).toEqual(missing.data);
    expect(foreign.status).toBe(missing.status);

    // The owner's key is untouched and still works.
    const row = await t.deps.db.apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.revokedAt).toBeNull();
    expect((await t.gql(ME, {}, bearer(secret))).data!.me.id).toBe(owner.id);
  });
});
