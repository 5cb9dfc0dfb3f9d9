// The audit log: a row (who, what, target, when, request id) for every admin action, role or
// membership change, key creation or revocation, and deletion; read by admins newest first; and
// append-only in the database itself (UPDATE, DELETE and TRUNCATE refused by a trigger).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { createTestApp, makeAdmin, registerUser, verifyEmailDirectly, type GqlResult, type TestApp } from './helpers/testApp.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

let t: TestApp;
let admin: User;
let alice: User;
let bob: User;

const ENTRY = 'id action targetType targetId requestId details createdAt actor { id }';
const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;
/** A row as text (its bigint seq too), for asserting that no secret is in it. */
const asText = (row: unknown) => JSON.stringify(row, (_key, value) => (typeof value === 'bigint' ? String(value) : value));

beforeAll(async () => {
  t = await createTestApp({ URL_FETCH_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_ALLOW_HOSTS: '127.0.0.1' });
  [admin, alice, bob] = [await registerUser(t), await registerUser(t), await registerUser(t)];
  await makeAdmin(t, admin.id);
});

afterAll(async () => {
  await t?.close();
});

let requestCounter = 0;
/** Runs an operation with a known x-request-id and expects it to succeed. */
async function act(token: string, query: string, variables: Record<string, unknown> = {}) {
  requestCounter += 1;
  const requestId = `req-audit-${requestCounter}-${Math.random().toString(36).slice(2, 8)}`;
  const result = await t.gql(query, variables, { token, headers: { 'x-request-id': requestId } });
  expect(result.errors, result.raw).toBeUndefined();
  return { data: result.data!, requestId };
}

/** The newest audit row of `action` on `targetId`. */
async function latest(action: string, targetId: string) {
  return t.deps.db.auditEntry.findFirst({ where: { action, targetId }, orderBy: { seq: 'desc' } });
}

async function expectAudited(
  requestId: string,
  expected: { action: string; actorId: string | null; targetType: string; targetId: string; details?: Record<string, unknown> },
) {
  const row = await latest(expected.action, expected.targetId);
  expect(row, `${expected.action} on ${expected.targetId}`).not.toBeNull();
  expect(row).toMatchObject({
    actorId: expected.actorId,
    action: expected.action,
    targetType: expected.targetType,
    targetId: expected.targetId,
    requestId,
  });
  if (expected.details) expect(row!.details).toMatchObject(expected.details);
  expect(Date.now() - row!.createdAt.getTime()).toBeLessThan(60_000);
}

