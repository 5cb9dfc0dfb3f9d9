// Account erasure (README, "Deleting your account"), end to end on local storage and on S3 (the fake):
// a user with a completed and a running LOCAL job, a staged tus upload, an ACTIVE live session, a
// recording in someone else's project, API and provider keys, a webhook, memberships and an invitation
// deletes their account. Afterwards no row anywhere holds their id or email, no stored file of theirs
// remains, the running job's worker has stopped, usage totals are unchanged under a pseudonym, and the
// audit log keeps its rows under that pseudonym. Refusals (the last OWNER of a project, a wrong
// password) change nothing; an admin's erasure is audited with the admin as actor.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { erasedUserPseudonym } from '../server/services/accountErasure.ts';
import { fakeS3StorageEnv, startFakeS3, type FakeS3Server } from './fakes/s3Server.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { startOidcProvider, type OidcProvider } from './helpers/oidcProvider.ts';
import { makeSpeechFixture, makeTempDir } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';
import { ok } from './helpers/gqlResult.ts';

const run = promisify(execFile);
type User = Awaited<ReturnType<typeof registerUser>>;

const BUCKET = 'erasure-bucket';
const DELETE = `mutation ($input: DeleteAccountInput!) { deleteAccount(input: $input) }`;
const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

let temp: { dir: string; cleanup: () => Promise<void> };
let shortWav: string;
let longWav: string;
let s3: FakeS3Server;

beforeAll(async () => {
  temp = await makeTempDir('parlance-erasure-');
  const speech = await makeSpeechFixture(['the weather is nice today'], path.join(temp.dir, 'short.wav'));
  shortWav = speech.wavPath;
  // About three minutes of speech: long enough that the job is still running when the account goes.
  longWav = path.join(temp.dir, 'long.wav');
  await run('ffmpeg', ['-v', 'error', '-stream_loop', '60', '-i', shortWav, '-c', 'copy', longWav]);
  s3 = await startFakeS3({ buckets: [BUCKET] });
}, 120_000);

afterAll(async () => {
  await s3?.close();
  await temp?.cleanup();
});

/** Every file under a directory, recursively. */
async function filesUnder(folder: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else files.push(full);
  }
  return files;
}

