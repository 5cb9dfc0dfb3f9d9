// Registration policy end to end: REGISTRATION=open|invite|closed and REGISTRATION_DOMAINS, as
// register and the public registrationPolicy query see them. Invite-only registration goes through
// the invitation token mailed (by real SMTP) to the address, which also proves the address.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from '../server/env.ts';
import { startOidcProvider, type OidcProvider } from './helpers/oidcProvider.ts';
import { startSmtpMailbox, type SmtpMailbox } from './helpers/smtpMailbox.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const REGISTER = `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id email role emailVerified } } }`;
const POLICY = `{ registrationPolicy { mode allowedDomains emailVerificationRequired } }`;
const ME = `{ me { id email role emailVerified } }`;
const PASSWORD = 'a long enough password';
// Apps on one database (open, then invite-only) must open the same signing key.
const ENCRYPTION_KEY = randomBytes(32).toString('base64');

let mailbox: SmtpMailbox;
const apps: TestApp[] = [];

beforeAll(async () => {
  mailbox = await startSmtpMailbox();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await mailbox?.close();
});

async function app(env: Record<string, string>, databaseUrl?: string): Promise<TestApp> {
  const created = await createTestApp({ SMTP_URL: mailbox.url(), ENCRYPTION_KEY, ...env }, { databaseUrl });
  apps.push(created);
  return created;
}

const unique = (label: string) => `${label}${randomBytes(3).toString('hex')}`;
const input = (email: string, extra: Record<string, unknown> = {}) => ({ email, username: unique('u'), password: PASSWORD, ...extra });

function expectRefused(result: GqlResult, code: string, reason?: string) {
  expect(result.data, result.raw).toBeNull();
  expect(result.errors?.[0].extensions?.code, result.raw).toBe(code);
  if (reason) expect(result.errors?.[0].extensions?.reason, result.raw).toBe(reason);
}

describe('the public policy and the environment', () => {
  it('is open with any domain by default, and says so to anyone', async () => {
    const t = await app({});
    expect((await t.gql(POLICY)).data!.registrationPolicy).toEqual({ mode: 'OPEN', allowedDomains: [], emailVerificationRequired: false });
    expect((await t.gql(REGISTER, { input: input(`${unique('any')}@anywhere.example`) })).errors).toBeUndefined();
  });

  it('refuses an unknown REGISTRATION value at start', () => {
    expect(() => loadEnv({ REGISTRATION: 'sometimes' })).toThrow(EnvError);
    expect(() => loadEnv({ REGISTRATION: 'sometimes' })).toThrow(/REGISTRATION/);
  });
});

describe('REGISTRATION_DOMAINS', () => {
  it('accepts only addresses at the listed domains (case-insensitively) and writes nothing for the others', async () => {
    const t = await app({ REGISTRATION_DOMAINS: 'example.com, Corp.Test' });
    expect((await t.gql(POLICY)).data!.registrationPolicy.allowedDomains).toEqual(['example.com', 'corp.test']);
    const auditBefore = await t.deps.db.auditEntry.count();

    for (const email of ['x@other.org', 'x@sub.example.com', 'x@example.com.evil.test']) {
      const refused = await t.gql(REGISTER, { input: input(email) });
      expectRefused(refused, 'FORBIDDEN', 'EMAIL_DOMAIN_NOT_ALLOWED');
      expect(refused.errors![0].message).toBe('Registration is limited to addresses at example.com, corp.test.');
    }
    expect(await t.deps.db.user.count()).toBe(0);
    // Refusals are not audited (anyone can send them by the thousand).
    expect(await t.deps.db.auditEntry.count()).toBe(auditBefore);
    expect(mailbox.messages.some((message) => message.to.includes('x@other.org'))).toBe(false);

    const ok = await t.gql(REGISTER, { input: input(`${unique('ok')}@CORP.test`) });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.register.user).toMatchObject({ emailVerified: false });
  });
});