describe('audited actions', () => {
  it('admin actions: setUserRole, setUserActive, setUserQuota', async () => {
    const role = await act(admin.accessToken, `mutation ($id: ID!) { setUserRole(userId: $id, role: ADMIN) { id } }`, { id: bob.id });
    await expectAudited(role.requestId, { action: 'user.roleChanged', actorId: admin.id, targetType: 'User', targetId: bob.id, details: { previous: 'USER', role: 'ADMIN' } });
    const back = await act(admin.accessToken, `mutation ($id: ID!) { setUserRole(userId: $id, role: USER) { id } }`, { id: bob.id });
    await expectAudited(back.requestId, { action: 'user.roleChanged', actorId: admin.id, targetType: 'User', targetId: bob.id, details: { previous: 'ADMIN', role: 'USER' } });

    const off = await act(admin.accessToken, `mutation ($id: ID!) { setUserActive(userId: $id, active: false) { id } }`, { id: bob.id });
    await expectAudited(off.requestId, { action: 'user.deactivated', actorId: admin.id, targetType: 'User', targetId: bob.id });
    const on = await act(admin.accessToken, `mutation ($id: ID!) { setUserActive(userId: $id, active: true) { id } }`, { id: bob.id });
    await expectAudited(on.requestId, { action: 'user.activated', actorId: admin.id, targetType: 'User', targetId: bob.id });

    const quota = await act(admin.accessToken, `mutation ($id: ID!) { setUserQuota(userId: $id, monthlyAudioMinutes: 90) { id } }`, { id: bob.id });
    await expectAudited(quota.requestId, {
      action: 'user.quotaChanged',
      actorId: admin.id,
      targetType: 'User',
      targetId: bob.id,
      details: { previous: null, monthlyAudioMinutes: 90 },
    });

    // A refused action writes nothing.
    const before = await t.deps.db.auditEntry.count();
    const refused = await t.gql(`mutation ($id: ID!) { setUserRole(userId: $id, role: USER) { id } }`, { id: admin.id }, { token: admin.accessToken });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(await t.deps.db.auditEntry.count()).toBe(before);
  });

  it('key creation and revocation: API keys and provider keys', async () => {
    const created = await act(alice.accessToken, `mutation { createApiKey(input: { name: "ci", scopes: [READ] }) { apiKey { id prefix } secret } }`);
    const keyId = created.data.createApiKey.apiKey.id;
    await expectAudited(created.requestId, {
      action: 'apiKey.created',
      actorId: alice.id,
      targetType: 'ApiKey',
      targetId: keyId,
      details: { name: 'ci', prefix: created.data.createApiKey.apiKey.prefix, scopes: ['READ'] },
    });
    const row = await latest('apiKey.created', keyId);
    expect(asText(row)).not.toContain(created.data.createApiKey.secret);
    const revoked = await act(alice.accessToken, `mutation ($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: keyId });
    await expectAudited(revoked.requestId, { action: 'apiKey.revoked', actorId: alice.id, targetType: 'ApiKey', targetId: keyId });

    const secret = 'sk-audit-secret-value-1234';
    const set = await act(alice.accessToken, `mutation ($s: String!) { setProviderKey(input: { provider: OPENAI, name: "main", secret: $s }) { id } }`, { s: secret });
    const providerKeyId = set.data.setProviderKey.id;
    await expectAudited(set.requestId, {
      action: 'providerKey.set',
      actorId: alice.id,
      targetType: 'ProviderKey',
      targetId: providerKeyId,
      details: { provider: 'OPENAI', name: 'main', last4: '1234' },
    });
    expect(asText(await latest('providerKey.set', providerKeyId))).not.toContain(secret);
    const deleted = await act(alice.accessToken, `mutation ($id: ID!) { deleteProviderKey(id: $id) }`, { id: providerKeyId });
    await expectAudited(deleted.requestId, { action: 'providerKey.deleted', actorId: alice.id, targetType: 'ProviderKey', targetId: providerKeyId });
  });

  it('membership and role changes, and deleting a project', async () => {
    const created = await act(alice.accessToken, `mutation { createProject(input: { name: "Audited" }) { id } }`);
    const projectId = created.data.createProject.id;
    await expectAudited(created.requestId, { action: 'member.added', actorId: alice.id, targetType: 'Project', targetId: projectId, details: { userId: alice.id, role: 'OWNER' } });

    const invited = await act(alice.accessToken, `mutation ($p: ID!, $e: String!) { inviteMember(projectId: $p, email: $e, role: CONTRIBUTOR) }`, {
      p: projectId,
      e: bob.email,
    });
    await expectAudited(invited.requestId, { action: 'member.invited', actorId: alice.id, targetType: 'Project', targetId: projectId, details: { role: 'CONTRIBUTOR' } });
    const email = await t.deps.db.outboxEmail.findFirstOrThrow({ where: { to: bob.email }, orderBy: { id: 'desc' } });
    const token = /inv_[A-Za-z0-9_-]+/.exec(email.body)![0];
    expect(asText(await latest('member.invited', projectId))).not.toContain(token);

    await verifyEmailDirectly(t, bob.id);
    const joined = await act(bob.accessToken, `mutation ($token: String!) { acceptInvitation(token: $token) { id } }`, { token });
    await expectAudited(joined.requestId, { action: 'member.joined', actorId: bob.id, targetType: 'Project', targetId: projectId, details: { userId: bob.id, role: 'CONTRIBUTOR' } });

    const promoted = await act(alice.accessToken, `mutation ($p: ID!, $u: ID!) { setMemberRole(projectId: $p, userId: $u, role: ADMIN) { role } }`, {
      p: projectId,
      u: bob.id,
    });
    await expectAudited(promoted.requestId, {
      action: 'member.roleChanged',
      actorId: alice.id,
      targetType: 'Project',
      targetId: projectId,
      details: { userId: bob.id, role: 'ADMIN', previousRole: 'CONTRIBUTOR' },
    });

    const removed = await act(alice.accessToken, `mutation ($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }`, { p: projectId, u: bob.id });
    await expectAudited(removed.requestId, { action: 'member.removed', actorId: alice.id, targetType: 'Project', targetId: projectId, details: { userId: bob.id, previousRole: 'ADMIN' } });

    const deleted = await act(alice.accessToken, `mutation ($id: ID!) { deleteProject(id: $id, confirmName: "Audited") }`, { id: projectId });
    await expectAudited(deleted.requestId, { action: 'project.deleted', actorId: alice.id, targetType: 'Project', targetId: projectId, details: { name: 'Audited' } });
    // The project's history stays after the project is gone.
    expect(await t.deps.db.auditEntry.count({ where: { targetId: projectId } })).toBe(6);
  });

  it('deleting jobs and webhooks, and creating webhooks', async () => {
    const job = await act(alice.accessToken, `mutation { createTranscriptionJob(input: { url: "http://127.0.0.1:9/a.wav" }) { id } }`);
    const jobId = job.data.createTranscriptionJob.id;
    // An admin deleting someone else's job is the actor.
    const deleted = await act(admin.accessToken, `mutation ($id: ID!) { deleteJob(id: $id) }`, { id: jobId });
    await expectAudited(deleted.requestId, { action: 'job.deleted', actorId: admin.id, targetType: 'Job', targetId: jobId, details: { ownerId: alice.id } });

    const hook = await act(alice.accessToken, `mutation { createWebhook(input: { url: "http://127.0.0.1:9/hook", events: ["job.completed"] }) { webhook { id } secret } }`);
    const hookId = hook.data.createWebhook.webhook.id;
    await expectAudited(hook.requestId, { action: 'webhook.created', actorId: alice.id, targetType: 'WebhookEndpoint', targetId: hookId, details: { events: ['job.completed'] } });
    expect(asText(await latest('webhook.created', hookId))).not.toContain(hook.data.createWebhook.secret);
    const gone = await act(alice.accessToken, `mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: hookId });
    await expectAudited(gone.requestId, { action: 'webhook.deleted', actorId: alice.id, targetType: 'WebhookEndpoint', targetId: hookId });
  });

  it('reviews of recordings, with the new and previous status', async () => {
    const project = await act(alice.accessToken, `mutation { createProject(input: { name: "Audited reviews" }) { id } }`);
    const projectId = project.data.createProject.id;
    await t.deps.db.projectMember.create({ data: { projectId, userId: bob.id, role: 'CONTRIBUTOR' } });
    const sessionId = newId('LiveSession');
    await t.deps.db.liveSession.create({
      data: { id: sessionId, ownerId: bob.id, projectId, status: 'READY', provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, receivedSeconds: 1 },
    });
    const recordingId = newId('Recording');
    await t.deps.db.recording.create({
      data: { id: recordingId, sessionId, projectId, speakerId: bob.id, durationSeconds: 1, recognisedText: 'hello', checks: {}, suspicion: 0 },
    });
    const REVIEW = `mutation ($id: ID!, $status: ReviewStatus!) { reviewRecording(id: $id, status: $status) { id } }`;
    const approved = await act(alice.accessToken, REVIEW, { id: recordingId, status: 'APPROVED' });
    await expectAudited(approved.requestId, {
      action: 'recording.reviewed', actorId: alice.id, targetType: 'Recording', targetId: recordingId,
      details: { projectId, status: 'APPROVED', previous: 'PENDING' },
    });
    const rejected = await act(alice.accessToken, REVIEW, { id: recordingId, status: 'REJECTED' });
    await expectAudited(rejected.requestId, {
      action: 'recording.reviewed', actorId: alice.id, targetType: 'Recording', targetId: recordingId,
      details: { projectId, status: 'REJECTED', previous: 'APPROVED' },
    });
  });
});