/** Every (table, column) of the public schema holding text or JSON, with the number of rows mentioning `needle`. */
async function rowsMentioning(t: TestApp, needle: string): Promise<string[]> {
  const columns = await t.deps.db.$queryRaw<{ table_name: string; column_name: string }[]>`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`;
  expect(columns.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    const [row] = await t.deps.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "${table}" WHERE strpos(lower("${column}"::text), lower($1)) > 0`,
      needle,
    );
    if (row.n > 0) found.push(`${table}.${column} (${row.n})`);
  }
  return found;
}

const userIdColumns = async (t: TestApp) =>
  t.deps.db.$queryRaw<{ table_name: string; column_name: string }[]>`
    SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name IN ('user_id', 'owner_id', 'actor_id', 'speaker_id', 'requested_by', 'invited_by', 'accepted_by', 'reviewed_by', 'author_id', 'created_by')`;

describe.each(['local', 's3'] as const)('erasure with %s storage', (driver) => {
  let t: TestApp;
  let base: string;
  let victim: User;
  let partner: User;
  let admin: User;

  beforeAll(async () => {
    const storage: Record<string, string> = driver === 's3' ? fakeS3StorageEnv(s3, BUCKET) : {};
    t = await createTestApp(
      {
        ...storage,
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        CHUNK_SECONDS: '20',
        LIVE_MAX_SPEED: '100000',
        LIVE_BURST_SECONDS: '100000',
        LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
      },
      { runner: true },
    );
    base = await t.listen();
    [victim, partner, admin] = await Promise.all([registerUser(t), registerUser(t), registerUser(t)]);
    await makeAdmin(t, admin.id);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  /** Stored object keys: the S3 fake's bucket, or the files of the local storage directory. */
  async function storedKeys(): Promise<string[]> {
    if (driver === 's3') return s3.keys(BUCKET);
    return (await filesUnder(t.deps.env.storageDir)).map((file) => path.relative(t.deps.env.storageDir, file));
  }

  async function usageTotals(): Promise<{ jobs: number; audioSeconds: number; costUsd: number; keys: string[] }> {
    const data = ok(await t.gql(`{ adminUsage(groupBy: USER) { key jobs audioSeconds costUsd } }`, {}, { token: admin.accessToken }));
    const buckets = data.adminUsage as { key: string; jobs: number; audioSeconds: number; costUsd: number }[];
    return {
      jobs: buckets.reduce((sum, bucket) => sum + bucket.jobs, 0),
      audioSeconds: buckets.reduce((sum, bucket) => sum + bucket.audioSeconds, 0),
      costUsd: buckets.reduce((sum, bucket) => sum + bucket.costUsd, 0),
      keys: buckets.map((bucket) => bucket.key),
    };
  }

  async function shareProject(name: string, victimRole: 'OWNER' | 'CONTRIBUTOR', partnerRole: 'OWNER' | null) {
    const id = newId('Project');
    await t.deps.db.project.create({ data: { id, name, createdBy: partner.id } });
    await t.deps.db.projectMember.create({ data: { projectId: id, userId: victim.id, role: victimRole } });
    if (partnerRole) await t.deps.db.projectMember.create({ data: { projectId: id, userId: partner.id, role: partnerRole } });
    return id;
  }

  it('removes everything of the user, keeps usage and audit under a pseudonym, and stops their running work', async () => {
    const token = victim.accessToken;
    // The partner's own job stays, files and all (first: the runner does one job at a time).
    const partnersJob = ok(await submitFile(t, partner.accessToken, shortWav)).createTranscriptionJob.id as string;
    await waitForJob(t, partner.accessToken, partnersJob, ['COMPLETED']);
    // A finished job (usage, segments, stored media), then a long one left running.
    const done = ok(await submitFile(t, token, shortWav)).createTranscriptionJob.id as string;
    await waitForJob(t, token, done, ['COMPLETED']);
    const running = ok(await submitFile(t, token, longWav)).createTranscriptionJob.id as string;
    await waitForJob(t, token, running, ['PROCESSING'], 120_000);

    // A resumable upload, half sent (tus).
    const created = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-length': '1000', 'upload-metadata': `filename ${Buffer.from('half.wav').toString('base64')}` },
    });
    expect(created.status, await created.text()).toBe(201);
    const uploadUrl = new URL(created.headers.get('location')!, base).toString();
    const patched = await fetch(uploadUrl, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
      body: Buffer.alloc(400, 1),
    });
    expect(patched.status).toBe(204);
    const uploadId = uploadUrl.split('/').pop()!;

    // An ACTIVE live session with some audio.
    const session = ok(
      await t.gql(`mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`, {
        input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 },
      }, { token }),
    ).startLiveSession.id as string;
    ok(await t.gql(`mutation ($id: ID!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: 0, chunk: $chunk) }`, {
      id: session,
      chunk: Buffer.alloc(6400).toString('base64'),
    }, { token }));

    // Keys, a webhook, memberships (co-owner of one project, contributor with a recording in another), an invitation.
    ok(await t.gql(`mutation { createApiKey(input: { name: "mine", scopes: [READ, WRITE] }) { secret } }`, {}, { token }));
    ok(await t.gql(`mutation { setProviderKey(input: { provider: OPENAI, name: "mine", secret: "sk-erasure-test-secret" }) { id } }`, {}, { token }));
    ok(await t.gql(`mutation { createWebhook(input: { url: "http://127.0.0.1:9/hook", events: ["job.completed"] }) { secret } }`, {}, { token }));
    const coOwned = await shareProject(`Co-owned ${driver}`, 'OWNER', 'OWNER');
    const recorded = await shareProject(`Recorded ${driver}`, 'CONTRIBUTOR', 'OWNER');
    ok(await t.gql(`mutation ($p: ID!) { inviteMember(projectId: $p, email: "friend-${driver}@example.com", role: CONTRIBUTOR) }`, { p: coOwned }, { token }));
    const recordingSession = newId('LiveSession');
    await t.deps.db.liveSession.create({
      data: { id: recordingSession, ownerId: victim.id, projectId: recorded, status: 'READY', provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, receivedSeconds: 2, durationSeconds: 2, mainKey: `sessions/${recordingSession}/main.flac` },
    });
    await t.deps.storage.put(`sessions/${recordingSession}/main.flac`, Buffer.from('my voice'));
    await t.deps.db.recording.create({
      data: { id: newId('Recording'), sessionId: recordingSession, projectId: recorded, speakerId: victim.id, durationSeconds: 2, recognisedText: 'hello', checks: {}, suspicion: 0 },
    });

    const mine = [done, running, session, recordingSession, uploadId];
    const keysBefore = await storedKeys();
    for (const id of [done, running, recordingSession]) expect(keysBefore.some((key) => key.includes(id)), id).toBe(true);
    // Staged in DATA_DIR/uploads (local) or under uploads/ in the bucket (s3).
    expect([...(await filesUnder(t.deps.env.dataDir)), ...keysBefore].some((file) => file.includes(uploadId))).toBe(true);
    // A question asked about the finished job: chat usage, kept under the pseudonym like audio usage.
    await t.deps.db.chatUsageRecord.create({
      data: { id: newId('ChatUsageRecord'), userId: victim.id, jobId: done, purpose: 'QUESTION', provider: 'OPENAI', model: 'gpt-4o-mini', requests: 1, inputTokens: 900, outputTokens: 40, costUsd: 0.000159 },
    });
    const usageBefore = await usageTotals();
    expect(usageBefore.keys).toContain(victim.id);
    const auditBefore = await t.deps.db.auditEntry.count({ where: { actorId: victim.id } });
    expect(auditBefore).toBeGreaterThanOrEqual(3);

    ok(await t.gql(DELETE, { input: { password: victim.password } }, { token }));

    // No row anywhere holds their id or email (every text and JSON column of every table).
    expect(await rowsMentioning(t, victim.id)).toEqual([]);
    expect(await rowsMentioning(t, victim.email)).toEqual([]);
    for (const { table_name: table, column_name: column } of await userIdColumns(t)) {
      const [row] = await t.deps.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" = $1`, victim.id);
      expect(row.n, `${table}.${column}`).toBe(0);
    }
    // Their queued and running work is off the queue, and the worker stopped the running job.
    await waitFor('the running job to stop', async () => {
      const [row] = await t.deps.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'transcribe'`;
      return row.n === 0;
    }, 60_000);
    // Their stored files, and the staged upload, are gone once the queued task ran; the partner's stay.
    await waitFor('the stored files to be removed', async () => {
      const keys = await storedKeys();
      const dataFiles = await filesUnder(t.deps.env.dataDir);
      return mine.every((id) => !keys.some((key) => key.includes(id)) && !dataFiles.some((file) => file.includes(id)));
    }, 60_000);
    expect((await storedKeys()).some((key) => key.includes(partnersJob))).toBe(true);
    // No file of theirs left in the worker's scratch space either.
    expect((await filesUnder(path.join(os.tmpdir(), 'parlance-jobs', running))).length).toBe(0);

    // Usage totals are unchanged; their share now stands under the pseudonym.
    const pseudonym = erasedUserPseudonym(victim.id);
    const usageAfter = await usageTotals();
    expect(usageAfter.jobs).toBe(usageBefore.jobs);
    expect(usageAfter.audioSeconds).toBeCloseTo(usageBefore.audioSeconds, 6);
    expect(usageAfter.costUsd).toBeCloseTo(usageBefore.costUsd, 6);
    expect(usageAfter.keys).toContain(pseudonym);
    expect(usageAfter.keys).not.toContain(victim.id);
    expect(await t.deps.db.chatUsageRecord.count({ where: { userId: victim.id } })).toBe(0);
    expect(await t.deps.db.chatUsageRecord.count({ where: { userId: pseudonym, purpose: 'QUESTION' } })).toBe(1);

    // The audit log keeps every row, under the pseudonym, and records the deletion.
    expect(await t.deps.db.auditEntry.count({ where: { actorId: pseudonym } })).toBeGreaterThanOrEqual(auditBefore + 1);
    const deletion = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: 'user.deleted', targetId: pseudonym } });
    expect(deletion).toMatchObject({ actorId: pseudonym, targetType: 'User' });
    expect(deletion.details).toMatchObject({ by: 'self' });
    // And it is still append-only.
    await expect(t.deps.db.$executeRaw`UPDATE audit_log SET action = 'x' WHERE id = ${deletion.id}`).rejects.toThrow(/append-only/);

    // The co-owned project, its partner and the other project stay; the account's tokens no longer work.
    expect(await t.deps.db.project.count({ where: { id: { in: [coOwned, recorded] } } })).toBe(2);
    expect(await t.deps.db.recording.count({ where: { projectId: recorded } })).toBe(0);
    expect(codeOf(await t.gql('{ me { id } }', {}, { token }))).toBe('UNAUTHENTICATED');
    const login = await t.gql(`mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`, {
      input: { login: victim.email, password: victim.password },
    });
    expect(login.data).toBeNull();
  }, 300_000);

  it('refuses a wrong password and the last OWNER of a project, and changes nothing', async () => {
    const owner = await registerUser(t);
    const job = ok(await submitFile(t, owner.accessToken, shortWav)).createTranscriptionJob.id as string;
    await waitForJob(t, owner.accessToken, job, ['COMPLETED']);
    const wrong = await t.gql(DELETE, { input: { password: 'not my password at all' } }, { token: owner.accessToken });
    expect(codeOf(wrong)).toBe('FORBIDDEN');
    expect(wrong.raw).not.toContain('not my password at all');
    expect(codeOf(await t.gql(DELETE, { input: {} }, { token: owner.accessToken }))).toBe('BAD_USER_INPUT');

    const project = ok(await t.gql(`mutation { createProject(input: { name: "Only mine ${driver}" }) { id } }`, {}, { token: owner.accessToken }))
      .createProject.id as string;
    const refused = await t.gql(DELETE, { input: { password: owner.password } }, { token: owner.accessToken });
    expect(codeOf(refused)).toBe('CONFLICT');
    expect(refused.errors![0].message).toContain(`Only mine ${driver}`);
    expect(refused.errors![0].extensions!.projects).toEqual([{ id: project, name: `Only mine ${driver}` }]);

    expect(await t.deps.db.user.count({ where: { id: owner.id } })).toBe(1);
    expect(await t.deps.db.job.count({ where: { id: job } })).toBe(1);
    expect(await t.deps.db.usageRecord.count({ where: { userId: owner.id } })).toBe(1);
    expect((await storedKeys()).some((key) => key.includes(job))).toBe(true);
    expect(ok(await t.gql('{ me { id } }', {}, { token: owner.accessToken })).me.id).toBe(owner.id);

    // Handing the project over (a second OWNER) lets the deletion through.
    await t.deps.db.projectMember.create({ data: { projectId: project, userId: partner.id, role: 'OWNER' } });
    ok(await t.gql(DELETE, { input: { password: owner.password } }, { token: owner.accessToken }));
    expect(await t.deps.db.user.count({ where: { id: owner.id } })).toBe(0);
    expect(await t.deps.db.project.count({ where: { id: project } })).toBe(1);
  }, 120_000);

  it('lets an admin erase a user, audited with the admin as actor; others may not', async () => {
    const target = await registerUser(t);
    ok(await t.gql(`mutation { createApiKey(input: { name: "k", scopes: [READ] }) { secret } }`, {}, { token: target.accessToken }));
    const byUser = await t.gql(`mutation ($id: ID!) { adminDeleteUser(id: $id) }`, { id: target.id }, { token: partner.accessToken });
    expect(codeOf(byUser)).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(`mutation ($id: ID!) { adminDeleteUser(id: $id) }`, { id: 'usr_00000000000000000000000000' }, { token: admin.accessToken }))).toBe(
      'NOT_FOUND',
    );
    ok(await t.gql(`mutation ($id: ID!) { adminDeleteUser(id: $id) }`, { id: target.id }, { token: admin.accessToken }));
    expect(await rowsMentioning(t, target.id)).toEqual([]);
    const pseudonym = erasedUserPseudonym(target.id);
    const entry = await t.deps.db.auditEntry.findFirstOrThrow({ where: { action: 'user.deleted', targetId: pseudonym } });
    expect(entry).toMatchObject({ actorId: admin.id, targetType: 'User' });
    expect(entry.details).toMatchObject({ by: 'admin' });
    // The key's creation stays in the log, under the pseudonym.
    expect(await t.deps.db.auditEntry.count({ where: { action: 'apiKey.created', actorId: pseudonym } })).toBe(1);
    expect(codeOf(await t.gql('{ me { id } }', {}, { token: target.accessToken }))).toBe('UNAUTHENTICATED');
  }, 60_000);
});

describe('confirmations besides the password', () => {
  let t: TestApp;
  let issuer: OidcProvider;

  beforeAll(async () => {
    issuer = await startOidcProvider({ issuerPath: '/realms/erasure', jwksPath: '/realms/erasure/certs' });
    t = await createTestApp({ OIDC_ISSUERS: JSON.stringify([{ issuer: issuer.issuer, audience: 'parlance-api', jwksUrl: issuer.jwksUrl }]) });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await issuer?.close();
  });

  it('accepts a recovery code of an account with two-factor authentication, and refuses a wrong code and API keys', async () => {
    const user = await registerUser(t);
    const token = user.accessToken;
    const { secret } = ok(await t.gql(`mutation { enrollTotp { secret uri } }`, {}, { token })).enrollTotp as { secret: string };
    const recoveryCodes = ok(await t.gql(`mutation ($code: String!) { confirmTotp(code: $code) }`, { code: await generate({ secret }) }, { token }))
      .confirmTotp as string[];
    const key = ok(await t.gql(`mutation { createApiKey(input: { name: "w", scopes: [READ, WRITE] }) { secret } }`, {}, { token })).createApiKey
      .secret as string;
    expect(codeOf(await t.gql(DELETE, { input: { password: user.password } }, { headers: { 'x-api-key': key } }))).toBe('FORBIDDEN');
    const wrong = await t.gql(DELETE, { input: { code: 'not-a-code' } }, { token });
    expect(codeOf(wrong)).toBe('FORBIDDEN');
    expect(await t.deps.db.user.count({ where: { id: user.id } })).toBe(1);
    ok(await t.gql(DELETE, { input: { code: recoveryCodes[0] } }, { token }));
    expect(await rowsMentioning(t, user.id)).toEqual([]);
  }, 60_000);

  it('asks a password-less (external) account for a sign-in at its issuer within the last 5 minutes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const subject = `erasure-${now}`;
    const stale = await issuer.sign({ sub: subject, email: `${subject}@example.com`, email_verified: true, auth_time: now - 3600 });
    ok(await t.gql('{ me { id } }', {}, { token: stale }));
    const user = await t.deps.db.user.findFirstOrThrow({ where: { oidcSubject: subject } });
    expect(user.passwordHash).toBeNull();
    const refused = await t.gql(DELETE, { input: {} }, { token: stale });
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].extensions!.reason).toBe('REAUTHENTICATE');
    expect(await t.deps.db.user.count({ where: { id: user.id } })).toBe(1);

    const fresh = await issuer.sign({ sub: subject, email: `${subject}@example.com`, email_verified: true, auth_time: now - 10 });
    ok(await t.gql(DELETE, { input: {} }, { token: fresh }));
    expect(await rowsMentioning(t, user.id)).toEqual([]);
  }, 60_000);
});