describe('REGISTRATION=invite', () => {
  let open: TestApp;
  let t: TestApp;
  let ownerToken: string;
  let projectId: string;

  beforeAll(async () => {
    // The first accounts come from an open start (or OIDC); then the server is switched to invitations.
    open = await app({});
    const owner = await registerUser(open, { email: `${unique('owner')}@example.com` });
    ownerToken = owner.accessToken;
    projectId = (await open.gql(`mutation { createProject(input: { name: "Team" }) { id } }`, {}, { token: ownerToken })).data!.createProject.id;
    t = await app({ REGISTRATION: 'invite', ADMIN_EMAILS: 'chief@example.com' }, open.databaseUrl);
  });

  async function invite(email: string, role = 'CONTRIBUTOR'): Promise<string> {
    const invited = await t.gql(
      `mutation ($p: ID!, $e: String!, $r: ProjectRole!) { inviteMember(projectId: $p, email: $e, role: $r) }`,
      { p: projectId, e: email, r: role },
      { token: ownerToken },
    );
    expect(invited.errors).toBeUndefined();
    const message = await waitFor(
      `an invitation to ${email}`,
      async () => [...mailbox.messages].reverse().find((m) => m.to.includes(email) && /inv_/.test(m.text)),
      15_000,
      50,
    );
    return /(inv_[A-Za-z0-9_-]{43})/.exec(message.text)![1];
  }

  it('says so, and refuses a registration without an invitation token even for an invited address', async () => {
    expect((await t.gql(POLICY)).data!.registrationPolicy.mode).toBe('INVITE');
    const email = `${unique('pending')}@example.com`;
    await invite(email);
    const usersBefore = await t.deps.db.user.count();
    const refused = await t.gql(REGISTER, { input: input(email) });
    expectRefused(refused, 'FORBIDDEN', 'INVITATION_REQUIRED');
    expect(refused.errors![0].message).toMatch(/by invitation/);
    expect(await t.deps.db.user.count()).toBe(usersBefore);
  });

  it('registers with the invitation token: the address counts as verified and the account joins the project', async () => {
    const email = `${unique('invited')}@example.com`;
    const token = await invite(email, 'REVIEWER');
    const registered = await t.gql(REGISTER, { input: input(email, { invitationToken: token }) });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.register.user).toMatchObject({ email, role: 'USER', emailVerified: true });
    const userId = registered.data!.register.user.id;
    const role = await t.gql(`query ($id: ID!) { project(id: $id) { viewerRole } }`, { id: projectId }, { token: registered.data!.register.accessToken });
    expect(role.data!.project.viewerRole).toBe('REVIEWER');
    // No verification link: the invitation already proved the address.
    expect(mailbox.messages.filter((m) => m.to.includes(email)).map((m) => /verify-email/.test(m.text))).toEqual([false]);
    const audit = await t.deps.db.auditEntry.findMany({ where: { actorId: userId }, orderBy: { id: 'asc' } });
    expect(audit.map((row) => row.action)).toEqual(['user.emailVerified', 'member.joined']);
    expect(audit[0].details).toEqual({ via: 'invitation' });
    expect(registered.raw).not.toContain(token);

    // The token is used now.
    const again = await t.gql(REGISTER, { input: input(email, { invitationToken: token }) });
    expectRefused(again, 'BAD_USER_INPUT');
    expect(again.errors![0].message).toMatch(/already been used/);
  });

  it('refuses a token for another address, an unknown one and an expired one, writing nothing', async () => {
    const email = `${unique('target')}@example.com`;
    const token = await invite(email);
    const usersBefore = await t.deps.db.user.count();

    expectRefused(await t.gql(REGISTER, { input: input(`${unique('thief')}@example.com`, { invitationToken: token }) }), 'FORBIDDEN');
    expectRefused(await t.gql(REGISTER, { input: input(email, { invitationToken: `inv_${'A'.repeat(43)}` }) }), 'NOT_FOUND');
    await t.deps.db.projectInvitation.updateMany({ where: { email }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await t.gql(REGISTER, { input: input(email, { invitationToken: token }) });
    expectRefused(expired, 'BAD_USER_INPUT');
    expect(expired.errors![0].message).toMatch(/expired/);
    expect(await t.deps.db.user.count()).toBe(usersBefore);
    expect(await t.deps.db.projectInvitation.findFirstOrThrow({ where: { email } })).toMatchObject({ acceptedAt: null });
  });

  it('leaves no partial state when the account cannot be created (a taken username): the invitation stays usable', async () => {
    const email = `${unique('second')}@example.com`;
    const token = await invite(email);
    const taken = await t.gql(REGISTER, { input: { ...input(email, { invitationToken: token }), username: (await t.deps.db.user.findFirstOrThrow()).username } });
    expectRefused(taken, 'CONFLICT');
    expect(await t.deps.db.user.count({ where: { email } })).toBe(0);
    expect(await t.deps.db.projectInvitation.findFirstOrThrow({ where: { email } })).toMatchObject({ acceptedAt: null });
    expect((await t.gql(REGISTER, { input: input(email, { invitationToken: token }) })).errors).toBeUndefined();
  });

  it('makes an ADMIN_EMAILS address ADMIN when it registers through its invitation (the address is proven)', async () => {
    const token = await invite('chief@example.com');
    const registered = await t.gql(REGISTER, { input: input('chief@example.com', { invitationToken: token }) });
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.register.user).toMatchObject({ role: 'ADMIN', emailVerified: true });
  });
});

describe('REGISTRATION=closed', () => {
  let issuer: OidcProvider;
  afterAll(async () => issuer?.close());

  it('refuses every registration, with an invitation token too, while external OIDC sign-in still works', async () => {
    issuer = await startOidcProvider({ issuerPath: '/realms/closed', jwksPath: '/realms/closed/certs' });
    const t = await app({
      REGISTRATION: 'closed',
      OIDC_ISSUERS: JSON.stringify([{ issuer: issuer.issuer, audience: 'parlance-api', jwksUrl: issuer.jwksUrl }]),
    });
    expect((await t.gql(POLICY)).data!.registrationPolicy.mode).toBe('CLOSED');
    for (const extra of [{}, { invitationToken: `inv_${'B'.repeat(43)}` }]) {
      const refused = await t.gql(REGISTER, { input: input(`${unique('closed')}@example.com`, extra) });
      expectRefused(refused, 'FORBIDDEN', 'REGISTRATION_CLOSED');
      expect(refused.errors![0].message).toBe('Registration is closed on this server: ask an administrator for an account.');
      expect(refused.status).toBe(200);
    }
    expect(await t.deps.db.user.count()).toBe(0);

    const external = await issuer.sign({ sub: 'staff-1', preferred_username: 'staff', email: 'staff@example.org', email_verified: true });
    const me = await t.gql(ME, {}, { token: external });
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toMatchObject({ email: 'staff@example.org', emailVerified: true });
  });
});
