// The console's data provider (admin/src/api), run in Node against a real server over HTTP:
// lists with totals, filters, sort and page jumps; single rows; updates; deletes; errors as
// react-admin shows them; and the session (admin-only login, refresh, logout).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createApiClient, type ApiClient } from '../admin/src/api/client.ts';
import { createDataProvider, type ParlanceDataProvider } from '../admin/src/api/dataProvider.ts';
import { Session, memoryStorage } from '../admin/src/api/session.ts';
import { newId } from '../server/ids.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

let t: TestApp;
let base: string;
let admin: Awaited<ReturnType<typeof registerUser>>;
let plain: Awaited<ReturnType<typeof registerUser>>;
let api: ApiClient;
let provider: ParlanceDataProvider;
const clients: ApiClient[] = [];
const tag = randomBytes(3).toString('hex');
/** Users made for the list tests: "dp<tag>-<letter>", in creation order. */
const made: { id: string; username: string }[] = [];

function clientFor(token: string | null): ApiClient {
  const client = createApiClient({ url: `${base}/graphql`, getToken: () => token });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  t = await createTestApp();
  base = await t.listen();
  admin = await registerUser(t, { username: `dpadmin${tag}` });
  await makeAdmin(t, admin.id);
  plain = await registerUser(t, { username: `dpplain${tag}` });
  for (const letter of ['c', 'a', 'e', 'b', 'd', 'g', 'f']) {
    const user = await registerUser(t, { username: `dp${tag}-${letter}`, email: `dp${tag}-${letter}@example.org` });
    made.push({ id: user.id, username: user.username });
  }
  api = clientFor(admin.accessToken);
  provider = createDataProvider(api.client);
});

afterAll(async () => {
  for (const client of clients) client.dispose();
  await t?.close();
});

async function errorOf(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected a failure');
}

const ids = (rows: { id: unknown }[]) => rows.map((row) => String(row.id));

