// Housekeeping and retention: the sweep prunes what would grow without bound, deletes finished jobs
// and sessions past their retention (server default or the project's) unless a legal hold keeps
// them, writes audit rows, keeps usage records, and records what it removed. The clock is moved by
// passing `now`; nothing here waits for time to pass.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { parseCrontab } from 'graphile-worker';
import { HOUSEKEEPING_TASK, housekeepingCrontab, runHousekeeping } from '../server/services/housekeeping.ts';
import { createTaskList } from '../jobs/tasks/index.ts';
import { uploadsDir } from '../server/services/uploads.ts';
import { storedJobFiles } from './helpers/jobs.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

const DAY = 86_400_000;
const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

let t: TestApp;
let admin: User;
let alice: User;
let bob: User;

beforeAll(async () => {
  t = await createTestApp({ RETENTION_DAYS: '30', UPLOAD_EXPIRY_HOURS: '24' });
  [admin, alice, bob] = [await registerUser(t), await registerUser(t), await registerUser(t)];
  await makeAdmin(t, admin.id);
});

afterAll(async () => {
  await t?.close();
});

/** A finished job of `ownerId` as the worker leaves it: row, segments, stored media and a usage record. */
async function finishedJob(ownerId: string, finishedAt: Date, extra: { projectId?: string; legalHold?: boolean } = {}) {
  const id = newId('Job');
  await t.deps.db.job.create({
    data: {
      id,
      ownerId,
      projectId: extra.projectId ?? null,
      provider: 'LOCAL',
      status: 'COMPLETED',
      progress: 1,
      text: 'hello world',
      sourceKey: `jobs/${id}/source`,
      completedAt: finishedAt,
      updatedAt: finishedAt,
      legalHold: extra.legalHold ?? false,
      segments: { create: [{ idx: 0, chunkIndex: 0, startSeconds: 0, endSeconds: 1, text: 'hello world', words: [] }] },
    },
  });
  await t.deps.storage.put(`jobs/${id}/source`, Buffer.from('media bytes'));
  await t.deps.storage.put(`jobs/${id}/audio.wav`, Buffer.from('decoded bytes'));
  await t.deps.db.usageRecord.create({
    data: { id: newId('UsageRecord'), userId: ownerId, jobId: id, provider: 'LOCAL', audioSeconds: 1, costUsd: 0, createdAt: finishedAt },
  });
  return id;
}

async function filesOf(jobId: string) {
  return (await storedJobFiles(t)).filter((file) => file.includes(jobId));
}

async function createProject(token: string, name: string) {
  const result = await t.gql(`mutation ($input: CreateProjectInput!) { createProject(input: $input) { id } }`, { input: { name } }, { token });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createProject.id as string;
}