describe('auditLog', () => {
  it('is for admins only, newest first, paginated, with totalCount and filters', async () => {
    const denied = await t.gql(`{ auditLog { totalCount } }`, {}, { token: alice.accessToken });
    expect(codeOf(denied)).toBe('FORBIDDEN');

    const total = await t.deps.db.auditEntry.count();
    const first = await act(admin.accessToken, `{ auditLog(first: 3) { totalCount pageInfo { hasNextPage endCursor } edges { node { ${ENTRY} } } } }`);
    const page = first.data.auditLog;
    expect(page.totalCount).toBe(total);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const newest = await t.deps.db.auditEntry.findMany({ orderBy: { seq: 'desc' }, take: 6 });
    expect(page.edges.map((edge: any) => edge.node.id)).toEqual(newest.slice(0, 3).map((row) => row.id));
    const next = await act(admin.accessToken, `query ($after: String) { auditLog(first: 3, after: $after) { edges { node { id } } } }`, {
      after: page.pageInfo.endCursor,
    });
    expect(next.data.auditLog.edges.map((edge: any) => edge.node.id)).toEqual(newest.slice(3, 6).map((row) => row.id));

    const mine = await act(admin.accessToken, `query ($actor: ID) { auditLog(first: 100, actorId: $actor, action: "user.roleChanged") { totalCount edges { node { ${ENTRY} } } } }`, {
      actor: admin.id,
    });
    expect(mine.data.auditLog.totalCount).toBe(2);
    const [latestRole, earlierRole] = mine.data.auditLog.edges.map((edge: any) => edge.node);
    expect(latestRole).toMatchObject({ action: 'user.roleChanged', targetType: 'User', targetId: bob.id, actor: { id: admin.id } });
    expect(JSON.parse(latestRole.details)).toEqual({ previous: 'ADMIN', role: 'USER' });
    expect(JSON.parse(earlierRole.details)).toEqual({ previous: 'USER', role: 'ADMIN' });
    expect(new Date(latestRole.createdAt).getTime()).toBeGreaterThanOrEqual(new Date(earlierRole.createdAt).getTime());

    // Node: the same rule as auditLog.
    const node = await t.gql(`query ($id: ID!) { node(id: $id) { id ... on AuditEntry { action } } }`, { id: latestRole.id }, { token: admin.accessToken });
    expect(node.data!.node).toEqual({ id: latestRole.id, action: 'user.roleChanged' });
    const hidden = await t.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: latestRole.id }, { token: alice.accessToken });
    expect(hidden.data!.node).toBeNull();
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of audit rows in the database itself', async () => {
    const row = await t.deps.db.auditEntry.findFirstOrThrow({ orderBy: { seq: 'desc' } });
    const count = await t.deps.db.auditEntry.count();
    await expect(t.deps.db.$executeRaw`UPDATE audit_log SET action = 'nothing.happened' WHERE id = ${row.id}`).rejects.toThrow(/append-only/);
    await expect(t.deps.db.$executeRaw`DELETE FROM audit_log WHERE id = ${row.id}`).rejects.toThrow(/append-only/);
    await expect(t.deps.db.$executeRaw`DELETE FROM audit_log`).rejects.toThrow(/append-only/);
    await expect(t.deps.db.$executeRaw`TRUNCATE audit_log`).rejects.toThrow(/append-only/);
    await expect(t.deps.db.auditEntry.update({ where: { id: row.id }, data: { actorId: null } })).rejects.toThrow();
    await expect(t.deps.db.auditEntry.deleteMany({})).rejects.toThrow();
    expect(await t.deps.db.auditEntry.count()).toBe(count);
    expect(await t.deps.db.auditEntry.findUnique({ where: { id: row.id } })).toEqual(row);
  });

  it('offers no GraphQL way to change or remove audit rows', async () => {
    const mutations = await t.gql(`{ __schema { mutationType { fields { name } } } }`);
    const names = mutations.data!.__schema.mutationType.fields.map((field: { name: string }) => field.name);
    expect(names.filter((name: string) => /audit/i.test(name))).toEqual([]);
  });
});