describe('users', () => {
  const search = { q: `dp${tag}-` };

  it('lists with the total, newest first by default', async () => {
    const page = await provider.getList('users', {
      pagination: { page: 1, perPage: 3 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: search,
    });
    expect(page.total).toBe(7);
    expect(ids(page.data)).toEqual(made.slice(-3).reverse().map((user) => user.id));
    expect(page.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false });
    expect(page.data[0]).toMatchObject({ username: made[6].username, role: 'USER', isActive: true, monthlyAudioMinutes: null });
  });

  it('sorts by username both ways and pages through the whole list, also by jumping', async () => {
    const sorted = made.map((user) => user.username).sort();
    const names = async (page: number, order: 'ASC' | 'DESC', fresh = false) => {
      const p = fresh ? createDataProvider(api.client) : provider;
      const result = await p.getList('users', { pagination: { page, perPage: 3 }, sort: { field: 'username', order }, filter: search });
      expect(result.total).toBe(7);
      return result.data.map((row) => row.username as string);
    };
    expect([...(await names(1, 'ASC')), ...(await names(2, 'ASC')), ...(await names(3, 'ASC'))]).toEqual(sorted);
    expect(await names(1, 'DESC')).toEqual([...sorted].reverse().slice(0, 3));
    // A provider that has seen no page yet walks the cursors to reach page 3.
    expect(await names(3, 'ASC', true)).toEqual(sorted.slice(6));
    expect(await names(2, 'DESC', true)).toEqual([...sorted].reverse().slice(3, 6));
    // Past the end: no rows, the total still right.
    expect(await names(4, 'ASC', true)).toEqual([]);
    expect(await names(9, 'ASC')).toEqual([]);
  });

  it('walks more than one page of cursors (steps of 100) to reach a far page', async () => {
    for (let index = 0; index < 3; index += 1) await registerUser(t, { username: `far${tag}-${index}` });
    const result = await createDataProvider(api.client).getList('users', {
      pagination: { page: 4, perPage: 1 },
      sort: { field: 'username', order: 'ASC' },
      filter: { q: `${tag}-` },
    });
    // dp…-a..g then far…-0..2, sorted: "dp" < "far".
    expect(result.total).toBe(10);
    expect(result.data.map((row) => row.username)).toEqual([`dp${tag}-d`]);
  });

  it('fetches more than 100 rows 100 at a time (the CSV export asks for 1000)', async () => {
    const ids = Array.from({ length: 130 }, () => newId('User'));
    await t.deps.db.user.createMany({
      data: ids.map((id, index) => ({ id, username: `bulk${tag}-${String(index).padStart(3, '0')}`, email: `bulk${tag}-${index}@example.org` })),
    });
    const list = (page: number, perPage: number) =>
      createDataProvider(api.client).getList('users', {
        pagination: { page, perPage },
        sort: { field: 'username', order: 'ASC' },
        filter: { q: `bulk${tag}` },
      });
    const all = await list(1, 1000);
    expect(all.total).toBe(130);
    expect(all.data.map((row) => row.id)).toEqual(ids);
    expect(all.pageInfo?.hasNextPage).toBe(false);
    const second = await list(2, 100);
    expect(second.data.map((row) => row.id)).toEqual(ids.slice(100));
    const fifth = await list(5, 30);
    expect(fifth.data.map((row) => row.id)).toEqual(ids.slice(120));
    await expect(list(1, 5000)).rejects.toThrow(/At most 1000 rows/);
  });

  it('filters by role and by active', async () => {
    const admins = await provider.getList('users', {
      pagination: { page: 1, perPage: 100 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: { role: 'ADMIN' },
    });
    expect(ids(admins.data)).toContain(admin.id);
    expect(admins.data.every((row) => row.role === 'ADMIN')).toBe(true);
    expect(admins.total).toBe(admins.data.length);

    const inactive = await provider.getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: { ...search, isActive: 'false' },
    });
    expect(inactive.total).toBe(0);
  });

  it('gets one user with their API keys (names and prefixes, never secrets) and quota', async () => {
    const created = await t.gql<{ createApiKey: { secret: string; apiKey: { id: string; prefix: string } } }>(
      `mutation { createApiKey(input: { name: "ci key", scopes: [READ] }) { secret apiKey { id prefix } } }`,
      {},
      { token: plain.accessToken },
    );
    const key = created.data!.createApiKey;
    const { data } = await provider.getOne('users', { id: plain.id });
    expect(data).toMatchObject({ id: plain.id, username: plain.username, email: plain.email, role: 'USER' });
    expect(data.apiKeys).toEqual([
      expect.objectContaining({ id: key.apiKey.id, name: 'ci key', prefix: key.apiKey.prefix, scopes: ['READ'], lastUsedAt: null }),
    ]);
    expect(JSON.stringify(data)).not.toContain(key.secret);
    expect(data.quota).toMatchObject({ monthlyAudioMinutes: null, usedAudioSecondsThisMonth: 0 });
  });

  it('getMany returns the users that exist and leaves out the rest', async () => {
    const { data } = await provider.getMany('users', { ids: [made[0].id, made[1].id, newId('User')] });
    expect(ids(data).sort()).toEqual([made[0].id, made[1].id].sort());
  });

  it('updates role, active and quota through their mutations', async () => {
    const target = made[2];
    const { data: before } = await provider.getOne('users', { id: target.id });
    const { data: after } = await provider.update('users', {
      id: target.id,
      data: { ...before, role: 'ADMIN', isActive: false, monthlyAudioMinutes: 90 },
      previousData: before,
    });
    expect(after).toMatchObject({ role: 'ADMIN', isActive: false, monthlyAudioMinutes: 90 });
    expect(after.quota.monthlyAudioMinutes).toBe(90);
    const stored = await t.deps.db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect(stored).toMatchObject({ role: 'ADMIN', isActive: false, monthlyAudioMinutes: 90 });

    const inactive = await provider.getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: { ...search, isActive: false },
    });
    expect(ids(inactive.data)).toEqual([target.id]);

    const { data: restored } = await provider.update('users', {
      id: target.id,
      data: { ...after, role: 'USER', isActive: true, monthlyAudioMinutes: null },
      previousData: after,
    });
    expect(restored).toMatchObject({ role: 'USER', isActive: true, monthlyAudioMinutes: null });
  });

  it('refuses a bad quota and deleting users with readable errors', async () => {
    const { data } = await provider.getOne('users', { id: made[3].id });
    const bad = await errorOf(provider.update('users', { id: made[3].id, data: { ...data, monthlyAudioMinutes: -5 }, previousData: data }));
    expect(bad.status).toBe(400);
    expect(bad.message).toMatch(/whole number of minutes/);
    const deletion = await errorOf(provider.delete('users', { id: made[3].id, previousData: data }));
    expect(deletion.message).toMatch(/deactivate them instead/);
  });
});

