// Passwords end to end through the API: a reset link arrives by real SMTP (smtp-server on loopback, mailed
// by the worker's sendPasswordReset task), works once, expires, and ends every session (refresh tokens,
// access tokens, live subscriptions); an unknown address gets the same answer after the same work; asking
// is rate limited per address and per client; changePassword keeps the current session and ends the
// others; breached passwords are refused everywhere. No token ever appears in a response or a log line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavHeader } from '../server/media/wav.ts';
import { currentRequestId } from '../server/observability/requestContext.ts';
import { sha256Hex } from '../server/security/tokens.ts';
import { publishJobChange } from '../server/services/jobs.ts';
import { runHousekeeping } from '../server/services/housekeeping.ts';
import { collect, connectWs, errorCodes } from './helpers/graphqlWs.ts';
import { submitFile } from './helpers/jobs.ts';
import { startSmtpMailbox, type ReceivedMessage, type SmtpMailbox } from './helpers/smtpMailbox.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const PUBLIC_URL = 'http://parlance.test';
const PER_EMAIL = 3;
const PER_CLIENT = 40;
const REQUEST = `mutation ($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation ($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }`;
const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id } } }`;
const LOGIN = `mutation ($input: LoginInput!) { login(input: $input) { accessToken refreshToken } }`;
const REFRESH = `mutation ($refreshToken: String!) { refreshSession(refreshToken: $refreshToken) { accessToken refreshToken } }`;
const ME = `{ me { id } }`;
const BREACHED = /appears in lists of breached passwords/;

let mailbox: SmtpMailbox;
let t: TestApp;
let base: string;
let dir: string;
/** Every reset token mailed in this file, to look for in logs and responses. */
const mailedTokens = new Set<string>();
/** Every response body of this file's API calls. */
const responses: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-password-'));
  mailbox = await startSmtpMailbox();
  t = await createTestApp(
    {
      SMTP_URL: mailbox.url(),
      PUBLIC_URL,
      TRUST_PROXY: 'true',
      PASSWORD_RESETS_PER_EMAIL_PER_HOUR: String(PER_EMAIL),
      PASSWORD_RESETS_PER_CLIENT_PER_HOUR: String(PER_CLIENT),
    },
    { runner: true },
  );
  base = await t.listen();
});

afterAll(async () => {
  await t?.close();
  await mailbox?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A GraphQL request over real HTTP from client address `client` (X-Forwarded-For, TRUST_PROXY). */
/** The statements one password reset request sends (those of its own request scope, not the worker's). */
async function requestStatements(email: string): Promise<string[]> {
  const sent: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const query = args[0] as string | { text?: string };
    if (currentRequestId() !== null) sent.push(typeof query === 'string' ? query : String(query?.text));
    return (original as (...args: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    const answer = await call(REQUEST, { email }, { client: newClient() });
    expect(answer.data).toEqual({ requestPasswordReset: true });
  } finally {
    pg.Client.prototype.query = original;
  }
  return sent;
}

async function call(query: string, variables: Record<string, unknown> = {}, options: { token?: string; client?: string } = {}): Promise<GqlResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-forwarded-for': options.client ?? '198.51.100.1' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const raw = await response.text();
  responses.push(raw);
  const body = JSON.parse(raw) as { data?: any; errors?: GqlResult['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors, raw };
}

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.com`;
let clients = 0;
/** A client address of its own, so each test has its own per-client bucket. */
const newClient = () => {
  clients += 1;
  return `10.77.${Math.floor(clients / 250)}.${clients % 250}`;
};

async function register(email = uniqueEmail('user'), password = 'a long enough password') {
  const user = await registerUser(t, { email, password });
  responses.push(JSON.stringify(user));
  return user;
}

const resetMessagesTo = (address: string) =>
  mailbox.messages.filter((message) => message.to.includes(address.toLowerCase()) && /reset your parlance password/i.test(message.headers.subject ?? ''));

