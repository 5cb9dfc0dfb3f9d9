// Webhooks: registration rules (HTTPS, private addresses, events, project roles), deliveries
// through graphile-worker signed with the endpoint's secret and verified by a receiver on loopback,
// retries after a 500, disabling after repeated failures (owner told), and no delivery to a private
// address.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { emitEvent } from '../server/services/webhooks/emit.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSilence, makeSpeechFixture, makeTempDir } from './helpers/speech.ts';
import { waitFor } from './helpers/wait.ts';
import { createTestApp, makeAdmin, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

type User = Awaited<ReturnType<typeof registerUser>>;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

let t: TestApp;
let receiver: http.Server;
let base: string;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
const received: Received[] = [];
/** Status to answer by path and how many requests that path has had before. */
const answers = new Map<string, (previous: number) => number>();

const CREATE = `mutation ($input: CreateWebhookInput!) { createWebhook(input: $input) {
  secret webhook { id url events enabled failureCount lastStatus lastDeliveredAt createdAt project { id } } } }`;
const WEBHOOKS = `{ webhooks { id url events enabled failureCount lastStatus lastError lastDeliveredAt disabledAt project { id } } }`;
const codeOf = (result: GqlResult) => result.errors?.[0]?.extensions?.code;

beforeAll(async () => {
  temp = await makeTempDir('parlance-webhooks-test-');
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const pathname = (req.url ?? '/').split('?')[0];
      const previous = received.filter((r) => r.path === pathname).length;
      received.push({ path: pathname, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const status = answers.get(pathname)?.(previous) ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  t = await createTestApp(
    { WEBHOOK_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_DISABLE_AFTER: '3', WEBHOOK_TIMEOUT_MS: '3000' },
    { runner: true },
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
  receiver?.close();
  await temp?.cleanup();
});


async function create(user: User, input: Record<string, unknown>) {
  const result = await t.gql(CREATE, { input }, { token: user.accessToken });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.createWebhook as { secret: string; webhook: Record<string, any> };
}

async function webhooksOf(user: User): Promise<Record<string, any>[]> {
  const result = await t.gql(WEBHOOKS, {}, { token: user.accessToken });
  expect(result.errors, result.raw).toBeUndefined();
  return result.data!.webhooks;
}

/** The README's verification recipe: HMAC-SHA256 over "<t>.<body>", compared in constant time, t recent. */
function verifySignature(secret: string, header: string, body: string, toleranceSeconds = 300): boolean {
  const fields = Object.fromEntries(header.split(',').map((part) => part.split('=') as [string, string]));
  const timestamp = Number(fields.t);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${fields.t}.${body}`).digest('hex'));
  const given = Buffer.from(fields.v1 ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const requestsTo = (pathname: string) => received.filter((r) => r.path === pathname);

describe('createWebhook', () => {
  it('validates events and URLs: https, public addresses, no credentials', async () => {
    const user = await registerUser(t);
    const refuse = async (input: Record<string, unknown>, pattern: RegExp) => {
      const result = await t.gql(CREATE, { input }, { token: user.accessToken });
      expect(codeOf(result), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(result.errors![0].message).toMatch(pattern);
    };
    await refuse({ url: `${base}/x`, events: [] }, /at least one event/);
    await refuse({ url: `${base}/x`, events: ['job.completed', 'job.exploded'] }, /Unknown event "job.exploded"/);
    await refuse({ url: 'http://example.com/hook', events: ['job.failed'] }, /must be https/);
    await refuse({ url: 'ftp://example.com/hook', events: ['job.failed'] }, /must be https/);
    await refuse({ url: 'not a url', events: ['job.failed'] }, /not a valid URL/);
    await refuse({ url: 'https://user:pass@example.com/hook', events: ['job.failed'] }, /credentials/);
    for (const url of ['https://10.1.2.3/hook', 'https://192.168.0.1/hook', 'https://[::1]/hook', 'https://169.254.169.254/latest', 'https://127.0.0.2/hook']) {
      await refuse({ url, events: ['job.failed'] }, /private, loopback or link-local/);
    }
    // A DNS name that resolves to a loopback address, not allow-listed: refused as well.
    await refuse({ url: 'https://localhost:8443/hook', events: ['job.failed'] }, /private, loopback or link-local/);
    expect(await t.deps.db.webhookEndpoint.count({ where: { ownerId: user.id } })).toBe(0);

    const created = await create(user, { url: `${base}/ok`, events: ['job.completed', 'job.completed', 'recording.reviewed'] });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(created.webhook).toMatchObject({ url: `${base}/ok`, events: ['job.completed', 'recording.reviewed'], enabled: true, failureCount: 0, lastStatus: null, project: null });
    expect(created.webhook.id).toMatch(/^whk_/);
    // The secret is stored sealed (the owner's id as associated data) and never shown again.
    const row = await t.deps.db.webhookEndpoint.findUniqueOrThrow({ where: { id: created.webhook.id } });
    expect(Buffer.from(row.secretCiphertext).toString('latin1')).not.toContain(created.secret);
    expect(t.deps.box.open({ ciphertext: row.secretCiphertext, nonce: row.secretNonce }, user.id).toString()).toBe(created.secret);
    expect(() => t.deps.box.open({ ciphertext: row.secretCiphertext, nonce: row.secretNonce }, 'usr_someoneelse')).toThrow();
    expect(JSON.stringify(await webhooksOf(user))).not.toContain(created.secret);
    expect(t.logs.join('')).not.toContain(created.secret);
  });

  it("project webhooks: the project's OWNERs and ADMINs only; visible to them, not to others", async () => {
    const [owner, admin, contributor, stranger] = [await registerUser(t), await registerUser(t), await registerUser(t), await registerUser(t)];
    const projectId = newId('Project');
    await t.deps.db.project.create({ data: { id: projectId, name: 'hooks', createdBy: owner.id } });
    await t.deps.db.projectMember.createMany({
      data: [
        { projectId, userId: owner.id, role: 'OWNER' },
        { projectId, userId: admin.id, role: 'ADMIN' },
        { projectId, userId: contributor.id, role: 'CONTRIBUTOR' },
      ],
    });
    const input = { url: `${base}/project`, events: ['job.completed'], projectId };
    expect(codeOf(await t.gql(CREATE, { input }, { token: contributor.accessToken }))).toBe('FORBIDDEN');
    expect(codeOf(await t.gql(CREATE, { input }, { token: stranger.accessToken }))).toBe('NOT_FOUND');
    const created = await create(admin, input);
    expect(created.webhook.project).toEqual({ id: projectId });

    expect((await webhooksOf(owner)).map((hook) => hook.id)).toEqual([created.webhook.id]);
    expect(await webhooksOf(contributor)).toEqual([]);
    const node = `query ($id: ID!) { node(id: $id) { id } }`;
    expect((await t.gql(node, { id: created.webhook.id }, { token: owner.accessToken })).data!.node).toEqual({ id: created.webhook.id });
    expect((await t.gql(node, { id: created.webhook.id }, { token: stranger.accessToken })).data!.node).toBeNull();
    const notYours = await t.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: created.webhook.id }, { token: contributor.accessToken });
    expect(codeOf(notYours)).toBe('NOT_FOUND');

    // Events of the project's jobs reach it, whoever owns the job; not after its creator stops administering the project.
    const event = { type: 'job.completed' as const, ownerId: contributor.id, projectId, payload: { job: { id: 'job_x' } } };
    expect(await emitEvent(t.deps, event)).toBe(1);
    expect(await emitEvent(t.deps, { ...event, projectId: null })).toBe(0);
    await t.deps.db.projectMember.update({ where: { projectId_userId: { projectId, userId: admin.id } }, data: { role: 'CONTRIBUTOR' } });
    expect(await emitEvent(t.deps, event)).toBe(0);

    const deleted = await t.gql(`mutation ($id: ID!) { deleteWebhook(id: $id) }`, { id: created.webhook.id }, { token: owner.accessToken });
    expect(deleted.errors, deleted.raw).toBeUndefined();
    expect(deleted.data!.deleteWebhook).toBe(true);
    expect(await t.deps.db.webhookEndpoint.count({ where: { id: created.webhook.id } })).toBe(0);
  });
});

describe('every user\'s webhooks (admins)', () => {
  const LIST = `query ($allUsers: Boolean, $ownerId: ID, $enabled: Boolean) {
    webhooks(allUsers: $allUsers, ownerId: $ownerId, enabled: $enabled) { id url enabled owner { id username email } project { id } } }`;
  const idsOf = (hooks: { id: string }[]) => hooks.map((hook) => hook.id);

  it('allUsers and ownerId: FORBIDDEN to non-admins; admins see every endpoint with its owner, filtered', async () => {
    const [alice, bob, admin] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    await makeAdmin(t, admin.id);
    const a1 = (await create(alice, { url: `${base}/all-a1`, events: ['job.completed'] })).webhook;
    const a2 = (await create(alice, { url: `${base}/all-a2`, events: ['job.failed'] })).webhook;
    const b1 = (await create(bob, { url: `${base}/all-b1`, events: ['job.completed'] })).webhook;
    await t.deps.db.webhookEndpoint.update({ where: { id: a2.id }, data: { enabled: false, disabledAt: new Date(), failureCount: 5 } });

    // A non-admin asking for more than their own: FORBIDDEN, nothing listed.
    for (const variables of [{ allUsers: true }, { ownerId: bob.id }, { ownerId: alice.id }, { allUsers: true, enabled: true }]) {
      const refused = await t.gql(LIST, variables, { token: alice.accessToken });
      expect(codeOf(refused), JSON.stringify(variables)).toBe('FORBIDDEN');
      expect(refused.data).toBeNull();
    }
    // An admin whose API key lacks the ADMIN scope does not act with admin power.
    const key = await t.gql(`mutation { createApiKey(input: { name: "rw", scopes: [READ, WRITE] }) { secret } }`, {}, { token: admin.accessToken });
    expect(codeOf(await t.gql(LIST, { allUsers: true }, { token: key.data!.createApiKey.secret }))).toBe('FORBIDDEN');
    // Anonymous: UNAUTHENTICATED, as for the plain list.
    expect(codeOf(await t.gql(LIST, { allUsers: true }))).toBe('UNAUTHENTICATED');
    // Without those arguments everyone keeps seeing only their own; enabled filters for anyone.
    const own = await t.gql(LIST, { allUsers: false }, { token: alice.accessToken });
    expect(own.errors, own.raw).toBeUndefined();
    expect(idsOf(own.data!.webhooks)).toEqual([a2.id, a1.id]);
    expect(own.data!.webhooks[0].owner).toEqual({ id: alice.id, username: alice.username, email: alice.email });
    const ownEnabled = await t.gql(LIST, { enabled: true }, { token: alice.accessToken });
    expect(idsOf(ownEnabled.data!.webhooks)).toEqual([a1.id]);
    expect(idsOf((await t.gql(LIST, {}, { token: admin.accessToken })).data!.webhooks)).toEqual([]);

    // The admin: every user's, newest first, each with its owner (email visible to admins).
    const all = await t.gql(LIST, { allUsers: true }, { token: admin.accessToken });
    expect(all.errors, all.raw).toBeUndefined();
    const mine = all.data!.webhooks.filter((hook: { id: string }) => [a1.id, a2.id, b1.id].includes(hook.id));
    expect(idsOf(mine)).toEqual([b1.id, a2.id, a1.id]);
    expect(mine[0].owner).toEqual({ id: bob.id, username: bob.username, email: bob.email });
    expect(mine[1]).toMatchObject({ url: `${base}/all-a2`, enabled: false, owner: { id: alice.id } });
    expect(all.data!.webhooks.length).toBe(await t.deps.db.webhookEndpoint.count());

    const byOwner = async (variables: Record<string, unknown>) => {
      const result = await t.gql(LIST, variables, { token: admin.accessToken });
      expect(result.errors, result.raw).toBeUndefined();
      return idsOf(result.data!.webhooks);
    };
    expect(await byOwner({ ownerId: alice.id })).toEqual([a2.id, a1.id]);
    expect(await byOwner({ allUsers: true, ownerId: bob.id })).toEqual([b1.id]);
    expect(await byOwner({ ownerId: alice.id, enabled: false })).toEqual([a2.id]);
    expect(await byOwner({ ownerId: alice.id, enabled: true })).toEqual([a1.id]);
    expect(await byOwner({ ownerId: newId('User') })).toEqual([]);
    const disabledEverywhere = await byOwner({ allUsers: true, enabled: false });
    expect(disabledEverywhere).toContain(a2.id);
    expect(disabledEverywhere).not.toContain(a1.id);
    expect(disabledEverywhere).not.toContain(b1.id);

    // Admins open, re-enable and delete any user's endpoint (audited with the admin as actor);
    // other users still cannot.
    const node = `query ($id: ID!) { node(id: $id) { ... on WebhookEndpoint { id owner { id } } } }`;
    expect((await t.gql(node, { id: b1.id }, { token: admin.accessToken })).data!.node).toEqual({ id: b1.id, owner: { id: bob.id } });
    expect((await t.gql(node, { id: b1.id }, { token: alice.accessToken })).data!.node).toBeNull();
    const ENABLE = `mutation ($id: ID!) { enableWebhook(id: $id) { id enabled failureCount } }`;
    expect(codeOf(await t.gql(ENABLE, { id: a2.id }, { token: bob.accessToken }))).toBe('NOT_FOUND');
    const enabled = await t.gql(ENABLE, { id: a2.id }, { token: admin.accessToken });
    expect(enabled.data!.enableWebhook).toEqual({ id: a2.id, enabled: true, failureCount: 0 });
    expect(await t.deps.db.auditEntry.count({ where: { action: 'webhook.enabled', targetId: a2.id, actorId: admin.id } })).toBe(1);
    const DELETE = `mutation ($id: ID!) { deleteWebhook(id: $id) }`;
    expect(codeOf(await t.gql(DELETE, { id: b1.id }, { token: alice.accessToken }))).toBe('NOT_FOUND');
    expect(codeOf(await t.gql(DELETE, { id: b1.id }, { token: key.data!.createApiKey.secret }))).toBe('NOT_FOUND');
    const deleted = await t.gql(DELETE, { id: b1.id }, { token: admin.accessToken });
    expect(deleted.errors, deleted.raw).toBeUndefined();
    expect(await t.deps.db.webhookEndpoint.count({ where: { id: b1.id } })).toBe(0);
    expect(await t.deps.db.auditEntry.findFirst({ where: { action: 'webhook.deleted', targetId: b1.id } })).toMatchObject({
      actorId: admin.id,
      details: expect.objectContaining({ ownerId: bob.id }),
    });
    expect(await byOwner({ ownerId: bob.id })).toEqual([]);
  });
});

describe('deliveries', () => {
  it('delivers job.completed and job.failed from the pipeline, signed; the receiver verifies the HMAC', async () => {
    const user = await registerUser(t);
    const { secret, webhook } = await create(user, { url: `${base}/signed`, events: ['job.completed', 'job.failed'] });
    const speech = await makeSpeechFixture(['the weather is nice today'], path.join(temp.dir, 'speech.wav'));
    const silent = await makeSilence(3, path.join(temp.dir, 'silent.wav'), 0);
    const completed = await submitFile(t, user.accessToken, speech.wavPath, { provider: 'LOCAL' });
    const failed = await submitFile(t, user.accessToken, silent, { provider: 'LOCAL' });
    const jobIds = [completed.data!.createTranscriptionJob.id, failed.data!.createTranscriptionJob.id];
    for (const id of jobIds) await waitForJob(t, user.accessToken, id);

    const requests = await waitFor('two deliveries', async () => (requestsTo('/signed').length >= 2 ? requestsTo('/signed') : null));
    expect(requests).toHaveLength(2);
    const byType = Object.fromEntries(requests.map((request) => [request.headers['x-parlance-event'], request]));
    expect(Object.keys(byType).sort()).toEqual(['job.completed', 'job.failed']);
    for (const request of requests) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(verifySignature(secret, String(request.headers['x-parlance-signature']), request.body)).toBe(true);
      expect(verifySignature('whsec_wrong', String(request.headers['x-parlance-signature']), request.body)).toBe(false);
      expect(verifySignature(secret, String(request.headers['x-parlance-signature']), `${request.body} `)).toBe(false);
      // The receiver has the request before the worker has recorded its answer.
      const delivery = await waitFor('delivery recorded', async () => {
        const row = await t.deps.db.webhookDelivery.findUniqueOrThrow({ where: { id: String(request.headers['x-parlance-delivery']) } });
        return row.status === 'PENDING' ? null : row;
      });
      expect(delivery).toMatchObject({ endpointId: webhook.id, status: 'DELIVERED', attempts: 1, lastStatus: 200, body: request.body });
    }
    const done = JSON.parse(byType['job.completed'].body);
    expect(done).toMatchObject({ type: 'job.completed', data: { job: { id: jobIds[0], status: 'COMPLETED', ownerId: user.id, provider: 'LOCAL' } } });
    expect(done.id).toMatch(/^evt_/);
    expect(done.data.job.mediaDurationSeconds).toBeCloseTo(speech.durationSeconds, 0);
    const fail = JSON.parse(byType['job.failed'].body);
    expect(fail).toMatchObject({ type: 'job.failed', data: { job: { id: jobIds[1], status: 'FAILED', error: expect.stringMatching(/silent/i) } } });

    const [shown] = await webhooksOf(user);
    expect(shown).toMatchObject({ id: webhook.id, enabled: true, failureCount: 0, lastStatus: 200, lastError: null });
    expect(Date.now() - new Date(shown.lastDeliveredAt).getTime()).toBeLessThan(60_000);
  }, 120_000);

  it('retries after a 500 (with backoff, through graphile-worker), then succeeds', async () => {
    answers.set('/flaky', (previous) => (previous === 0 ? 500 : 204));
    const user = await registerUser(t);
    const { secret, webhook } = await create(user, { url: `${base}/flaky`, events: ['job.failed'] });
    expect(await emitEvent(t.deps, { type: 'job.failed', ownerId: user.id, payload: { job: { id: 'job_flaky', status: 'FAILED' } } })).toBe(1);

    await waitFor('the first failure to be recorded', async () => {
      const [shown] = await webhooksOf(user);
      return shown.failureCount === 1 && shown.lastStatus === 500 ? shown : null;
    });
    const [first, second] = await waitFor('a second attempt', async () => (requestsTo('/flaky').length >= 2 ? requestsTo('/flaky') : null), 20_000);
    expect(second.at - first.at).toBeGreaterThanOrEqual(2000); // graphile-worker's backoff: e^1 s before the 2nd attempt
    expect(second.headers['x-parlance-delivery']).toBe(first.headers['x-parlance-delivery']);
    expect(second.body).toBe(first.body);
    for (const request of [first, second]) expect(verifySignature(secret, String(request.headers['x-parlance-signature']), request.body)).toBe(true);

    const shown = await waitFor('the endpoint to recover', async () => {
      const [hook] = await webhooksOf(user);
      return hook.lastStatus === 204 ? hook : null;
    });
    expect(shown).toMatchObject({ id: webhook.id, enabled: true, failureCount: 0, lastStatus: 204, lastError: null });
    expect(shown.lastDeliveredAt).not.toBeNull();
    const delivery = await t.deps.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: webhook.id } });
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 2, lastStatus: 204 });
    // No attempt is left in the queue, so none can follow.
    await waitFor('the delivery to leave the queue', async () => {
      const [left] = await t.deps.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM graphile_worker._private_jobs j
        JOIN graphile_worker._private_tasks k ON k.id = j.task_id
        WHERE k.identifier = 'deliverWebhook' AND j.payload->>'deliveryId' = ${delivery.id}`;
      return left.n === 0;
    });
    expect(requestsTo('/flaky')).toHaveLength(2);
  }, 60_000);

  it('disables an endpoint after WEBHOOK_DISABLE_AFTER failures in a row, tells its owner, and can be re-enabled', async () => {
    answers.set('/down', () => 500);
    const user = await registerUser(t);
    const { webhook } = await create(user, { url: `${base}/down`, events: ['recording.submitted'] });
    for (let i = 0; i < 3; i += 1) {
      expect(await emitEvent(t.deps, { type: 'recording.submitted', ownerId: user.id, payload: { recording: { id: `rec_${i}` } } })).toBe(1);
    }
    const disabled = await waitFor('the endpoint to be disabled', async () => {
      const [hook] = await webhooksOf(user);
      return hook.enabled ? null : hook;
    });
    expect(disabled).toMatchObject({ enabled: false, failureCount: 3, lastStatus: 500, lastError: 'HTTP 500' });
    expect(disabled.disabledAt).not.toBeNull();
    expect(await t.deps.db.auditEntry.findFirst({ where: { action: 'webhook.disabled', targetId: webhook.id } })).toMatchObject({
      actorId: null,
      targetType: 'WebhookEndpoint',
    });
    // Mailed after the endpoint is disabled: wait for it.
    const email = await waitFor('the disabled-webhook email', () =>
      t.deps.db.outboxEmail.findFirst({ where: { to: user.email, subject: 'A Parlance webhook was disabled' } }), 60_000);
    expect(email.subject).toBe('A Parlance webhook was disabled');
    expect(email.body).toContain(webhook.id);
    expect(email.body).toContain('enableWebhook');

    // The retries still queued are dropped without a request; new events make no deliveries.
    await waitFor('every delivery to be settled', async () =>
      (await t.deps.db.webhookDelivery.count({ where: { endpointId: webhook.id, status: 'PENDING' } })) === 0, 30_000);
    expect(requestsTo('/down')).toHaveLength(3);
    const statuses = (await t.deps.db.webhookDelivery.findMany({ where: { endpointId: webhook.id } })).map((d) => d.status).sort();
    expect(statuses.filter((status) => status === 'DELIVERED')).toEqual([]);
    expect(await emitEvent(t.deps, { type: 'recording.submitted', ownerId: user.id, payload: {} })).toBe(0);

    const enabled = await t.gql(`mutation ($id: ID!) { enableWebhook(id: $id) { enabled failureCount disabledAt } }`, { id: webhook.id }, { token: user.accessToken });
    expect(enabled.data!.enableWebhook).toEqual({ enabled: true, failureCount: 0, disabledAt: null });
    expect(await t.deps.db.auditEntry.count({ where: { action: 'webhook.enabled', targetId: webhook.id, actorId: user.id } })).toBe(1);
    answers.set('/down', () => 200);
    expect(await emitEvent(t.deps, { type: 'recording.submitted', ownerId: user.id, payload: {} })).toBe(1);
    await waitFor('a delivery after re-enabling', async () => (requestsTo('/down').length === 4 ? true : null));
  }, 60_000);

  it('never delivers to a private address: a host that is not allow-listed is refused at delivery time too', async () => {
    const user = await registerUser(t);
    // Written directly, as if the allow-list had changed since the endpoint was created.
    const port = (receiver.address() as AddressInfo).port;
    const sealed = t.deps.box.seal('whsec_private', user.id);
    const id = newId('WebhookEndpoint');
    await t.deps.db.webhookEndpoint.create({
      data: {
        id,
        ownerId: user.id,
        url: `http://localhost:${port}/private`,
        events: ['job.failed'],
        secretCiphertext: sealed.ciphertext,
        secretNonce: sealed.nonce,
        masterKeyId: sealed.masterKeyId,
      },
    });
    expect(await emitEvent(t.deps, { type: 'job.failed', ownerId: user.id, payload: {} })).toBe(1);
    const endpoint = await waitFor('the attempt to be recorded', async () => {
      const row = await t.deps.db.webhookEndpoint.findUniqueOrThrow({ where: { id } });
      return row.failureCount >= 1 ? row : null;
    });
    expect(endpoint.lastStatus).toBeNull();
    expect(endpoint.lastError).toMatch(/private, loopback or link-local/);
    expect(requestsTo('/private')).toHaveLength(0);
  }, 30_000);

  it('emits inside the caller’s transaction: a rolled-back change leaves no delivery', async () => {
    const user = await registerUser(t);
    const { webhook } = await create(user, { url: `${base}/ok`, events: ['job.completed'] });
    const queuedDeliveries = async () =>
      (
        await t.deps.db.$queryRaw<{ id: string }[]>`
          SELECT j.payload->>'deliveryId' AS id FROM graphile_worker._private_jobs j
          JOIN graphile_worker._private_tasks k ON k.id = j.task_id WHERE k.identifier = 'deliverWebhook'`
      ).map((row) => row.id);
    const before = await queuedDeliveries();
    await expect(
      t.deps.db.$transaction(async (tx) => {
        expect(await emitEvent(t.deps, { type: 'job.completed', ownerId: user.id, payload: {} }, tx)).toBe(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await t.deps.db.webhookDelivery.count({ where: { endpointId: webhook.id } })).toBe(0);
    expect((await queuedDeliveries()).filter((id) => !before.includes(id))).toEqual([]);
  });
});
