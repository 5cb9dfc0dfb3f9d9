import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../server/env.ts';
import { ExternalIssuers } from '../server/security/oidc.ts';
import { generateSigningKey, startOidcProvider, unsecuredToken, type OidcProvider } from './helpers/oidcProvider.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const ME = `{ me { id username email role isActive } }`;
const USERS = `{ users(first: 5) { totalCount } }`;
const AUTH0_GROUPS = 'https://parlance.test/groups';
/** Listed in ADMIN_EMAILS, with an `email_verified` claim that is not `true`. */
const UNVERIFIED_CASES: [string, Record<string, unknown>][] = [
  ['unverified-missing', {}],
  ['unverified-false', { email_verified: false }],
  ['unverified-string', { email_verified: 'true' }],
];

let t: TestApp;
/** Authentik style: issuer ends with "/", flat `groups` claim. */
let authentik: OidcProvider;
/** Keycloak style: realm issuer, roles nested at realm_access.roles. */
let keycloak: OidcProvider;
/** Auth0 style: issuer is the tenant root with "/", several audiences, namespaced (dotted URL) claim. */
let auth0: OidcProvider;
/** A second Keycloak realm used only by the key rotation tests, so rotating does not disturb the others. */
let rotating: OidcProvider;
let issuerConfigs: Record<string, unknown>[];

beforeAll(async () => {
  [authentik, keycloak, auth0, rotating] = await Promise.all([
    startOidcProvider({ issuerPath: '/application/o/parlance/', jwksPath: '/application/o/parlance/jwks/' }),
    startOidcProvider({ issuerPath: '/realms/parlance', jwksPath: '/realms/parlance/protocol/openid-connect/certs' }),
    startOidcProvider({ issuerPath: '/', jwksPath: '/.well-known/jwks.json', audience: ['parlance-api', 'https://tenant/userinfo'] }),
    startOidcProvider({ issuerPath: '/realms/rotating', jwksPath: '/realms/rotating/protocol/openid-connect/certs' }),
  ]);
  issuerConfigs = [
    { issuer: authentik.issuer, audience: 'parlance-api', jwksUrl: authentik.jwksUrl, groupsClaim: 'groups', adminGroups: ['parlance-admins'] },
    { issuer: keycloak.issuer, audience: 'parlance-api', jwksUrl: keycloak.jwksUrl, groupsClaim: 'realm_access.roles', adminGroups: ['parlance-admin'] },
    { issuer: auth0.issuer, audience: ['parlance-api'], jwksUrl: auth0.jwksUrl, groupsClaim: AUTH0_GROUPS, adminGroups: ['admins'] },
    { issuer: rotating.issuer, audience: 'parlance-api', jwksUrl: rotating.jwksUrl },
  ];
  t = await createTestApp(
    { OIDC_ISSUERS: JSON.stringify(issuerConfigs), ADMIN_EMAILS: ['boss', 'bootstrap', ...UNVERIFIED_CASES.map(([label]) => label)].map((name) => `${name}@parlance.test`).join(',') },
    { jwksCooldownMs: 0 },
  );
});
afterAll(async () => {
  await t?.close();
  await Promise.all([authentik, keycloak, auth0, rotating].map((issuer) => issuer?.close()));
});

const newSub = (label = 'sub') => `${label}-${randomBytes(6).toString('hex')}`;
const me = (token: string) => t.gql(ME, {}, { token });
const rowsFor = (sub: string) => t.deps.db.user.findMany({ where: { oidcSubject: sub }, orderBy: { id: 'asc' } });

function expectUnauthenticated(result: GqlResult, label: string) {
  expect(result.errors?.[0]?.extensions?.code, `${label}: ${result.raw}`).toBe('UNAUTHENTICATED');
  expect(result.status, label).toBe(401);
  expect(result.data, label).toBeNull();
}