function nthResetMessage(address: string, n: number): Promise<ReceivedMessage> {
  return waitFor(`reset message ${n} to ${address}`, async () => resetMessagesTo(address)[n - 1], 30_000, 50);
}

/** The token of the reset link in a message, checking the link's form. */
function resetToken(message: ReceivedMessage): string {
  const match = /(\S+)\/admin\/reset-password#token=(rpw_[A-Za-z0-9_-]+)/.exec(message.text);
  if (!match) throw new Error(`no reset link in:\n${message.text}`);
  expect(match[1]).toBe(PUBLIC_URL);
  mailedTokens.add(match[2]);
  return match[2];
}

async function askAndReceive(email: string, n = 1, client = newClient()): Promise<string> {
  const asked = await call(REQUEST, { email }, { client });
  expect(asked.errors).toBeUndefined();
  expect(asked.data).toEqual({ requestPasswordReset: true });
  return resetToken(await nthResetMessage(email, n));
}

async function login(loginName: string, password: string) {
  return call(LOGIN, { input: { login: loginName, password } }, { client: newClient() });
}

describe('resetting a forgotten password', () => {
  it('mails a single-use link; the new password works, the old one and every session end; audited', async () => {
    const email = uniqueEmail('ada');
    const ada = await register(email);
    const second = await login(ada.username, ada.password);
    expect(second.errors).toBeUndefined();
    expect((await call(ME, {}, { token: ada.accessToken })).data).toEqual({ me: { id: ada.id } });

    const token = await askAndReceive(email);
    const rows = await t.deps.db.passwordReset.findMany({ where: { userId: ada.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0].tokenHash).toBe(sha256Hex(token));
    expect(JSON.stringify(rows)).not.toContain(token);
    // The outbox keeps a copy without the token once SMTP took the message (written after SMTP answered).
    const outbox = await waitFor('the reset email in the outbox', async () => {
      const rows = await t.deps.db.outboxEmail.findMany({ where: { to: email } });
      return rows.some((row) => /reset/i.test(row.subject)) ? rows : null;
    }, 60_000);
    expect(JSON.stringify(outbox)).not.toContain(token);

    const newPassword = 'a brand new passphrase 7';
    const reset = await call(RESET, { token, newPassword });
    expect(reset.errors).toBeUndefined();
    expect(reset.data).toEqual({ resetPassword: true });

    // Old access token, old refresh tokens of both logins: refused.
    const me = await call(ME, {}, { token: ada.accessToken });
    expect(me.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    for (const refreshToken of [ada.refreshToken, second.data!.login.refreshToken]) {
      const refreshed = await call(REFRESH, { refreshToken });
      expect(refreshed.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect((await login(email, ada.password)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const fresh = await login(email, newPassword);
    expect(fresh.errors).toBeUndefined();
    expect((await call(ME, {}, { token: fresh.data!.login.accessToken })).data).toEqual({ me: { id: ada.id } });

    // Used once: a second use is refused and changes nothing.
    const again = await call(RESET, { token, newPassword: 'yet another passphrase 8' });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'USED' });
    expect((await login(email, newPassword)).errors).toBeUndefined();

    // The link proved the address.
    expect((await t.deps.db.user.findUniqueOrThrow({ where: { id: ada.id } })).emailVerifiedAt).not.toBeNull();

    const audit = await t.deps.db.auditEntry.findMany({ where: { targetId: ada.id, action: { in: ['password.resetRequested', 'password.reset', 'sessions.revoked'] } }, orderBy: { id: 'asc' } });
    expect(audit.map((row) => [row.action, row.actorId])).toEqual([
      ['password.resetRequested', null],
      ['password.reset', ada.id],
      ['sessions.revoked', ada.id],
    ]);
    expect(audit[2].details).toMatchObject({ reason: 'password.reset', sessions: 2 });
  });

  it('refuses unknown, expired and malformed tokens without changing the password', async () => {
    for (const token of ['rpw_doesnotexist', 'not a token', `rpw_${'x'.repeat(300)}`]) {
      const unknown = await call(RESET, { token, newPassword: 'a brand new passphrase 7' });
      expect(unknown.errors?.[0].extensions, token).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN' });
    }
    const email = uniqueEmail('late');
    const late = await register(email);
    const token = await askAndReceive(email);
    await t.deps.db.passwordReset.updateMany({ where: { userId: late.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await call(RESET, { token, newPassword: 'a brand new passphrase 7' });
    expect(expired.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'EXPIRED' });
    expect((await login(email, late.password)).errors).toBeUndefined();
    expect((await call(ME, {}, { token: late.accessToken })).data).toEqual({ me: { id: late.id } });
  });

  it('lets the housekeeping sweep remove links a day after they expired', async () => {
    const email = uniqueEmail('swept');
    const user = await register(email);
    const token = await askAndReceive(email);
    await t.deps.db.passwordReset.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 2 * 86_400_000) } });
    const sweep = await runHousekeeping(t.deps);
    expect((sweep.removed as Record<string, number>).passwordResets).toBeGreaterThanOrEqual(1);
    expect(await t.deps.db.passwordReset.count({ where: { userId: user.id } })).toBe(0);
    const gone = await call(RESET, { token, newPassword: 'a brand new passphrase 7' });
    expect(gone.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN' });
  });

  it('gives links PASSWORD_RESET_TTL_MINUTES to live', async () => {
    const email = uniqueEmail('ttl');
    const user = await register(email);
    const before = Date.now();
    await askAndReceive(email);
    const [row] = await t.deps.db.passwordReset.findMany({ where: { userId: user.id } });
    const minutes = (row.expiresAt.getTime() - before) / 60_000;
    expect(minutes).toBeGreaterThan(59);
    expect(minutes).toBeLessThanOrEqual(61);
  });

  it('ends live subscriptions authenticated by a token issued before the reset at their next event', async () => {
    const email = uniqueEmail('live');
    const user = await register(email);
    const wavPath = path.join(dir, 'silence.wav');
    const samples = Buffer.alloc(16_000 * 2);
    await writeFile(wavPath, Buffer.concat([wavHeader(samples.length), samples]));
    const submitted = await submitFile(t, user.accessToken, wavPath);
    expect(submitted.errors).toBeUndefined();
    const job = await t.deps.db.job.findUniqueOrThrow({ where: { id: submitted.data!.createTranscriptionJob.id as string } });

    const client = connectWs(base, user.accessToken);
    const listeners = t.deps.subscriber!.listenerCount();
    const updates = collect<{ data: { myJobUpdated: { id: string } } }>(client, `subscription { myJobUpdated { id status } }`);
    await waitFor('the subscription to listen', async () => t.deps.subscriber!.listenerCount() > listeners);
    await publishJobChange(t.deps, job);
    await waitFor('an event before the reset', async () => updates.events.length >= 1);
    expect(updates.ended()).toBeNull();

    const token = await askAndReceive(email);
    expect((await call(RESET, { token, newPassword: 'a brand new passphrase 7' })).errors).toBeUndefined();
    await publishJobChange(t.deps, job);
    const { error } = await updates.done;
    expect(errorCodes(error)).toEqual(['UNAUTHENTICATED']);
    await client.dispose();
  });

  it('answers an unknown address exactly like a known one, doing the same work', async () => {
    const known = await register(uniqueEmail('known'));
    const unknownEmail = uniqueEmail('nobody');
    const knownAnswer = await call(REQUEST, { email: known.email }, { client: newClient() });
    const unknownAnswer = await call(REQUEST, { email: unknownEmail }, { client: newClient() });
    expect(unknownAnswer.status).toBe(knownAnswer.status);
    expect(unknownAnswer.raw).toBe(knownAnswer.raw);
    await nthResetMessage(known.email, 1);

    // The answer's timing cannot tell the addresses apart when the request does the same work for
    // both: the same statements in the same order (the mail is a task delayed past the request).
    // Compared statement by statement, not by the clock, which a busy machine skews.
    const N = 4;
    const knownEmails: string[] = [];
    for (let i = 0; i < N; i += 1) knownEmails.push((await register(uniqueEmail('timed'))).email);
    for (const email of knownEmails) {
      const knownStatements = await requestStatements(email);
      const unknownStatements = await requestStatements(uniqueEmail('nobody'));
      expect(knownStatements.length).toBeGreaterThan(0);
      expect(unknownStatements).toEqual(knownStatements);
    }

    // Only the known addresses got mail; the unknown ones left no row.
    await waitFor('every known address to get its link', async () => knownEmails.every((email) => resetMessagesTo(email).length === 1));
    expect(mailbox.messages.filter((message) => message.to.some((to) => to.startsWith('nobody-')))).toEqual([]);
    expect(await t.deps.db.passwordReset.count({ where: { email: { startsWith: 'nobody-' } } })).toBe(0);
    for (const email of knownEmails) resetToken(resetMessagesTo(email)[0]);
  });

  it('limits requests per address (known or not, alike) and per client address', async () => {
    const known = await register(uniqueEmail('limited'));
    const unknownEmail = uniqueEmail('nobody');
    for (const email of [known.email, unknownEmail]) {
      const client = newClient();
      for (let i = 0; i < PER_EMAIL; i += 1) expect((await call(REQUEST, { email }, { client })).data).toEqual({ requestPasswordReset: true });
      const refused = await call(REQUEST, { email }, { client: newClient() });
      expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      expect(refused.errors?.[0].extensions?.retryAfterSeconds).toBeGreaterThan(0);
    }

    const client = newClient();
    for (let i = 0; i < PER_CLIENT; i += 1) {
      expect((await call(REQUEST, { email: uniqueEmail('nobody') }, { client })).data, `request ${i + 1}`).toEqual({ requestPasswordReset: true });
    }
    const refused = await call(REQUEST, { email: uniqueEmail('nobody') }, { client });
    expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect((await call(REQUEST, { email: uniqueEmail('nobody') }, { client: newClient() })).data).toEqual({ requestPasswordReset: true });
    await waitFor('the known address to get its links', async () => resetMessagesTo(known.email).length === PER_EMAIL);
    for (const message of resetMessagesTo(known.email)) resetToken(message);
  });
});

describe('changing the password', () => {
  it('needs the current password, keeps this session going and ends every other one; audited', async () => {
    const email = uniqueEmail('bea');
    const bea = await register(email);
    const other = await login(email, bea.password);
    const newPassword = 'a changed passphrase 9';

    const wrong = await call(CHANGE, { input: { currentPassword: 'not the password at all', newPassword } }, { token: bea.accessToken });
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const same = await call(CHANGE, { input: { currentPassword: bea.password, newPassword: bea.password } }, { token: bea.accessToken });
    expect(same.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await call(CHANGE, { input: { currentPassword: bea.password, newPassword } })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

    const changed = await call(CHANGE, { input: { currentPassword: bea.password, newPassword } }, { token: bea.accessToken });
    expect(changed.errors).toBeUndefined();
    const payload = changed.data!.changePassword;
    expect(payload.user).toEqual({ id: bea.id });

    // This session continues with the returned tokens; the tokens it held before, and the other session, end.
    expect((await call(ME, {}, { token: payload.accessToken })).data).toEqual({ me: { id: bea.id } });
    const rotated = await call(REFRESH, { refreshToken: payload.refreshToken });
    expect(rotated.errors).toBeUndefined();
    expect((await call(ME, {}, { token: rotated.data!.refreshSession.accessToken })).data).toEqual({ me: { id: bea.id } });
    expect((await call(ME, {}, { token: bea.accessToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await call(ME, {}, { token: other.data!.login.accessToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await call(REFRESH, { refreshToken: other.data!.login.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await call(REFRESH, { refreshToken: bea.refreshToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // The current family was not revoked by presenting its replaced token.
    const stillOk = await call(REFRESH, { refreshToken: rotated.data!.refreshSession.refreshToken });
    expect(stillOk.errors).toBeUndefined();

    expect((await login(email, bea.password)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await login(email, newPassword)).errors).toBeUndefined();

    const audit = await t.deps.db.auditEntry.findMany({ where: { targetId: bea.id, action: { in: ['password.changed', 'sessions.revoked'] } }, orderBy: { id: 'asc' } });
    expect(audit.map((row) => [row.action, row.actorId])).toEqual([
      ['password.changed', bea.id],
      ['sessions.revoked', bea.id],
    ]);
    expect(audit[1].details).toMatchObject({ reason: 'password.changed', sessions: 1 });
  });

  it('is refused for API keys, which a password reset leaves working (README: they are not sessions)', async () => {
    const email = uniqueEmail('keys');
    const user = await register(email);
    const key = await call(`mutation { createApiKey(input: { name: "ci", scopes: [READ, WRITE] }) { secret } }`, {}, { token: user.accessToken });
    expect(key.errors).toBeUndefined();
    const secret = key.data!.createApiKey.secret as string;
    const refused = await call(CHANGE, { input: { currentPassword: user.password, newPassword: 'a changed passphrase 9' } }, { token: secret });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const token = await askAndReceive(email);
    expect((await call(RESET, { token, newPassword: 'a brand new passphrase 7' })).errors).toBeUndefined();
    expect((await call(ME, {}, { token: user.accessToken })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await call(ME, {}, { token: secret })).data).toEqual({ me: { id: user.id } });
  });

  it('makes earlier reset links useless', async () => {
    const email = uniqueEmail('cy');
    const cy = await register(email);
    const token = await askAndReceive(email);
    const changed = await call(CHANGE, { input: { currentPassword: cy.password, newPassword: 'a changed passphrase 9' } }, { token: cy.accessToken });
    expect(changed.errors).toBeUndefined();
    const reset = await call(RESET, { token, newPassword: 'a brand new passphrase 7' });
    expect(reset.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'USED' });
  });
});

describe('breached passwords', () => {
  it('are refused with a clear reason by register, resetPassword and changePassword alike', async () => {
    const registered = await call(
      `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`,
      { input: { email: uniqueEmail('weak'), username: `weak${randomBytes(3).toString('hex')}`, password: 'password1234' } },
    );
    expect(registered.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });
    expect(registered.errors?.[0].message).toMatch(BREACHED);

    const email = uniqueEmail('dee');
    const dee = await register(email);
    const token = await askAndReceive(email);
    const reset = await call(RESET, { token, newPassword: 'qwertyuiop123' });
    expect(reset.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect(reset.errors?.[0].message).toMatch(BREACHED);
    // The refused password used nothing up: the link still works.
    expect((await call(RESET, { token, newPassword: 'a brand new passphrase 7' })).errors).toBeUndefined();

    const fresh = await login(email, 'a brand new passphrase 7');
    const changed = await call(
      CHANGE,
      { input: { currentPassword: 'a brand new passphrase 7', newPassword: 'Password1234' } },
      { token: fresh.data!.login.accessToken },
    );
    expect(changed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect(changed.errors?.[0].message).toMatch(BREACHED);
    expect(dee.id).toBeTruthy();
  });
});

describe('secrets', () => {
  it('never puts a reset token in a response or a log line', () => {
    expect(mailedTokens.size).toBeGreaterThan(5);
    const logs = t.logs.join('\n');
    const bodies = responses.join('\n');
    for (const token of mailedTokens) {
      expect(logs).not.toContain(token);
      expect(bodies).not.toContain(token);
    }
  });
});