describe('jobs', () => {
  let jobIds: string[] = [];

  beforeAll(async () => {
    const rows = [
      { owner: admin.id, status: 'COMPLETED', provider: 'LOCAL', filename: `meeting-${tag}.wav` },
      { owner: plain.id, status: 'FAILED', provider: 'OPENAI', filename: `call-${tag}.mp3` },
      { owner: plain.id, status: 'COMPLETED', provider: 'DEEPGRAM', filename: `talk-${tag}.m4a` },
      { owner: plain.id, status: 'CANCELLED', provider: 'LOCAL', filename: `note-${tag}.ogg` },
    ] as const;
    jobIds = [];
    for (const row of rows) {
      const id = newId('Job');
      await t.deps.db.job.create({
        data: {
          id,
          ownerId: row.owner,
          status: row.status,
          provider: row.provider,
          filename: row.filename,
          progress: row.status === 'COMPLETED' ? 1 : 0.5,
          text: row.status === 'COMPLETED' ? 'hello world' : null,
          completedAt: row.status === 'COMPLETED' ? new Date() : null,
          // Something to retry with (nothing fetches it: no job runner here).
          sourceUrl: row.status === 'FAILED' ? 'https://media.example.com/call.mp3' : null,
        },
      });
      jobIds.push(id);
    }
    await t.deps.db.transcriptSegment.create({
      data: { jobId: jobIds[0], idx: 0, startSeconds: 0.5, endSeconds: 1.5, text: 'hello world', speaker: 'A', words: [], chunkIndex: 0 },
    });
  });

  const list = (filter: Record<string, unknown>, page = 1, perPage = 10) =>
    provider.getList('jobs', { pagination: { page, perPage }, sort: { field: 'createdAt', order: 'DESC' }, filter });

  it('lists every user\'s jobs with status, provider, user and search filters', async () => {
    const all = await list({ q: tag });
    expect(all.total).toBe(4);
    expect(ids(all.data)).toEqual([...jobIds].reverse());
    expect(all.data[0]).toMatchObject({ owner: { id: plain.id, username: plain.username }, userId: plain.id });

    expect(ids((await list({ q: tag, status: 'COMPLETED' })).data)).toEqual([jobIds[2], jobIds[0]]);
    expect(ids((await list({ q: tag, provider: 'LOCAL' })).data)).toEqual([jobIds[3], jobIds[0]]);
    expect(ids((await list({ q: tag, userId: admin.id })).data)).toEqual([jobIds[0]]);
    expect((await list({ q: tag, status: 'COMPLETED', provider: 'OPENAI' })).total).toBe(0);
    // An unknown status is ignored rather than sent.
    expect((await list({ q: tag, status: 'NOPE' })).total).toBe(4);

    const second = await list({ q: tag }, 2, 3);
    expect(ids(second.data)).toEqual([jobIds[0]]);
    expect(second.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it('lists a user\'s jobs by reference', async () => {
    const result = await provider.getManyReference('jobs', {
      target: 'userId',
      id: plain.id,
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: { q: tag },
    });
    expect(result.total).toBe(3);
    expect(result.data.every((job) => job.userId === plain.id)).toBe(true);
  });

  it('filters jobs by creation date (Created from / Created before) with the total to match', async () => {
    // Their own tag, so the other job tests (which search for `tag`) never see them.
    const dateTag = randomBytes(3).toString('hex');
    const dated: string[] = [];
    for (const createdAt of ['2025-06-01T00:00:00Z', '2025-06-01T23:59:59.999Z', '2025-06-02T12:00:00Z', '2025-06-03T00:00:00Z']) {
      const id = newId('Job');
      await t.deps.db.job.create({
        data: { id, ownerId: plain.id, status: 'COMPLETED', provider: 'LOCAL', filename: `dated-${dateTag}.wav`, createdAt: new Date(createdAt) },
      });
      dated.push(id);
    }
    const q = `dated-${dateTag}`;
    // Date inputs give days: UTC midnights, the range [from, before).
    const days = await list({ q, createdFrom: '2025-06-01', createdBefore: '2025-06-03' });
    expect(ids(days.data)).toEqual([dated[2], dated[1], dated[0]]);
    expect(days.total).toBe(3);
    const paged = await list({ q, createdFrom: '2025-06-01', createdBefore: '2025-06-03' }, 2, 2);
    expect(ids(paged.data)).toEqual([dated[0]]);
    expect(paged.total).toBe(3);
    expect(ids((await list({ q, createdFrom: '2025-06-02' })).data)).toEqual([dated[3], dated[2]]);
    expect((await list({ q, createdBefore: '2025-06-02' })).total).toBe(2);
    // Full timestamps pass through; unreadable dates are left out rather than sent.
    expect(ids((await list({ q, createdFrom: '2025-06-01T23:59:59.999Z', createdBefore: '2025-06-02T12:00:00Z' })).data)).toEqual([dated[1]]);
    expect((await list({ q, createdFrom: 'someday', createdBefore: '' })).total).toBe(4);
    expect((await list({ q, createdFrom: '2024-01-01', createdBefore: '2024-02-01' })).total).toBe(0);
    // A range that ends before it starts: the server's reason, as a 400.
    const backwards = await errorOf(list({ q, createdFrom: '2025-06-03', createdBefore: '2025-06-01' }));
    expect(backwards.status).toBe(400);
    expect(backwards.code).toBe('BAD_USER_INPUT');
    expect(backwards.message).toMatch(/^from must be before to\./);
    await t.deps.db.job.deleteMany({ where: { id: { in: dated } } });
  });

  it('gets one job with its segments, and many', async () => {
    const { data } = await provider.getOne('jobs', { id: jobIds[0] });
    expect(data).toMatchObject({ id: jobIds[0], status: 'COMPLETED', text: 'hello world' });
    expect(data.segments).toEqual([{ index: 0, start: 0.5, end: 1.5, text: 'hello world', speaker: 'A', provider: null }]);
    const many = await provider.getMany('jobs', { ids: [jobIds[1], jobIds[2]] });
    expect(ids(many.data).sort()).toEqual([jobIds[1], jobIds[2]].sort());
  });

  it('retries, cancels and deletes', async () => {
    const retried = await provider.retryJob(jobIds[1]);
    expect(retried.data.status).toBe('QUEUED');
    const cancelled = await provider.cancelJob(jobIds[1]);
    expect(cancelled.data.status).toBe('CANCELLED');
    const conflict = await errorOf(provider.cancelJob(jobIds[1]));
    expect([400, 409]).toContain(conflict.status);

    const { data: previousData } = await provider.getOne('jobs', { id: jobIds[3] });
    const deleted = await provider.delete('jobs', { id: jobIds[3], previousData });
    expect(deleted.data.id).toBe(jobIds[3]);
    const gone = await errorOf(provider.getOne('jobs', { id: jobIds[3] }));
    expect(gone.status).toBe(404);
    expect(gone.code).toBe('NOT_FOUND');
    expect((await list({ q: tag })).total).toBe(3);
  });

  it('reads the job statistics for the dashboard', async () => {
    const stats = await provider.jobStats();
    expect(stats.total).toBeGreaterThanOrEqual(3);
    expect(stats.completed).toBeGreaterThanOrEqual(2);
  });
});

describe('errors', () => {
  it('a non-admin gets FORBIDDEN as a 403 with the server\'s message', async () => {
    const forbidden = await errorOf(createDataProvider(clientFor(plain.accessToken).client).getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'id', order: 'DESC' },
      filter: {},
    }));
    expect(forbidden.status).toBe(403);
    expect(forbidden.code).toBe('FORBIDDEN');
    expect(forbidden.message.length).toBeGreaterThan(3);
  });

  it('keeps User.apiKeys for admins', async () => {
    const own = await t.gql(`{ me { apiKeys { id } } }`, {}, { token: plain.accessToken });
    expect(own.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const other = await t.gql(`query ($id: ID!) { node(id: $id) { ... on User { apiKeys { id } } } }`, { id: admin.id }, { token: admin.accessToken });
    expect(other.errors).toBeUndefined();
  });

  it('no token is a 401 (react-admin then asks the operator to sign in again)', async () => {
    const anonymous = await errorOf(createDataProvider(clientFor(null).client).getList('users', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'id', order: 'DESC' },
      filter: {},
    }));
    expect(anonymous.status).toBe(401);
    expect(anonymous.code).toBe('UNAUTHENTICATED');
    // What an anonymous caller may not see does not exist for them.
    expect((await errorOf(createDataProvider(clientFor(null).client).getOne('users', { id: admin.id }))).status).toBe(404);
    const garbage = await errorOf(createDataProvider(clientFor('not-a-token').client).getList('jobs', {
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'id', order: 'DESC' },
      filter: {},
    }));
    expect(garbage.status).toBe(401);
    expect(garbage.code).toBe('UNAUTHENTICATED');
  });

  it('a missing row is a 404, an unknown resource a 400, an unreachable server says so', async () => {
    expect((await errorOf(provider.getOne('users', { id: newId('User') }))).status).toBe(404);
    expect((await errorOf(provider.getOne('projects', { id: newId('Project') }))).status).toBe(404);
    expect((await errorOf(provider.getList('nonsense', { pagination: { page: 1, perPage: 5 }, sort: { field: 'id', order: 'ASC' }, filter: {} }))).status).toBe(400);
    const offline = createApiClient({ url: 'http://127.0.0.1:9/graphql', getToken: () => admin.accessToken });
    clients.push(offline);
    const unreachable = await errorOf(createDataProvider(offline.client).getOne('users', { id: admin.id }));
    expect(unreachable.message).toMatch(/Cannot reach the server/);
  });

  it('a bad argument comes back as BAD_USER_INPUT with the server\'s reason', async () => {
    const error = await errorOf(
      provider.getList('jobs', { pagination: { page: 1, perPage: 10 }, sort: { field: 'id', order: 'DESC' }, filter: { q: 'x'.repeat(300) } }),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/search is too long/);
  });
});