describe('external identities', () => {
  it('creates the user on first sight from preferred_username and email, and me answers with it', async () => {
    const sub = newSub();
    expect(await rowsFor(sub)).toHaveLength(0);
    const token = await authentik.sign({ sub, preferred_username: 'Ada.Lovelace', email: 'Ada@Example.ORG' });
    const result = await me(token);
    expect(result.errors).toBeUndefined();
    expect(result.data!.me).toMatchObject({ username: 'ada.lovelace', email: 'ada@example.org', role: 'USER', isActive: true });

    const rows = await rowsFor(sub);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: result.data!.me.id, oidcIssuer: authentik.issuer, oidcSubject: sub, passwordHash: null });
  });

  it('maps every later token for the same (issuer, sub) to the same user, without new rows', async () => {
    const sub = newSub();
    const first = await me(await authentik.sign({ sub, preferred_username: 'babbage', email: 'babbage@example.org' }));
    const usersAfterFirst = await t.deps.db.user.count();
    // A later token, even one carrying a different username and email, is still the same person.
    const second = await me(
      await authentik.sign({ sub, preferred_username: 'charles', email: 'charles@example.org', iat: Math.floor(Date.now() / 1000) + 1 }),
    );
    const third = await me(await authentik.sign({ sub }));
    expect(first.data!.me.id).toMatch(/^usr_/);
    expect(second.data!.me.id).toBe(first.data!.me.id);
    expect(third.data!.me.id).toBe(first.data!.me.id);
    expect(second.data!.me.username).toBe('babbage');
    expect(await rowsFor(sub)).toHaveLength(1);
    expect(await t.deps.db.user.count()).toBe(usersAfterFirst);
  });

  it('treats the same sub at another issuer as a different user', async () => {
    const sub = newSub();
    const atAuthentik = await me(await authentik.sign({ sub, preferred_username: 'shared_sub' }));
    const atKeycloak = await me(await keycloak.sign({ sub, preferred_username: 'shared_sub' }));
    expect(atAuthentik.errors).toBeUndefined();
    expect(atKeycloak.errors).toBeUndefined();
    expect(atKeycloak.data!.me.id).not.toBe(atAuthentik.data!.me.id);
    expect(atKeycloak.data!.me.username).not.toBe(atAuthentik.data!.me.username);
    const rows = await rowsFor(sub);
    expect(rows.map((row) => row.oidcIssuer).sort()).toEqual([authentik.issuer, keycloak.issuer].sort());
  });

  it('never reaches a local account, even when sub equals its id', async () => {
    const local = await registerUser(t);
    const result = await me(await keycloak.sign({ sub: local.id, preferred_username: local.username, email: local.email }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.me.id).not.toBe(local.id);
    const localRow = await t.deps.db.user.findUniqueOrThrow({ where: { id: local.id } });
    expect(localRow).toMatchObject({ oidcIssuer: null, oidcSubject: null, username: local.username, email: local.email });
  });

  it('creates exactly one user when the first requests of a new identity arrive together', async () => {
    const sub = newSub();
    const token = await authentik.sign({ sub, preferred_username: 'stampede', email: 'stampede@example.org' });
    const results = await Promise.all(Array.from({ length: 6 }, () => me(token)));
    for (const result of results) expect(result.errors, result.raw).toBeUndefined();
    expect(new Set(results.map((result) => result.data!.me.id)).size).toBe(1);
    expect(await rowsFor(sub)).toHaveLength(1);
  });
});

