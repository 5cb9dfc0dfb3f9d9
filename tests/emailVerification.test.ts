// Email verification end to end: the link arrives by real SMTP (smtp-server on loopback), verifyEmail
// takes it once, resendVerification is rate limited, ADMIN_EMAILS and invitations wait for a verified
// address, and REQUIRE_EMAIL_VERIFICATION (default on in production) keeps unverified accounts from
// submitting work. No token ever appears in a log line or in a response.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../server/env.ts';
import { emailVerificationRequired } from '../server/services/access/work.ts';
import { sha256Hex } from '../server/security/tokens.ts';
import { startOidcProvider, type OidcProvider } from './helpers/oidcProvider.ts';
import { startSmtpMailbox, type ReceivedMessage, type SmtpMailbox } from './helpers/smtpMailbox.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const PUBLIC_URL = 'http://parlance.test';
const ME = `{ me { id email role emailVerified } }`;
const VERIFY = `mutation ($token: String!) { verifyEmail(token: $token) { email user { id emailVerified } } }`;
const RESEND = `mutation { resendVerification }`;
const URL_JOB = `mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id status } }`;
const START_LIVE = `mutation { startLiveSession(input: { encoding: PCM_S16LE, sampleRate: 16000 }) { id } }`;

let mailbox: SmtpMailbox;
let t: TestApp;
/** Every verification token mailed in this file, to look for in logs and responses. */
const mailedTokens = new Set<string>();
/** Every response body of this file's API calls. */
const responses: string[] = [];

beforeAll(async () => {
  mailbox = await startSmtpMailbox();
  t = await createTestApp({
    SMTP_URL: mailbox.url(),
    PUBLIC_URL,
    ADMIN_EMAILS: 'boss@example.com,Other-Boss@example.com',
    VERIFICATION_EMAILS_PER_HOUR: '3',
  });
});
afterAll(async () => {
  await t?.close();
  await mailbox?.close();
});

