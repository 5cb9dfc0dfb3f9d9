import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
let admin: Awaited<ReturnType<typeof registerUser>>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await registerUser(t);
  await makeAdmin(t, admin.id);
});
afterAll(async () => {
  await t.close();
});

const USERS = `query ($first: Int, $after: String, $search: String, $role: Role) {
  users(first: $first, after: $after, search: $search, role: $role) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id username email role isActive } }
  }
}`;
const SET_ROLE = `mutation ($userId: ID!, $role: Role!) { setUserRole(userId: $userId, role: $role) { id role } }`;
const SET_ACTIVE = `mutation ($userId: ID!, $active: Boolean!) { setUserActive(userId: $userId, active: $active) { id isActive } }`;
const ME = `{ me { id } }`;
const NODE = `query ($id: ID!) {
  node(id: $id) {
    __typename id
    ... on User { username email role }
    ... on ApiKey { name prefix }
    ... on ProviderKey { name last4 }
  }
}`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;
const SET_PROVIDER_KEY = `mutation ($input: SetProviderKeyInput!) { setProviderKey(input: $input) { id } }`;

type UserNode = { id: string; username: string; email: string | null; role: string; isActive: boolean };
type Users = {
  users: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: UserNode }[];
  };
};
const codeOf = (result: { errors?: { extensions?: { code?: string } }[] }) => result.errors?.[0]?.extensions?.code;
const tag = () => randomBytes(4).toString('hex');

async function users(variables: Record<string, unknown>, token = admin.accessToken) {
  const result = await t.gql<Users>(USERS, variables, { token });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.users;
}

describe('users (admin only)', () => {
  it('refuses anonymous callers with UNAUTHENTICATED and non-admins with FORBIDDEN', async () => {
    const plain = await registerUser(t);
    const anonymous = await t.gql(USERS, { first: 2 });
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    expect(anonymous.data).toBeNull();
    const forbidden = await t.gql(USERS, { first: 2 }, { token: plain.accessToken });
    expect(codeOf(forbidden)).toBe('FORBIDDEN');
    expect(forbidden.data).toBeNull();
    expect(forbidden.raw).not.toContain(admin.email);
  });

  it('pages through the matching users with totalCount, hasNextPage and endCursor', async () => {
    const group = tag();
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      created.push((await registerUser(t, { username: `pg${group}u${index}` })).id);
    }

    const seen: UserNode[] = [];
    const pages: number[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await users({ first: 2, after, search: `pg${group}` });
      expect(page.totalCount).toBe(5);
      pages.push(page.edges.length);
      seen.push(...page.edges.map((edge) => edge.node));
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages.length).toBeLessThan(5);
    }
    expect(pages).toEqual([2, 2, 1]);
    // Newest first, each user once, emails visible to the admin.
    expect(seen.map((user) => user.id)).toEqual([...created].reverse());
    expect(seen.every((user) => user.email?.endsWith('@example.com'))).toBe(true);

    // Without a search every account counts, admin included.
    const all = await users({ first: 2 });
    expect(all.totalCount).toBe(await t.deps.db.user.count());
    expect(all.edges).toHaveLength(2);
    expect(all.pageInfo.hasNextPage).toBe(true);
  });

  it('searches username and email by case-insensitive substring', async () => {
    const group = tag();
    const byName = await registerUser(t, { username: `srch${group}name`, email: `plain${tag()}@example.com` });
    const byEmail = await registerUser(t, { username: `plain${tag()}`, email: `Mail.${group}@Example.com` });
    await registerUser(t);

    const both = await users({ search: group.toUpperCase() });
    expect(both.edges.map((edge) => edge.node.id).sort()).toEqual([byName.id, byEmail.id].sort());
    expect(both.totalCount).toBe(2);

    const nameOnly = await users({ search: `SRCH${group}` });
    expect(nameOnly.edges.map((edge) => edge.node.id)).toEqual([byName.id]);
    const emailOnly = await users({ search: `mail.${group}@` });
    expect(emailOnly.edges.map((edge) => edge.node.id)).toEqual([byEmail.id]);

    const none = await users({ search: `nobody${tag()}` });
    expect(none).toEqual({ totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  it('filters by role', async () => {
    const group = tag();
    const ids = [];
    for (let index = 0; index < 3; index += 1) ids.push((await registerUser(t, { username: `rl${group}u${index}` })).id);
    await makeAdmin(t, ids[1]);

    const admins = await users({ search: `rl${group}`, role: 'ADMIN' });
    expect(admins.totalCount).toBe(1);
    expect(admins.edges.map((edge) => edge.node)).toEqual([expect.objectContaining({ id: ids[1], role: 'ADMIN' })]);
    const plain = await users({ search: `rl${group}`, role: 'USER' });
    expect(plain.totalCount).toBe(2);
    expect(plain.edges.map((edge) => edge.node.id).sort()).toEqual([ids[0], ids[2]].sort());
    expect(plain.edges.every((edge) => edge.node.role === 'USER')).toBe(true);

    const everyAdmin = await users({ role: 'ADMIN', first: 100 });
    expect(everyAdmin.edges.map((edge) => edge.node.id)).toEqual(expect.arrayContaining([admin.id, ids[1]]));
    expect(everyAdmin.edges.every((edge) => edge.node.role === 'ADMIN')).toBe(true);
  });

  it('caps a page at 100 users when asked for more', async () => {
    const group = tag();
    await t.deps.db.user.createMany({
      data: Array.from({ length: 105 }, (_, index) => ({
        id: newId('User'),
        username: `cap${group}u${index}`,
        email: `cap${group}u${index}@example.com`,
      })),
    });
    const page = await users({ first: 500, search: `cap${group}` });
    expect(page.totalCount).toBe(105);
    expect(page.edges).toHaveLength(100);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await users({ first: 500, search: `cap${group}`, after: page.pageInfo.endCursor });
    expect(rest.edges).toHaveLength(5);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...page.edges, ...rest.edges].map((edge) => edge.node.id)).size).toBe(105);

    // Without `first`, a page holds 20.
    expect((await users({ search: `cap${group}` })).edges).toHaveLength(20);
  });

  it('answers a negative page size or a malformed cursor with BAD_USER_INPUT, not an internal error', async () => {
    for (const variables of [{ first: -1 }, { first: 2, after: 'not-a-cursor' }]) {
      const result = await t.gql(USERS, variables, { token: admin.accessToken });
      expect(codeOf(result), JSON.stringify(variables)).toBe('BAD_USER_INPUT');
      expect(result.data).toBeNull();
    }
  });
});