describe('projects, audit log and usage', () => {
  it('lists and opens projects with members and prompts', async () => {
    const created = await t.gql<{ createProject: { id: string } }>(
      `mutation { createProject(input: { name: "Read-aloud ${tag}", description: "d" }) { id } }`,
      {},
      { token: plain.accessToken },
    );
    const projectId = created.data!.createProject.id;
    await t.gql(`mutation ($id: ID!) { addPrompts(projectId: $id, texts: ["one", "two", "three"]) { id } }`, { id: projectId }, {
      token: plain.accessToken,
    });
    const list = await provider.getList('projects', { pagination: { page: 1, perPage: 25 }, sort: { field: 'createdAt', order: 'DESC' }, filter: {} });
    const row = list.data.find((project) => project.id === projectId);
    expect(row).toMatchObject({ name: `Read-aloud ${tag}`, membersCount: 1, promptsCount: 3, owners: plain.username, viewerRole: null });

    const prompts = await provider.getManyReference('prompts', {
      target: 'projectId',
      id: projectId,
      pagination: { page: 2, perPage: 2 },
      sort: { field: 'id', order: 'ASC' },
      filter: {},
    });
    expect(prompts.total).toBe(3);
    expect(prompts.data.map((prompt) => prompt.text)).toEqual(['three']);

    // A site admin who is not a member may look but not manage.
    const { data } = await provider.getOne('projects', { id: projectId });
    const refused = await errorOf(provider.update('projects', { id: projectId, data: { ...data, name: 'renamed' }, previousData: data }));
    expect(refused.status).toBe(403);
  });

  it('browses the audit log with filters', async () => {
    const result = await provider.getList('audit', {
      pagination: { page: 1, perPage: 50 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: { actorId: admin.id },
    });
    expect(result.total).toBeGreaterThan(0);
    expect(result.data.every((entry) => entry.actorId === admin.id)).toBe(true);
    expect(result.data.map((entry) => entry.action)).toEqual(expect.arrayContaining(['user.deactivated', 'user.activated', 'user.roleChanged']));
    const one = await provider.getOne('audit', { id: result.data[0].id });
    expect(one.data.action).toBe(result.data[0].action);
    expect(typeof one.data.detailsObject).toBe('object');
  });

  it('reads usage by day (every day of the range) and by user', async () => {
    const from = new Date(Date.UTC(2026, 0, 1)).toISOString();
    const to = new Date(Date.UTC(2026, 0, 8)).toISOString();
    const byDay = await provider.usage({ from, to, groupBy: 'DAY' });
    expect(byDay.map((row) => row.key)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07']);
    expect(await provider.usage({ from, to, groupBy: 'USER' })).toEqual([]);
  });

  it('lists webhooks and the outbox', async () => {
    const hooks = await provider.getList('webhooks', { pagination: { page: 1, perPage: 10 }, sort: { field: 'createdAt', order: 'DESC' }, filter: {} });
    expect(hooks).toEqual({ data: [], total: 0 });
    const outbox = await provider.getList('outbox', { pagination: { page: 1, perPage: 10 }, sort: { field: 'createdAt', order: 'DESC' }, filter: { unsent: true } });
    expect(outbox.data.length).toBe(Math.min(outbox.total ?? 0, 10));
  });
});

describe('webhooks of every user', () => {
  let other: Awaited<ReturnType<typeof registerUser>>;
  const hooks: Record<string, string> = {};
  const list = (filter: Record<string, unknown>, p: ParlanceDataProvider = provider) =>
    p.getList('webhooks', { pagination: { page: 1, perPage: 25 }, sort: { field: 'createdAt', order: 'DESC' }, filter });

  beforeAll(async () => {
    other = await registerUser(t, { username: `dpother${tag}` });
    const rows = [
      { name: 'plain-on', ownerId: plain.id, enabled: true },
      { name: 'plain-off', ownerId: plain.id, enabled: false },
      { name: 'other-on', ownerId: other.id, enabled: true },
    ];
    for (const [index, row] of rows.entries()) {
      const id = newId('WebhookEndpoint');
      const sealed = t.deps.box.seal('whsec_test', row.ownerId);
      await t.deps.db.webhookEndpoint.create({
        data: {
          id,
          ownerId: row.ownerId,
          url: `https://hooks.example.com/${tag}/${row.name}`,
          events: ['job.completed'],
          secretCiphertext: sealed.ciphertext,
          secretNonce: sealed.nonce,
          masterKeyId: sealed.masterKeyId,
          enabled: row.enabled,
          failureCount: row.enabled ? 0 : 5,
          disabledAt: row.enabled ? null : new Date(),
          createdAt: new Date(Date.UTC(2026, 0, 1 + index)),
        },
      });
      hooks[row.name] = id;
    }
  });

  it('lists every user\'s webhooks with their owner when allUsers is on, filtered by owner and enabled', async () => {
    // Off (or absent): the admin's own, of which there are none.
    expect(await list({ allUsers: false })).toEqual({ data: [], total: 0 });
    const all = await list({ allUsers: true, q: tag });
    expect(all.total).toBe(3);
    expect(ids(all.data)).toEqual([hooks['other-on'], hooks['plain-off'], hooks['plain-on']]);
    expect(all.data[0]).toMatchObject({ owner: { id: other.id, username: other.username }, ownerId: other.id, projectId: null });
    expect(all.data[1]).toMatchObject({ enabled: false, failureCount: 5, ownerId: plain.id });

    expect(ids((await list({ allUsers: true, q: tag, enabled: 'false' })).data)).toEqual([hooks['plain-off']]);
    expect(ids((await list({ allUsers: true, q: tag, enabled: true })).data)).toEqual([hooks['other-on'], hooks['plain-on']]);
    // An owner chosen: that user's, with or without the toggle.
    expect(ids((await list({ allUsers: true, ownerId: plain.id })).data)).toEqual([hooks['plain-off'], hooks['plain-on']]);
    expect(ids((await list({ ownerId: other.id })).data)).toEqual([hooks['other-on']]);
    expect((await list({ allUsers: true, ownerId: plain.id, enabled: 'true' })).total).toBe(1);
    // Sorted by owner here (the API returns the whole list).
    const byOwner = await provider.getList('webhooks', {
      pagination: { page: 1, perPage: 2 },
      sort: { field: 'owner.username', order: 'ASC' },
      filter: { allUsers: true, q: tag },
    });
    expect(byOwner.total).toBe(3);
    expect(byOwner.data.map((hook) => hook.owner.username)).toEqual([other.username, plain.username]);
    const referenced = await provider.getManyReference('webhooks', {
      target: 'ownerId',
      id: plain.id,
      pagination: { page: 1, perPage: 10 },
      sort: { field: 'createdAt', order: 'DESC' },
      filter: {},
    });
    expect(ids(referenced.data)).toEqual([hooks['plain-off'], hooks['plain-on']]);
  });

  it('opens, re-enables and deletes another user\'s webhook', async () => {
    const { data: before } = await provider.getOne('webhooks', { id: hooks['plain-off'] });
    expect(before).toMatchObject({ id: hooks['plain-off'], enabled: false, owner: { id: plain.id } });
    const { data: after } = await provider.update('webhooks', { id: before.id, data: { ...before, enabled: true }, previousData: before });
    expect(after).toMatchObject({ enabled: true, failureCount: 0, disabledAt: null });
    const many = await provider.getMany('webhooks', { ids: [hooks['plain-on'], hooks['other-on'], newId('WebhookEndpoint')] });
    expect(ids(many.data).sort()).toEqual([hooks['plain-on'], hooks['other-on']].sort());
    await provider.delete('webhooks', { id: hooks['other-on'], previousData: many.data.find((hook) => hook.id === hooks['other-on']) });
    expect(await t.deps.db.webhookEndpoint.count({ where: { id: hooks['other-on'] } })).toBe(0);
    expect((await errorOf(provider.getOne('webhooks', { id: hooks['other-on'] }))).status).toBe(404);
    expect((await list({ allUsers: true, q: tag })).total).toBe(2);
  });

  it('a non-admin asking for every user\'s webhooks gets FORBIDDEN, and only their own otherwise', async () => {
    const theirs = createDataProvider(clientFor(plain.accessToken).client);
    const refused = await errorOf(list({ allUsers: true }, theirs));
    expect(refused.status).toBe(403);
    expect(refused.code).toBe('FORBIDDEN');
    expect((await errorOf(list({ ownerId: other.id }, theirs))).code).toBe('FORBIDDEN');
    expect(ids((await list({}, theirs)).data)).toEqual([hooks['plain-off'], hooks['plain-on']]);
    expect((await theirs.getOne('webhooks', { id: hooks['plain-on'] })).data).toMatchObject({ ownerId: plain.id });
    const stranger = createDataProvider(clientFor(other.accessToken).client);
    expect((await errorOf(stranger.getOne('webhooks', { id: hooks['plain-on'] }))).status).toBe(404);
  });
});

describe('session', () => {
  const anonymousClient = () => clientFor(null).client;

  it('lets every active user in with their role (the web app shows what the role may use)', async () => {
    const session = new Session({ anonymous: anonymousClient() });
    const user = await session.login(admin.username, admin.password);
    expect(user).toMatchObject({ id: admin.id, role: 'ADMIN' });
    expect(await session.token()).toMatch(/^ey/);

    const other = new Session({ anonymous: anonymousClient() });
    expect(await other.login(plain.email, plain.password)).toMatchObject({ id: plain.id, role: 'USER' });
    expect(other.user).toMatchObject({ id: plain.id, role: 'USER' });
    expect(await other.token()).toMatch(/^ey/);

    const wrong = await errorOf(new Session({ anonymous: anonymousClient() }).login(admin.username, 'wrong password'));
    expect(wrong.status).toBe(401);
  });

  it('signs up and is signed in with the new account', async () => {
    const session = new Session({ anonymous: anonymousClient() });
    const username = `newcomer${process.pid}`;
    const user = await session.register({ username, email: `${username}@example.com`, password: 'a long enough passphrase' });
    expect(user).toMatchObject({ username, role: 'USER' });
    expect(session.refreshToken).toBeTruthy();
    const taken = await errorOf(
      new Session({ anonymous: anonymousClient() }).register({ username, email: `${username}@example.com`, password: 'a long enough passphrase' }),
    );
    expect(taken.status).toBeGreaterThanOrEqual(400);
  });

  it('accepts a pasted token of any user', async () => {
    const storage = memoryStorage();
    const session = new Session({ anonymous: anonymousClient(), storage });
    expect((await session.useToken(`Bearer ${admin.accessToken}`)).id).toBe(admin.id);
    expect(await session.token()).toBe(admin.accessToken);
    // Kept for the tab: a reload finds it.
    expect(await new Session({ anonymous: anonymousClient(), storage }).token()).toBe(admin.accessToken);
    expect(await session.useToken(plain.accessToken)).toMatchObject({ id: plain.id, role: 'USER' });
    await expect(session.useToken('not a token')).rejects.toMatchObject({ status: 401 });
  });

  it('refreshes the access token before it expires, and logout forgets everything', async () => {
    let offset = 0;
    const storage = memoryStorage();
    const session = new Session({ anonymous: anonymousClient(), storage, now: () => Date.now() + offset });
    await session.login(admin.username, admin.password);
    const first = await session.token();
    const firstRefresh = session.refreshToken!;
    expect(await session.token()).toBe(first);

    // Shortly before expiry (the default lifetime is 15 minutes): a new pair, one refresh for many callers.
    offset = session.accessTokenExpiresAt - Date.now() - 30_000;
    const tokens = await Promise.all([session.token(), session.token(), session.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).not.toBe(first);
    expect(session.refreshToken).not.toBe(firstRefresh);
    const rows = await createDataProvider(clientFor(tokens[0]).client).getList('users', {
      pagination: { page: 1, perPage: 1 },
      sort: { field: 'id', order: 'DESC' },
      filter: {},
    });
    expect(rows.total).toBeGreaterThan(0);

    // The old refresh token was rotated away.
    const reuse = await t.gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, { r: firstRefresh });
    expect(reuse.errors?.[0]?.extensions?.code).toBeDefined();

    const current = session.refreshToken!;
    await session.logout();
    expect(session.active).toBe(false);
    expect(storage.getItem('parlance.refreshToken')).toBeNull();
    expect(await session.token()).toBeNull();
    const after = await t.gql(`mutation ($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`, { r: current });
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