async function gql(app: TestApp, query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult> {
  const result = await app.gql(query, variables, token ? { token } : {});
  responses.push(result.raw);
  return result;
}

const messagesTo = (address: string) => mailbox.messages.filter((message) => message.to.includes(address.toLowerCase()));

/** Waits for the n-th message (1-based) to `address`. */
function nthMessage(address: string, n: number): Promise<ReceivedMessage> {
  return waitFor(`message ${n} to ${address}`, async () => messagesTo(address)[n - 1], 15_000, 50);
}

/** The token of the verification link in a message, checking the link's form. */
function verificationToken(message: ReceivedMessage): string {
  const match = /(\S+)\/admin\/verify-email#token=(vfy_[A-Za-z0-9_-]+)/.exec(message.text);
  if (!match) throw new Error(`no verification link in:\n${message.text}`);
  expect(match[1]).toBe(PUBLIC_URL);
  mailedTokens.add(match[2]);
  return match[2];
}

async function register(app: TestApp, email: string) {
  const user = await registerUser(app, { email });
  responses.push(JSON.stringify(user));
  return user;
}

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;

describe('verifying an address', () => {
  it('mails a link on registration that verifies the address once; only its hash is stored; audited', async () => {
    const email = uniqueEmail('ada');
    const ada = await register(t, email);
    expect((await gql(t, ME, {}, ada.accessToken)).data!.me).toMatchObject({ email, emailVerified: false });

    const message = await nthMessage(email, 1);
    expect(message.headers.subject).toMatch(/confirm your email/i);
    const token = verificationToken(message);
    const rows = await t.deps.db.emailVerificationToken.findMany({ where: { userId: ada.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);

    // Anonymous, as the emailed link opens in a fresh browser.
    const verified = await gql(t, VERIFY, { token });
    expect(verified.errors).toBeUndefined();
    expect(verified.data!.verifyEmail).toEqual({ email, user: { id: ada.id, emailVerified: null } });
    expect((await gql(t, ME, {}, ada.accessToken)).data!.me).toMatchObject({ emailVerified: true, role: 'USER' });

    const again = await gql(t, VERIFY, { token });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'USED' });
    expect(again.errors?.[0].message).toMatch(/already been used/);

    const audit = await t.deps.db.auditEntry.findMany({ where: { targetId: ada.id }, orderBy: { id: 'asc' } });
    expect(audit.map((row) => [row.action, row.actorId, row.details])).toEqual([
      ['user.emailVerificationSent', ada.id, { reason: 'registered' }],
      ['user.emailVerified', ada.id, { via: 'link' }],
    ]);
  });

  it('refuses an unknown token with NOT_FOUND and an expired one with BAD_USER_INPUT, verifying nothing', async () => {
    for (const token of ['vfy_doesnotexist', 'not even a token', `vfy_${'x'.repeat(300)}`]) {
      const unknown = await gql(t, VERIFY, { token });
      expect(unknown.errors?.[0].extensions, token).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN' });
    }

    const email = uniqueEmail('late');
    const late = await register(t, email);
    const token = verificationToken(await nthMessage(email, 1));
    await t.deps.db.emailVerificationToken.updateMany({ where: { userId: late.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await gql(t, VERIFY, { token });
    expect(expired.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EXPIRED' });
    expect(expired.errors?.[0].message).toMatch(/expired/);
    expect((await gql(t, ME, {}, late.accessToken)).data!.me.emailVerified).toBe(false);
  });

  it('expires links after EMAIL_VERIFICATION_TTL_HOURS', async () => {
    const email = uniqueEmail('ttl');
    const before = Date.now();
    const user = await register(t, email);
    await nthMessage(email, 1);
    const row = await t.deps.db.emailVerificationToken.findFirstOrThrow({ where: { userId: user.id } });
    const hours = (row.expiresAt.getTime() - before) / 3_600_000;
    expect(hours).toBeGreaterThan(47.9);
    expect(hours).toBeLessThan(48.1);
  });

  it('resends a new link (the older one stops working), at most VERIFICATION_EMAILS_PER_HOUR, and not once verified', async () => {
    const email = uniqueEmail('resend');
    const user = await register(t, email);
    const first = verificationToken(await nthMessage(email, 1));

    expect((await gql(t, RESEND, {}, user.accessToken)).data).toEqual({ resendVerification: true });
    const second = verificationToken(await nthMessage(email, 2));
    expect(second).not.toBe(first);
    const replaced = await gql(t, VERIFY, { token: first });
    expect(replaced.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UNKNOWN' });

    // 3 an hour: two more, then refused with a retry time, and no fifth message.
    for (let n = 0; n < 2; n += 1) expect((await gql(t, RESEND, {}, user.accessToken)).data).toEqual({ resendVerification: true });
    const limited = await gql(t, RESEND, {}, user.accessToken);
    expect(limited.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(limited.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    const latest = verificationToken(await nthMessage(email, 4));
    expect(messagesTo(email)).toHaveLength(4);

    expect((await gql(t, VERIFY, { token: latest })).errors).toBeUndefined();
    const anonymous = await gql(t, RESEND);
    expect(anonymous.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const done = await gql(t, RESEND, {}, user.accessToken);
    expect(done.errors?.[0].extensions?.code).toBe('CONFLICT');
  });
});

describe('ADMIN_EMAILS', () => {
  it('makes a listed address ADMIN only once it is verified, audited as a role change by the system', async () => {
    const boss = await register(t, 'boss@example.com');
    expect((await gql(t, ME, {}, boss.accessToken)).data!.me).toMatchObject({ role: 'USER', emailVerified: false });
    const users = await gql(t, `{ users(first: 1) { totalCount } }`, {}, boss.accessToken);
    expect(users.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // Another listed address that is never verified stays a plain user.
    const squatter = await register(t, 'other-boss@example.com');
    await nthMessage('other-boss@example.com', 1);

    const token = verificationToken(await nthMessage('boss@example.com', 1));
    expect((await gql(t, VERIFY, { token })).errors).toBeUndefined();
    expect((await gql(t, ME, {}, boss.accessToken)).data!.me).toMatchObject({ role: 'ADMIN', emailVerified: true });
    expect((await gql(t, `{ users(first: 1) { totalCount } }`, {}, boss.accessToken)).errors).toBeUndefined();
    expect((await gql(t, ME, {}, squatter.accessToken)).data!.me).toMatchObject({ role: 'USER', emailVerified: false });

    const promotion = await t.deps.db.auditEntry.findFirstOrThrow({ where: { targetId: boss.id, action: 'user.roleChanged' } });
    expect(promotion).toMatchObject({ actorId: null, details: { previous: 'USER', role: 'ADMIN', reason: 'ADMIN_EMAILS' } });
    expect(await t.deps.db.auditEntry.count({ where: { targetId: squatter.id, action: 'user.roleChanged' } })).toBe(0);

    // Admins see whether others are verified; others do not.
    const seen = await gql(t, `query ($id: ID!) { node(id: $id) { ... on User { emailVerified } } }`, { id: squatter.id }, boss.accessToken);
    expect(seen.data!.node).toEqual({ emailVerified: false });
  });
});

describe('project invitations', () => {
  it('are accepted only by an account whose address is verified and is the invited one', async () => {
    const owner = await register(t, uniqueEmail('owner'));
    const project = await gql(t, `mutation { createProject(input: { name: "Verified only" }) { id } }`, {}, owner.accessToken);
    const projectId = project.data!.createProject.id as string;
    const inviteeEmail = uniqueEmail('invitee');
    const invitee = await register(t, inviteeEmail);
    const invited = await gql(
      t,
      `mutation ($projectId: ID!, $email: String!) { inviteMember(projectId: $projectId, email: $email, role: CONTRIBUTOR) }`,
      { projectId, email: inviteeEmail },
      owner.accessToken,
    );
    expect(invited.errors).toBeUndefined();
    const invitation = await waitFor('the invitation', async () => messagesTo(inviteeEmail).find((m) => /inv_/.test(m.text)), 15_000, 50);
    const invitationToken = /(inv_[A-Za-z0-9_-]+)/.exec(invitation.text)![1];

    const ACCEPT = `mutation ($token: String!) { acceptInvitation(token: $token) { id viewerRole } }`;
    const early = await gql(t, ACCEPT, { token: invitationToken }, invitee.accessToken);
    expect(early.errors?.[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' });
    expect(early.errors?.[0].message).toMatch(/Verify your email address/);

    const verification = messagesTo(inviteeEmail).find((m) => /verify-email/.test(m.text))!;
    expect((await gql(t, VERIFY, { token: verificationToken(verification) })).errors).toBeUndefined();
    const accepted = await gql(t, ACCEPT, { token: invitationToken }, invitee.accessToken);
    expect(accepted.data!.acceptInvitation).toEqual({ id: projectId, viewerRole: 'CONTRIBUTOR' });
  });
});

describe('REQUIRE_EMAIL_VERIFICATION', () => {
  it('defaults to true in production and false otherwise', () => {
    const key = randomBytes(32).toString('base64');
    expect(emailVerificationRequired(loadEnv({ NODE_ENV: 'production', ENCRYPTION_KEY: key }))).toBe(true);
    expect(emailVerificationRequired(loadEnv({ NODE_ENV: 'production', ENCRYPTION_KEY: key, REQUIRE_EMAIL_VERIFICATION: 'false' }))).toBe(false);
    expect(emailVerificationRequired(loadEnv({ NODE_ENV: 'test' }))).toBe(false);
    expect(emailVerificationRequired(loadEnv({ NODE_ENV: 'development' }))).toBe(false);
    expect(emailVerificationRequired(loadEnv({ NODE_ENV: 'development', REQUIRE_EMAIL_VERIFICATION: 'true' }))).toBe(true);
  });

  it('in production, keeps an unverified account from submitting work until it verifies; it can still sign in and read', async () => {
    const strict = await createTestApp({
      NODE_ENV: 'production',
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      SMTP_URL: mailbox.url(),
      PUBLIC_URL,
      URL_FETCH_ALLOW_HOSTS: '127.0.0.1',
    });
    try {
      const policy = await gql(strict, `{ registrationPolicy { emailVerificationRequired } }`);
      expect(policy.data!.registrationPolicy.emailVerificationRequired).toBe(true);
      const email = uniqueEmail('strict');
      const user = await register(strict, email);
      const login = await gql(strict, `mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, {
        input: { login: user.username, password: user.password },
      });
      expect(login.errors).toBeUndefined();
      expect((await gql(strict, ME, {}, user.accessToken)).data!.me.emailVerified).toBe(false);

      const url = 'http://127.0.0.1:9/talk.wav';
      for (const [label, result] of [
        ['URL job', await gql(strict, URL_JOB, { url }, user.accessToken)],
        ['live session', await gql(strict, START_LIVE, {}, user.accessToken)],
      ] as const) {
        expect(result.errors?.[0].extensions, label).toMatchObject({ code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' });
        expect(result.errors?.[0].message, label).toMatch(/Verify your email address before submitting work/);
      }
      const base = await strict.listen();
      const upload = await fetch(`${base}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.accessToken}`, 'tus-resumable': '1.0.0', 'upload-length': '1000' },
      });
      expect(upload.status).toBe(403);
      expect(await upload.json()).toMatchObject({ errors: [{ extensions: { code: 'FORBIDDEN', reason: 'EMAIL_NOT_VERIFIED' } }] });
      expect(await strict.deps.db.job.count({ where: { ownerId: user.id } })).toBe(0);
      expect(await strict.deps.db.liveSession.count({ where: { ownerId: user.id } })).toBe(0);
      expect(await strict.deps.db.upload.count({ where: { ownerId: user.id } })).toBe(0);

      const token = verificationToken(await nthMessage(email, 1));
      expect((await gql(strict, VERIFY, { token })).errors).toBeUndefined();
      const job = await gql(strict, URL_JOB, { url }, user.accessToken);
      expect(job.errors).toBeUndefined();
      expect(job.data!.createTranscriptionJob.status).toBe('QUEUED');
      const created = await fetch(`${base}/uploads`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.accessToken}`, 'tus-resumable': '1.0.0', 'upload-length': '1000' },
      });
      expect(created.status).toBe(201);
      expectNoTokenIn(strict);
    } finally {
      await strict.close();
    }
  });

  it('is off in tests by default: an unverified account submits work', async () => {
    const user = await register(t, uniqueEmail('relaxed'));
    const result = await gql(t, START_LIVE, {}, user.accessToken);
    expect(result.errors?.[0].extensions?.reason).not.toBe('EMAIL_NOT_VERIFIED');
  });
});

describe('external OIDC identities', () => {
  let issuer: OidcProvider;
  afterAll(async () => issuer?.close());

  it('count as verified when the issuer says email_verified, and not otherwise', async () => {
    issuer = await startOidcProvider({ issuerPath: '/realms/verify', jwksPath: '/realms/verify/certs' });
    const app = await createTestApp({
      OIDC_ISSUERS: JSON.stringify([{ issuer: issuer.issuer, audience: 'parlance-api', jwksUrl: issuer.jwksUrl }]),
      ADMIN_EMAILS: 'oidc-boss@example.org',
    });
    try {
      const vouched = await issuer.sign({ sub: 'one', preferred_username: 'vouched', email: 'vouched@example.org', email_verified: true });
      expect((await gql(app, ME, {}, vouched)).data!.me).toMatchObject({ email: 'vouched@example.org', emailVerified: true });
      const unvouched = await issuer.sign({ sub: 'two', preferred_username: 'unvouched', email: 'unvouched@example.org' });
      expect((await gql(app, ME, {}, unvouched)).data!.me).toMatchObject({ emailVerified: false });
      // The same account, vouched for later.
      const later = await issuer.sign({ sub: 'two', preferred_username: 'unvouched', email: 'unvouched@example.org', email_verified: true });
      expect((await gql(app, ME, {}, later)).data!.me).toMatchObject({ emailVerified: true });
      const boss = await issuer.sign({ sub: 'three', email: 'oidc-boss@example.org', email_verified: true });
      expect((await gql(app, ME, {}, boss)).data!.me).toMatchObject({ emailVerified: true, role: 'ADMIN' });
    } finally {
      await app.close();
    }
  });
});

function expectNoTokenIn(app: TestApp) {
  const logs = app.logs.join('');
  for (const token of mailedTokens) {
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(sha256Hex(token));
  }
}

describe('secrets', () => {
  it('no verification token appears in any log line or any response', () => {
    expect(mailedTokens.size).toBeGreaterThanOrEqual(8);
    expectNoTokenIn(t);
    for (const token of mailedTokens) {
      for (const raw of responses) expect(raw).not.toContain(token);
    }
  });

  it('the outbox keeps sent messages with the token blanked out', async () => {
    const bodies = (await t.deps.db.outboxEmail.findMany({ select: { body: true } })).map((row) => row.body).join('\n');
    expect(bodies).toContain('verify-email#token=[sent by email, not kept]');
    for (const token of mailedTokens) expect(bodies).not.toContain(token);
  });
});