describe('setUserRole', () => {
  it('promotes and demotes, and the change applies to the next request', async () => {
    const bob = await registerUser(t);
    expect(codeOf(await t.gql(USERS, { first: 1 }, { token: bob.accessToken }))).toBe('FORBIDDEN');

    const promoted = await t.gql(SET_ROLE, { userId: bob.id, role: 'ADMIN' }, { token: admin.accessToken });
    expect(promoted.errors).toBeUndefined();
    expect(promoted.data!.setUserRole).toEqual({ id: bob.id, role: 'ADMIN' });
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: bob.id } })).role).toBe('ADMIN');
    expect((await t.gql(USERS, { first: 1 }, { token: bob.accessToken })).errors).toBeUndefined();

    const demoted = await t.gql(SET_ROLE, { userId: bob.id, role: 'USER' }, { token: admin.accessToken });
    expect(demoted.data!.setUserRole).toEqual({ id: bob.id, role: 'USER' });
    expect(codeOf(await t.gql(USERS, { first: 1 }, { token: bob.accessToken }))).toBe('FORBIDDEN');
  });

  it('does not let an admin demote themself, nor a non-admin change roles', async () => {
    const self = await t.gql(SET_ROLE, { userId: admin.id, role: 'USER' }, { token: admin.accessToken });
    expect(codeOf(self)).toBe('BAD_USER_INPUT');
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe('ADMIN');

    const carol = await registerUser(t);
    const selfPromote = await t.gql(SET_ROLE, { userId: carol.id, role: 'ADMIN' }, { token: carol.accessToken });
    expect(codeOf(selfPromote)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(SET_ROLE, { userId: carol.id, role: 'ADMIN' }))).toBe('UNAUTHENTICATED');
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: carol.id } })).role).toBe('USER');

    const missing = await t.gql(SET_ROLE, { userId: 'usr_00000000000000000000000000', role: 'ADMIN' }, {
      token: admin.accessToken,
    });
    expect(codeOf(missing)).toBe('NOT_FOUND');
  });
});

describe('setUserActive', () => {
  it("makes the user's access token and API key stop working on the next request, and back", async () => {
    const dave = await registerUser(t);
    const key = await t.gql<{ createApiKey: { secret: string } }>(
      CREATE_KEY,
      { input: { name: 'ci', scopes: ['READ', 'WRITE'] } },
      { token: dave.accessToken },
    );
    const secret = key.data!.createApiKey.secret;
    expect((await t.gql(ME, {}, { token: dave.accessToken })).data!.me.id).toBe(dave.id);
    expect((await t.gql(ME, {}, { token: secret })).data!.me.id).toBe(dave.id);

    const off = await t.gql(SET_ACTIVE, { userId: dave.id, active: false }, { token: admin.accessToken });
    expect(off.errors).toBeUndefined();
    expect(off.data!.setUserActive).toEqual({ id: dave.id, isActive: false });

    for (const options of [{ token: dave.accessToken }, { token: secret }, { headers: { 'x-api-key': secret } }]) {
      const result = await t.gql(ME, {}, options);
      expect(codeOf(result), JSON.stringify(options)).toBe('UNAUTHENTICATED');
      expect(result.data?.me ?? null).toBeNull();
    }
    // The refresh token is revoked too.
    const refresh = await t.gql(`mutation ($token: String!) { refreshSession(refreshToken: $token) { accessToken } }`, {
      token: dave.refreshToken,
    });
    expect(codeOf(refresh)).toBe('UNAUTHENTICATED');
    // The admin still sees the account, marked inactive.
    const listed = await users({ search: dave.username });
    expect(listed.edges.map((edge) => edge.node)).toEqual([expect.objectContaining({ id: dave.id, isActive: false })]);

    const on = await t.gql(SET_ACTIVE, { userId: dave.id, active: true }, { token: admin.accessToken });
    expect(on.data!.setUserActive).toEqual({ id: dave.id, isActive: true });
    expect((await t.gql(ME, {}, { token: secret })).data!.me.id).toBe(dave.id);
  });

  it('does not let an admin deactivate themself, nor a non-admin deactivate anyone', async () => {
    const self = await t.gql(SET_ACTIVE, { userId: admin.id, active: false }, { token: admin.accessToken });
    expect(codeOf(self)).toBe('BAD_USER_INPUT');
    const erin = await registerUser(t);
    const other = await registerUser(t);
    expect(codeOf(await t.gql(SET_ACTIVE, { userId: other.id, active: false }, { token: erin.accessToken }))).toBe(
      'FORBIDDEN',
    );
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: other.id } })).isActive).toBe(true);
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: admin.id } })).isActive).toBe(true);
  });
});