describe('retention', () => {
  it('deletes finished jobs past RETENTION_DAYS with their media and segments, audited; usage stays; held and recent ones stay', async () => {
    const now = new Date(Date.now() + 1000 * DAY);
    const old = await finishedJob(alice.id, new Date(now.getTime() - 31 * DAY));
    const recent = await finishedJob(alice.id, new Date(now.getTime() - 29 * DAY));
    const held = await finishedJob(alice.id, new Date(now.getTime() - 31 * DAY));
    const running = newId('Job');
    await t.deps.db.job.create({
      data: { id: running, ownerId: alice.id, provider: 'LOCAL', status: 'PROCESSING', updatedAt: new Date(now.getTime() - 90 * DAY) },
    });

    const hold = await t.gql(
      `mutation ($id: ID!) { setLegalHold(id: $id, hold: true) { ... on Job { id legalHold } } }`,
      { id: held },
      { token: admin.accessToken },
    );
    expect(hold.data?.setLegalHold).toEqual({ id: held, legalHold: true });

    expect(await filesOf(old)).toHaveLength(2);
    const sweep = await runHousekeeping(t.deps, now);

    expect(await t.deps.db.job.findUnique({ where: { id: old } })).toBeNull();
    expect(await t.deps.db.transcriptSegment.count({ where: { jobId: old } })).toBe(0);
    expect(await filesOf(old)).toEqual([]);
    expect(await t.deps.db.usageRecord.count({ where: { jobId: old } })).toBe(1);
    const audit = await t.deps.db.auditEntry.findFirst({ where: { action: 'job.expired', targetId: old } });
    expect(audit).toMatchObject({ actorId: null, targetType: 'Job', details: expect.objectContaining({ ownerId: alice.id }) });

    for (const kept of [recent, held, running]) expect(await t.deps.db.job.findUnique({ where: { id: kept } })).not.toBeNull();
    expect(await filesOf(held)).toHaveLength(2);
    expect(sweep.removed).toMatchObject({ expiredJobs: 1 });

    // Released, the held job goes at the next sweep; the owner's job list no longer shows it.
    const release = await t.gql(
      `mutation ($id: ID!) { setLegalHold(id: $id, hold: false) { ... on Job { id legalHold } } }`,
      { id: held },
      { token: admin.accessToken },
    );
    expect(release.data?.setLegalHold).toEqual({ id: held, legalHold: false });
    await runHousekeeping(t.deps, now);
    expect(await t.deps.db.job.findUnique({ where: { id: held } })).toBeNull();
    const seen = await t.gql(`query ($id: ID!) { job(id: $id) { id } }`, { id: held }, { token: alice.accessToken });
    expect(codeOf(seen) === 'NOT_FOUND' || seen.data?.job === null).toBe(true);
    expect(
      await t.deps.db.auditEntry.findMany({ where: { targetId: held }, select: { action: true }, orderBy: { seq: 'asc' } }),
    ).toEqual([{ action: 'legalHold.set' }, { action: 'legalHold.released' }, { action: 'job.expired' }]);
  });

  it("a project's retentionDays overrides the server's, and a project legal hold keeps all of its jobs and sessions", async () => {
    const now = new Date(Date.now() + 2000 * DAY);
    const shortProject = await createProject(alice.accessToken, 'short retention');
    const heldProject = await createProject(alice.accessToken, 'held project');
    const set = await t.gql(
      `mutation ($id: ID!) { updateProject(id: $id, input: { retentionDays: 2 }) { id retentionDays legalHold } }`,
      { id: shortProject },
      { token: alice.accessToken },
    );
    expect(set.data?.updateProject).toEqual({ id: shortProject, retentionDays: 2, legalHold: false });
    const invalid = await t.gql(
      `mutation ($id: ID!) { updateProject(id: $id, input: { retentionDays: 0 }) { id } }`,
      { id: shortProject },
      { token: alice.accessToken },
    );
    expect(codeOf(invalid)).toBe('BAD_USER_INPUT');
    expect(await t.deps.db.auditEntry.count({ where: { action: 'project.retentionChanged', targetId: shortProject } })).toBe(1);

    const threeDaysOld = new Date(now.getTime() - 3 * DAY);
    const inShort = await finishedJob(alice.id, threeDaysOld, { projectId: shortProject });
    const personal = await finishedJob(alice.id, threeDaysOld);
    const inHeld = await finishedJob(alice.id, new Date(now.getTime() - 400 * DAY), { projectId: heldProject });
    const session = newId('LiveSession');
    await t.deps.db.liveSession.create({
      data: {
        id: session,
        ownerId: alice.id,
        projectId: shortProject,
        status: 'READY',
        provider: 'LOCAL',
        encoding: 'PCM_S16LE',
        sampleRate: 16000,
        endedAt: threeDaysOld,
        processedAt: threeDaysOld,
        mainKey: `sessions/${session}/main.flac`,
      },
    });
    await t.deps.storage.put(`sessions/${session}/main.flac`, Buffer.from('flac bytes'));

    const notAdmin = await t.gql(
      `mutation ($id: ID!) { setLegalHold(id: $id, hold: true) { __typename } }`,
      { id: heldProject },
      { token: alice.accessToken },
    );
    expect(codeOf(notAdmin)).toBe('FORBIDDEN');
    const hold = await t.gql(
      `mutation ($id: ID!) { setLegalHold(id: $id, hold: true) { ... on Project { id legalHold } } }`,
      { id: heldProject },
      { token: admin.accessToken },
    );
    expect(hold.data?.setLegalHold).toEqual({ id: heldProject, legalHold: true });

    const sweep = await runHousekeeping(t.deps, now);
    expect(await t.deps.db.job.findUnique({ where: { id: inShort } })).toBeNull();
    expect(await t.deps.db.liveSession.findUnique({ where: { id: session } })).toBeNull();
    expect(await t.deps.storage.exists(`sessions/${session}/main.flac`)).toBe(false);
    expect(await t.deps.db.auditEntry.count({ where: { action: 'session.expired', targetId: session } })).toBe(1);
    expect(await t.deps.db.job.findUnique({ where: { id: personal } })).not.toBeNull();
    expect(await t.deps.db.job.findUnique({ where: { id: inHeld } })).not.toBeNull();
    expect(sweep.removed).toMatchObject({ expiredSessions: 1 });
  });

  it('refuses a legal hold on anything but a job or a project, and on a missing one', async () => {
    const wrongType = await t.gql(`mutation { setLegalHold(id: "${bob.id}", hold: true) { __typename } }`, {}, { token: admin.accessToken });
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');
    const missing = await t.gql(`mutation { setLegalHold(id: "${newId('Job')}", hold: true) { __typename } }`, {}, { token: admin.accessToken });
    expect(codeOf(missing)).toBe('NOT_FOUND');
  });
});