describe('admin role from the issuer, on every request', () => {
  it('Authentik groups: admin with the group, plain user (FORBIDDEN on admin queries) without it', async () => {
    const sub = newSub();
    const asAdmin = await authentik.sign({ sub, preferred_username: 'root_ext', groups: ['staff', 'parlance-admins'] });
    const adminMe = await me(asAdmin);
    expect(adminMe.data!.me.role).toBe('ADMIN');
    const users = await t.gql(USERS, {}, { token: asAdmin });
    expect(users.errors).toBeUndefined();
    expect(users.data!.users.totalCount).toBe(await t.deps.db.user.count());

    const asUser = await authentik.sign({ sub, groups: ['staff'] });
    const userMe = await me(asUser);
    expect(userMe.data!.me).toMatchObject({ id: adminMe.data!.me.id, role: 'USER' });
    const refused = await t.gql(USERS, {}, { token: asUser });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(refused.data).toBeNull();
    expect((await rowsFor(sub))[0].role).toBe('USER');

    // The earlier admin token still carries the group, so it is admin again.
    expect((await me(asAdmin)).data!.me.role).toBe('ADMIN');
    // No groups claim at all: not an admin.
    expect((await me(await authentik.sign({ sub }))).data!.me.role).toBe('USER');
  });

  it('does not count groups that merely resemble the admin group', async () => {
    const sub = newSub();
    for (const groups of [['parlance-admins-readonly'], ['Parlance-Admins'], ['not-parlance-admins'], 'parlance-admins2']) {
      const result = await me(await authentik.sign({ sub, groups }));
      expect(result.data!.me.role, JSON.stringify(groups)).toBe('USER');
    }
    expect(await t.gql(USERS, {}, { token: await authentik.sign({ sub, groups: ['other', 'parlance-admins-readonly'] }) })).toMatchObject({
      errors: [{ extensions: { code: 'FORBIDDEN' } }],
    });
  });

  it('Keycloak realm_access.roles (a nested claim) grants and withdraws admin', async () => {
    const sub = newSub();
    const asAdmin = await keycloak.sign({
      sub,
      preferred_username: 'kc_admin',
      realm_access: { roles: ['offline_access', 'parlance-admin'] },
      groups: ['parlance-admins'],
    });
    expect((await me(asAdmin)).data!.me).toMatchObject({ username: 'kc_admin', role: 'ADMIN' });
    expect((await t.gql(USERS, {}, { token: asAdmin })).errors).toBeUndefined();

    // Keycloak reads realm_access.roles only; an Authentik-style groups claim does not count here.
    const asUser = await keycloak.sign({ sub, realm_access: { roles: ['offline_access'] }, groups: ['parlance-admin'] });
    expect((await me(asUser)).data!.me.role).toBe('USER');
    expect((await t.gql(USERS, {}, { token: asUser })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('Auth0 namespaced claim (a URL with dots) and an audience list work', async () => {
    const sub = `auth0|${randomBytes(6).toString('hex')}`;
    const asAdmin = await auth0.sign({ sub, email: 'ops@example.org', [AUTH0_GROUPS]: ['admins'] });
    const result = await me(asAdmin);
    expect(result.errors).toBeUndefined();
    expect(result.data!.me).toMatchObject({ username: 'ops', email: 'ops@example.org', role: 'ADMIN' });
    const withoutGroup = await me(await auth0.sign({ sub, [AUTH0_GROUPS]: [] }));
    expect(withoutGroup.data!.me.role).toBe('USER');
  });

  it('ADMIN_EMAILS makes an external identity admin only if the issuer verified that email and it is really its own', async () => {
    const first = await me(
      await keycloak.sign({ sub: newSub(), preferred_username: 'bootstrap', email: 'Bootstrap@parlance.test', email_verified: true }),
    );
    expect(first.data!.me).toMatchObject({ email: 'bootstrap@parlance.test', role: 'ADMIN' });

    // A listed address the issuer does not vouch for gives nothing, on the first request or a later one.
    for (const [label, claim] of UNVERIFIED_CASES) {
      const token = await authentik.sign({ sub: newSub(), email: `${label}@parlance.test`, ...claim });
      expect((await me(token)).data!.me, label).toMatchObject({ email: `${label}@parlance.test`, role: 'USER' });
      expect((await t.gql(USERS, {}, { token })).errors?.[0].extensions?.code, label).toBe('FORBIDDEN');
    }

    // The address belongs to a local account (which registration never makes admin); another identity
    // claiming it, even verified by its issuer, gets no admin.
    const boss = await registerUser(t, { email: 'boss@parlance.test' });
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: boss.id } })).role).toBe('USER');
    const impostorSub = newSub();
    const impostor = await me(
      await authentik.sign({ sub: impostorSub, preferred_username: 'boss', email: 'boss@parlance.test', email_verified: true }),
    );
    expect(impostor.errors).toBeUndefined();
    expect(impostor.data!.me.id).not.toBe(boss.id);
    expect(impostor.data!.me.role).toBe('USER');
    // Nor on a later request.
    const again = await authentik.sign({ sub: impostorSub, email: 'boss@parlance.test', email_verified: true });
    expect((await me(again)).data!.me.role).toBe('USER');
    expect((await t.gql(USERS, {}, { token: again })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('tokens that are refused with UNAUTHENTICATED', () => {
  it('refuses bad audience, issuer, lifetime, key, algorithm and shape, and creates no user', async () => {
    const sub = newSub('refused');
    const claims = { sub, preferred_username: 'refused_user', groups: ['parlance-admins'] };
    const now = Math.floor(Date.now() / 1000);
    const strangerKey = await generateSigningKey();
    const hmacSecret = new TextEncoder().encode(await authentik.publicKeyPem());
    const valid = await authentik.sign(claims);
    const [header, payload, signature] = valid.split('.');
    const otherPayload = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), sub: `${sub}-x` })).toString('base64url');

    const cases: [string, string][] = [
      ['wrong audience', await authentik.sign(claims, { audience: 'some-other-api' })],
      ['audience of another issuer', await keycloak.sign(claims, { audience: 'account' })],
      ['Keycloak iss, signed with the Authentik key', await authentik.sign(claims, { issuer: keycloak.issuer })],
      ['Authentik iss, signed with the Keycloak key', await keycloak.sign(claims, { issuer: authentik.issuer })],
      ['Authentik iss without its trailing slash', await authentik.sign(claims, { issuer: authentik.issuer.replace(/\/$/, '') })],
      ['unconfigured issuer', await authentik.sign(claims, { issuer: 'https://evil.example/' })],
      ['expired', await authentik.sign(claims, { expiresIn: -120 })],
      ['no exp', await authentik.sign(claims, { noExp: true })],
      ['not yet valid', await authentik.sign({ ...claims, nbf: now + 600 })],
      ['no sub', await authentik.sign({ preferred_username: 'nosub' })],
      ['unknown key with unknown kid', await authentik.sign(claims, { key: strangerKey })],
      ['unknown key reusing a published kid', await authentik.sign(claims, { key: strangerKey, kid: authentik.currentKey.kid })],
      ['alg none', unsecuredToken({ iss: authentik.issuer, aud: 'parlance-api', exp: now + 300, ...claims })],
      ['alg none, signature kept', `${unsecuredToken({ iss: authentik.issuer, aud: 'parlance-api', exp: now + 300, ...claims })}${signature}`],
      [
        'HS256 keyed with the public key',
        await new SignJWT({ iss: authentik.issuer, aud: 'parlance-api', exp: now + 300, ...claims })
          .setProtectedHeader({ alg: 'HS256', kid: authentik.currentKey.kid })
          .sign(hmacSecret),
      ],
      ['payload swapped under a valid signature', `${header}.${otherPayload}.${signature}`],
      ['signature stripped', `${header}.${payload}.`],
      ['non-string iss', await authentik.sign({ ...claims, iss: 12345 as unknown as string })],
      ['garbage', 'not-a.jwt.at-all'],
    ];
    for (const [label, token] of cases) expectUnauthenticated(await me(token), label);

    expect(await t.deps.db.user.count({ where: { oidcSubject: { startsWith: sub } } })).toBe(0);
    // The same claims, properly signed, are accepted: the cases above fail for their one defect.
    expect((await me(valid)).data!.me.role).toBe('ADMIN');
  });

  it('refuses a deactivated external user, whatever the groups say', async () => {
    const sub = newSub();
    const first = await me(await authentik.sign({ sub, preferred_username: 'leaver' }));
    expect(first.errors).toBeUndefined();
    await t.deps.db.user.update({ where: { id: first.data!.me.id }, data: { isActive: false } });

    for (const groups of [[], ['parlance-admins']]) {
      const refused = await me(await authentik.sign({ sub, groups }));
      expectUnauthenticated(refused, `groups ${JSON.stringify(groups)}`);
      expect(refused.errors![0].message).toBe('Account is deactivated.');
    }
    expect(await rowsFor(sub)).toHaveLength(1);

    await t.deps.db.user.update({ where: { id: first.data!.me.id }, data: { isActive: true } });
    expect((await me(await authentik.sign({ sub }))).data!.me.id).toBe(first.data!.me.id);
  });
});

describe('key rotation at the issuer', () => {
  it('accepts tokens signed with a new key (new kid) once the issuer publishes it, and drops withdrawn keys', async () => {
    const sub = newSub();
    const oldToken = await rotating.sign({ sub, preferred_username: 'rotator' });
    const before = await me(oldToken);
    expect(before.errors).toBeUndefined();
    const fetchesBefore = rotating.jwksRequests;
    expect(fetchesBefore).toBeGreaterThanOrEqual(1);

    const oldKid = rotating.currentKey.kid;
    const newKey = await rotating.rotateKey();
    expect(newKey.kid).not.toBe(oldKid);
    const after = await me(await rotating.sign({ sub }));
    expect(after.errors, after.raw).toBeUndefined();
    expect(after.data!.me.id).toBe(before.data!.me.id);
    expect(rotating.jwksRequests).toBe(fetchesBefore + 1);

    // The old key is no longer published, so tokens signed with it stop working.
    expectUnauthenticated(await me(oldToken), 'token signed with the withdrawn key');

    // During an overlap both keys are published and both are accepted.
    const overlapKey = await rotating.rotateKey({ keepOld: true });
    expect((await me(await rotating.sign({ sub }))).errors).toBeUndefined();
    expect((await me(await rotating.sign({ sub }, { key: newKey }))).errors).toBeUndefined();
    expect(rotating.currentKey.kid).toBe(overlapKey.kid);
  });

  it('with the production cooldown, unknown kids do not refetch the JWKS more than once per cooldown', async () => {
    const issuer = await startOidcProvider({ issuerPath: '/realms/cooldown', jwksPath: '/certs' });
    try {
      const env = loadEnv({ OIDC_ISSUERS: JSON.stringify([{ issuer: issuer.issuer, audience: 'parlance-api', jwksUrl: issuer.jwksUrl }]) });
      const issuers = new ExternalIssuers(env.OIDC_ISSUERS);
      const identity = await issuers.verify(await issuer.sign({ sub: 'cool' }), issuer.issuer);
      expect(identity).toMatchObject({ issuer: issuer.issuer, subject: 'cool', isAdmin: false });
      expect(issuer.jwksRequests).toBe(1);

      // A flood of unknown kids right after the fetch is refused without hitting the issuer again...
      const stranger = await generateSigningKey();
      for (let i = 0; i < 5; i += 1) {
        await expect(issuers.verify(await issuer.sign({ sub: 'cool' }, { key: stranger }), issuer.issuer)).rejects.toThrow();
      }
      expect(issuer.jwksRequests).toBe(1);
      // ...which is also why, with the default 30 s cooldown, a freshly rotated key is only picked up after it.
      await issuer.rotateKey();
      await expect(issuers.verify(await issuer.sign({ sub: 'cool' }), issuer.issuer)).rejects.toThrow();
      expect(issuer.jwksRequests).toBe(1);

      // With no cooldown (as the app under test runs) the rotated key is fetched at once.
      const eager = new ExternalIssuers(env.OIDC_ISSUERS, { cooldownMs: 0 });
      await eager.verify(await issuer.sign({ sub: 'warm' }, { key: stranger }), issuer.issuer).catch(() => undefined);
      expect(await eager.verify(await issuer.sign({ sub: 'cool' }), issuer.issuer)).toMatchObject({ subject: 'cool' });
    } finally {
      await issuer.close();
    }
  });
});

describe('collisions with existing accounts', () => {
  it('gives an external identity whose preferred_username is a local username its own user and another username', async () => {
    const local = await registerUser(t, { username: 'grace_h' });
    const sub = newSub();
    const result = await me(await authentik.sign({ sub, preferred_username: 'Grace_H', email: 'grace.ext@example.org' }));
    expect(result.errors).toBeUndefined();
    const external = result.data!.me;
    expect(external.id).not.toBe(local.id);
    expect(external.username).not.toBe('grace_h');
    expect(external.username).toMatch(/^grace_h-[a-z0-9]+$/);
    // Only the username collided, so the email is still recorded.
    expect(external.email).toBe('grace.ext@example.org');

    const localMe = await me(local.accessToken);
    expect(localMe.data!.me).toMatchObject({ id: local.id, username: 'grace_h', email: local.email });
    // And the external identity keeps mapping to its own user afterwards.
    expect((await me(await authentik.sign({ sub, preferred_username: 'grace_h' }))).data!.me.id).toBe(external.id);
  });

  it('gives several identities with the same preferred_username distinct usernames', async () => {
    const ids = new Set<string>();
    const usernames = new Set<string>();
    for (let i = 0; i < 4; i += 1) {
      const result = await me(await keycloak.sign({ sub: newSub(), preferred_username: 'same_name' }));
      expect(result.errors, result.raw).toBeUndefined();
      ids.add(result.data!.me.id);
      usernames.add(result.data!.me.username);
    }
    expect(ids.size).toBe(4);
    expect(usernames.size).toBe(4);
    expect(usernames.has('same_name')).toBe(true);
    for (const username of usernames) expect(username).toMatch(/^same_name(-[a-z0-9]+)?$/);
  });

  it('does not link an external identity to a local account by email', async () => {
    const local = await registerUser(t, { email: 'shared@example.org' });
    const result = await me(await keycloak.sign({ sub: newSub(), preferred_username: 'shared_ext', email: 'Shared@Example.org' }));
    expect(result.errors).toBeUndefined();
    expect(result.data!.me.id).not.toBe(local.id);
    expect(result.data!.me.email).toBeNull();
    expect((await me(local.accessToken)).data!.me).toMatchObject({ id: local.id, email: 'shared@example.org' });
  });
});