describe('node(id)', () => {
  it('answers another user only to admins, and null (as for a missing id) to anyone else', async () => {
    const frank = await registerUser(t);
    const gina = await registerUser(t);
    const missingId = 'usr_00000000000000000000000000';

    const own = await t.gql(NODE, { id: frank.id }, { token: frank.accessToken });
    expect(own.data!.node).toMatchObject({ __typename: 'User', id: frank.id, email: frank.email });

    const foreign = await t.gql(NODE, { id: gina.id }, { token: frank.accessToken });
    const missing = await t.gql(NODE, { id: missingId }, { token: frank.accessToken });
    expect(foreign.errors).toBeUndefined();
    expect(foreign.data).toEqual({ node: null });
    expect(foreign.raw).toBe(missing.raw);
    expect(foreign.raw).not.toContain(gina.email);

    const anonymous = await t.gql(NODE, { id: gina.id });
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data).toEqual({ node: null });

    const byAdmin = await t.gql(NODE, { id: gina.id }, { token: admin.accessToken });
    expect(byAdmin.data!.node).toEqual({
      __typename: 'User',
      id: gina.id,
      username: gina.username,
      email: gina.email,
      role: 'USER',
    });
    expect((await t.gql(NODE, { id: missingId }, { token: admin.accessToken })).data).toEqual({ node: null });
  });

  it('answers ApiKey and ProviderKey ids to their owner only', async () => {
    const owner = await registerUser(t);
    const stranger = await registerUser(t);
    const key = await t.gql<{ createApiKey: { apiKey: { id: string } } }>(
      CREATE_KEY,
      { input: { name: 'node key', scopes: ['READ'] } },
      { token: owner.accessToken },
    );
    const apiKeyId = key.data!.createApiKey.apiKey.id;
    const providerSecret = `sk-node-${tag()}${tag()}`;
    const provider = await t.gql<{ setProviderKey: { id: string } }>(
      SET_PROVIDER_KEY,
      { input: { provider: 'OPENAI', name: 'node key', secret: providerSecret } },
      { token: owner.accessToken },
    );
    const providerKeyId = provider.data!.setProviderKey.id;

    const apiKeyNode = await t.gql(NODE, { id: apiKeyId }, { token: owner.accessToken });
    expect(apiKeyNode.data!.node).toMatchObject({ __typename: 'ApiKey', id: apiKeyId, name: 'node key' });
    const providerNode = await t.gql(NODE, { id: providerKeyId }, { token: owner.accessToken });
    expect(providerNode.data!.node).toEqual({
      __typename: 'ProviderKey',
      id: providerKeyId,
      name: 'node key',
      last4: providerSecret.slice(-4),
    });
    expect(providerNode.raw).not.toContain(providerSecret);

    // Another user, an admin, and an anonymous caller all get null, exactly as for a missing id.
    const missingFor = async (prefix: string, token?: string) =>
      (await t.gql(NODE, { id: `${prefix}_00000000000000000000000000` }, { token })).raw;
    for (const [id, prefix] of [
      [apiKeyId, 'key'],
      [providerKeyId, 'pvk'],
    ]) {
      for (const token of [stranger.accessToken, admin.accessToken, undefined]) {
        const result = await t.gql(NODE, { id }, { token });
        expect(result.errors).toBeUndefined();
        expect(result.data).toEqual({ node: null });
        expect(result.raw).toBe(await missingFor(prefix, token));
      }
    }
  });

  it('answers garbage and unsupported ids with null', async () => {
    const refreshTokenId = (await t.deps.db.refreshToken.findFirstOrThrow({ where: { userId: admin.id } })).id;
    for (const id of ['', 'garbage', 'usr_', 'usr_!!', 'xyz_00000000000000000000000000', refreshTokenId, `${admin.id}x`]) {
      for (const token of [admin.accessToken, undefined]) {
        const result = await t.gql(NODE, { id }, { token });
        expect(result.errors, `${id}: ${result.raw}`).toBeUndefined();
        expect(result.data).toEqual({ node: null });
      }
    }
  });
});