describe('pruning', () => {
  it('removes expired and revoked refresh tokens, old deliveries, sent mail, idle rate limits, abandoned uploads; keeps live ones; admins read the sweep', async () => {
    const now = new Date(Date.now() + 3000 * DAY);
    const db = t.deps.db;
    const token = (expiresAt: Date, revokedAt: Date | null = null) =>
      db.refreshToken.create({
        data: { id: newId('RefreshToken'), userId: bob.id, familyId: 'family', tokenHash: newId('RefreshToken'), expiresAt, revokedAt },
      });
    const expired = await token(new Date(now.getTime() - 1000));
    const revoked = await token(new Date(now.getTime() + DAY), new Date(now.getTime() - 2 * DAY));
    const live = await token(new Date(now.getTime() + DAY));

    const mail = (sentAt: Date | null) =>
      db.outboxEmail.create({ data: { id: newId('OutboxEmail'), to: 'x@example.com', subject: 's', body: 'b', sentAt } });
    const oldMail = await mail(new Date(now.getTime() - 31 * DAY));
    const unsent = await mail(null);

    await db.rateLimit.create({ data: { key: `test-idle-${bob.id}`, tokens: 1, updatedAt: new Date(now.getTime() - 2 * 3_600_000) } });
    await db.rateLimit.create({ data: { key: `test-busy-${bob.id}`, tokens: 1, updatedAt: now } });

    const endpoint = await db.webhookEndpoint.create({
      data: {
        id: newId('WebhookEndpoint'),
        ownerId: bob.id,
        url: 'https://hooks.example.com/x',
        events: ['job.completed'],
        secretCiphertext: Buffer.alloc(1),
        secretNonce: Buffer.alloc(1),
        masterKeyId: 'k',
      },
    });
    const delivery = (status: string, completedAt: Date | null) =>
      db.webhookDelivery.create({
        data: { id: newId('WebhookDelivery'), endpointId: endpoint.id, eventId: 'evt', event: 'job.completed', body: '{}', status, completedAt },
      });
    const oldDelivery = await delivery('DELIVERED', new Date(now.getTime() - 31 * DAY));
    const pending = await delivery('PENDING', null);

    // Uploads: one abandoned a day and a half ago (row and tus files), one fresh, one file left without a row.
    const directory = uploadsDir(t.deps);
    await mkdir(directory, { recursive: true });
    const upload = async (createdAt: Date) => {
      const id = newId('Upload');
      await db.upload.create({ data: { id, ownerId: bob.id, size: 10, createdAt } });
      await writeFile(path.join(directory, id), 'partial');
      await writeFile(path.join(directory, `${id}.json`), '{}');
      return id;
    };
    const abandoned = await upload(new Date(now.getTime() - 36 * 3_600_000));
    const fresh = await upload(now);
    const orphan = newId('Upload');
    await writeFile(path.join(directory, orphan), 'left behind');

    const sweep = await runHousekeeping(t.deps, now);

    const remaining = async () => ({
      tokens: (await db.refreshToken.findMany({ where: { id: { in: [expired.id, revoked.id, live.id] } } })).map((r) => r.id),
      mail: (await db.outboxEmail.findMany({ where: { id: { in: [oldMail.id, unsent.id] } } })).map((r) => r.id),
      limits: (await db.rateLimit.findMany({ where: { key: { contains: bob.id } } })).map((r) => r.key),
      deliveries: (await db.webhookDelivery.findMany({ where: { endpointId: endpoint.id } })).map((r) => r.id),
      uploads: (await db.upload.findMany({ where: { id: { in: [abandoned, fresh] } } })).map((r) => r.id),
      files: (await readdir(directory)).filter((name) => [abandoned, fresh, orphan].some((id) => name.startsWith(id))).sort(),
    });
    expect(await remaining()).toEqual({
      tokens: [live.id],
      mail: [unsent.id],
      limits: [`test-busy-${bob.id}`],
      deliveries: [pending.id],
      uploads: [fresh],
      files: [fresh, `${fresh}.json`],
    });
    // At least these (rows of earlier tests in this file may expire at the same moved clock).
    const removed = sweep.removed as Record<string, number>;
    for (const [kind, count] of Object.entries({ refreshTokens: 2, outboxEmails: 1, rateLimits: 1, webhookDeliveries: 1, uploads: 2 })) {
      expect(removed[kind], kind).toBeGreaterThanOrEqual(count);
    }
    expect(sweep.error).toBeNull();

    const listed = await t.gql(
      `{ housekeepingSweeps(first: 1) { id startedAt finishedAt error removed { kind count } } }`,
      {},
      { token: admin.accessToken },
    );
    expect(listed.data?.housekeepingSweeps[0]).toMatchObject({ id: sweep.id, error: null });
    expect(listed.data?.housekeepingSweeps[0].removed).toEqual(
      expect.arrayContaining([{ kind: 'refreshTokens', count: removed.refreshTokens }, { kind: 'uploads', count: removed.uploads }]),
    );
    const forbidden = await t.gql(`{ housekeepingSweeps { id } }`, {}, { token: bob.accessToken });
    expect(codeOf(forbidden)).toBe('FORBIDDEN');
  });

  it('a resumable upload announces when it expires (Upload-Expires)', async () => {
    const base = await t.listen();
    const response = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob.accessToken}`, 'tus-resumable': '1.0.0', 'upload-length': '100' },
    });
    expect(response.status).toBe(201);
    const expires = Date.parse(response.headers.get('upload-expires') ?? '');
    expect(expires - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
  });

  it('runs from graphile-worker\'s crontab at HOUSEKEEPING_CRON, one at a time, as a task the runner knows', () => {
    const [item] = parseCrontab(housekeepingCrontab({ HOUSEKEEPING_CRON: '5 3 * * *' }));
    expect(item).toMatchObject({ task: HOUSEKEEPING_TASK, options: { maxAttempts: 1, jobKey: 'housekeeping' } });
    expect(item.match({ min: 5, hour: 3, date: 1, month: 1, dow: 4 })).toBe(true);
    expect(item.match({ min: 6, hour: 3, date: 1, month: 1, dow: 4 })).toBe(false);
    expect(createTaskList(t.deps)).toHaveProperty(HOUSEKEEPING_TASK);
  });

  it('keeps only the newest HOUSEKEEPING_SWEEPS_KEPT sweeps', async () => {
    const kept = t.deps.env.HOUSEKEEPING_SWEEPS_KEPT;
    const base = Date.now() - 10 * DAY;
    await t.deps.db.housekeepingSweep.createMany({
      data: Array.from({ length: kept + 5 }, (_, i) => ({ id: newId('HousekeepingSweep'), startedAt: new Date(base + i * 1000) })),
    });
    await runHousekeeping(t.deps, new Date());
    expect(await t.deps.db.housekeepingSweep.count()).toBe(kept);
  });
});
