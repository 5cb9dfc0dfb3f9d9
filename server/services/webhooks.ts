/**
 * Webhooks: endpoints users (and project OWNERs/ADMINs, for a project) register for events, and
 * the deliveries to them. `emitEvent` writes one delivery row and one graphile-worker job per
 * matching endpoint, in the caller's transaction; the `deliverWebhook` task POSTs the body, signed
 * with the endpoint's secret, and graphile-worker retries failures with exponential backoff.
 *
 * Signature: `X-Parlance-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Prisma, WebhookEndpoint } from '../db/db.ts';
import { badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import { sendEmail } from './mail.ts';
import { requireProject } from './projectAccess.ts';
import { AddressNotAllowedError, assertPublicUrl, isAllowed, outboundGuard, PRIVATE_ADDRESS_MESSAGE } from './urlFetch.ts';

export const DELIVER_WEBHOOK_TASK = 'deliverWebhook';
export const deliveryJobKey = (deliveryId: string) => `${DELIVER_WEBHOOK_TASK}:${deliveryId}`;

export const WEBHOOK_EVENTS = ['job.completed', 'job.failed', 'recording.submitted', 'recording.reviewed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const MAX_WEBHOOKS_PER_USER = 25;
const MAX_URL_LENGTH = 2048;
const MAX_RESPONSE_BYTES = 64 * 1024;

/** Endpoints the viewer may see and delete: their own, and those of projects they are OWNER or ADMIN of. */
export function visibleWebhookWhere(viewer: Viewer): Prisma.WebhookEndpointWhereInput {
  return {
    OR: [
      { ownerId: viewer.user.id },
      { project: { members: { some: { userId: viewer.user.id, role: { in: ['OWNER', 'ADMIN'] } } } } },
    ],
  };
}

/**
 * Endpoints the viewer may open (`node`), delete and re-enable: those of visibleWebhookWhere, and
 * for an admin acting with admin power every user's (operators deal with a misbehaving endpoint as
 * they do with jobs; creating one stays with its owner).
 */
export function manageableWebhookWhere(viewer: Viewer): Prisma.WebhookEndpointWhereInput {
  return viewer.isAdmin ? {} : visibleWebhookWhere(viewer);
}

async function findVisibleWebhook(deps: CoreDeps, viewer: Viewer, id: string): Promise<WebhookEndpoint> {
  const endpoint = await deps.db.webhookEndpoint.findFirst({ where: { AND: [{ id }, manageableWebhookWhere(viewer)] } });
  if (!endpoint) throw notFound('Webhook');
  return endpoint;
}

/**
 * HTTPS only, unless the host is in WEBHOOK_ALLOW_HOSTS; no credentials in the URL; and the host
 * must resolve to public addresses only, unless allow-listed (checked again at every delivery).
 */
export async function parseWebhookUrl(raw: string, allowHosts: string[]): Promise<URL> {
  const trimmed = raw.trim();
  if (trimmed.length > MAX_URL_LENGTH) throw badInput('url is too long.', 'url');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw badInput('url is not a valid URL.', 'url');
  }
  const allowed = isAllowed(url.hostname, allowHosts);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowed)) {
    throw badInput('url must be https (http only for hosts in WEBHOOK_ALLOW_HOSTS).', 'url');
  }
  if (url.username || url.password) throw badInput('url must not contain credentials.', 'url');
  url.hash = '';
  await assertPublicUrl(url, { allowHosts });
  return url;
}

function parseEvents(events: string[]): WebhookEventType[] {
  const unique = [...new Set(events.map((event) => event.trim()))];
  if (unique.length === 0) throw badInput('Choose at least one event.', 'events');
  const unknown = unique.filter((event) => !(WEBHOOK_EVENTS as readonly string[]).includes(event));
  if (unknown.length > 0) {
    throw badInput(`Unknown event ${unknown.map((e) => JSON.stringify(e)).join(', ')}; events are ${WEBHOOK_EVENTS.join(', ')}.`, 'events');
  }
  return unique as WebhookEventType[];
}

export async function createWebhook(
  deps: AppDeps,
  viewer: Viewer,
  input: { url: string; events: string[]; projectId?: string | null },
): Promise<{ webhook: WebhookEndpoint; secret: string }> {
  const events = parseEvents(input.events);
  // A project's webhook: its OWNERs and ADMINs (NOT_FOUND when the project is not visible).
  const projectId = input.projectId ? (await requireProject(deps.db, viewer, input.projectId, 'manageSettings')).project.id : null;
  const url = await parseWebhookUrl(input.url, deps.env.WEBHOOK_ALLOW_HOSTS);
  const count = await deps.db.webhookEndpoint.count({ where: { ownerId: viewer.user.id } });
  if (count >= MAX_WEBHOOKS_PER_USER) throw badInput(`At most ${MAX_WEBHOOKS_PER_USER} webhooks per user.`);
  const secret = `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  const sealed = deps.box.seal(secret, viewer.user.id);
  const webhook = await deps.db.$transaction(async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: {
        id: newId('WebhookEndpoint'),
        ownerId: viewer.user.id,
        projectId,
        url: url.toString(),
        events,
        secretCiphertext: sealed.ciphertext,
        secretNonce: sealed.nonce,
        masterKeyId: sealed.masterKeyId,
      },
    });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'webhook.created',
      targetType: 'WebhookEndpoint',
      targetId: created.id,
      details: { url: created.url, events, projectId },
    });
    return created;
  });
  return { webhook, secret };
}

export async function deleteWebhook(deps: AppDeps, viewer: Viewer, id: string): Promise<boolean> {
  const endpoint = await findVisibleWebhook(deps, viewer, id);
  await deps.db.$transaction(async (tx) => {
    // Lock the deliveries before the endpoint, in the order a running delivery task takes them,
    // so deleting during a delivery waits for it instead of deadlocking.
    await tx.$executeRaw`SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ${id} ORDER BY id FOR UPDATE`;
    const pending = await tx.webhookDelivery.findMany({ where: { endpointId: id, status: 'PENDING' }, select: { id: true } });
    const keys = pending.map((delivery) => deliveryJobKey(delivery.id));
    if (keys.length > 0) await tx.$executeRaw`SELECT graphile_worker.remove_job(key) FROM unnest(${keys}::text[]) AS key`;
    await tx.webhookEndpoint.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'webhook.deleted',
      targetType: 'WebhookEndpoint',
      targetId: id,
      details: { url: endpoint.url, ownerId: endpoint.ownerId, projectId: endpoint.projectId },
    });
  });
  return true;
}

/** Turns a disabled endpoint back on, with its failure count reset. */
export async function enableWebhook(deps: AppDeps, viewer: Viewer, id: string): Promise<WebhookEndpoint> {
  const endpoint = await findVisibleWebhook(deps, viewer, id);
  if (endpoint.enabled) return endpoint;
  return deps.db.$transaction(async (tx) => {
    const updated = await tx.webhookEndpoint.update({
      where: { id },
      data: { enabled: true, failureCount: 0, disabledAt: null, updatedAt: new Date() },
    });
    await recordAudit(tx, { actorId: viewer.user.id, action: 'webhook.enabled', targetType: 'WebhookEndpoint', targetId: id });
    return updated;
  });
}

export interface WebhookEvent {
  type: WebhookEventType;
  /** Whose resource it is: their own endpoints (those without a project) receive it. */
  ownerId: string;
  /** The resource's project: that project's endpoints receive it too. */
  projectId?: string | null;
  /** The event's `data`: ids and small facts, never secrets. */
  payload: Record<string, unknown>;
}

/**
 * Enqueues one delivery per enabled endpoint subscribed to `event.type`: the owner's own endpoints,
 * and the endpoints of the event's project (while their creator is still its OWNER or ADMIN).
 * Pass the transaction that changes the resource's state, so the event exists exactly when the
 * change does. Returns the number of deliveries.
 */
export async function emitEvent(
  deps: Pick<CoreDeps, 'db' | 'env'>,
  event: WebhookEvent,
  tx?: Prisma.TransactionClient,
): Promise<number> {
  const db = tx ?? deps.db;
  const endpoints = await db.$queryRaw<{ id: string }[]>`
    SELECT e.id FROM webhook_endpoints e JOIN users u ON u.id = e.owner_id
    WHERE e.enabled AND u.is_active AND ${event.type} = ANY (e.events)
      AND ((e.project_id IS NULL AND e.owner_id = ${event.ownerId})
        OR (e.project_id IS NOT NULL AND e.project_id = ${event.projectId ?? null}::text AND EXISTS (
              SELECT 1 FROM project_members m
              WHERE m.project_id = e.project_id AND m.user_id = e.owner_id AND m.role IN ('OWNER', 'ADMIN'))))
    ORDER BY e.id`;
  if (endpoints.length === 0) return 0;
  const eventId = newId('WebhookEvent');
  const body = JSON.stringify({ id: eventId, type: event.type, createdAt: new Date().toISOString(), data: event.payload });
  for (const endpoint of endpoints) {
    const deliveryId = newId('WebhookDelivery');
    await db.webhookDelivery.create({
      data: { id: deliveryId, endpointId: endpoint.id, eventId, event: event.type, body },
    });
    await db.$executeRaw`
      SELECT graphile_worker.add_job(
        ${DELIVER_WEBHOOK_TASK}, json_build_object('deliveryId', ${deliveryId}::text),
        max_attempts := ${deps.env.WEBHOOK_MAX_ATTEMPTS}::int, job_key := ${deliveryJobKey(deliveryId)}::text)`;
  }
  return endpoints.length;
}

/** The signature header for `body` sent at `timestamp` (unix seconds). */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

async function post(url: URL, headers: Record<string, string>, body: string, options: { allowHosts: string[]; timeoutMs: number }): Promise<AttemptResult> {
  try {
    await assertPublicUrl(url, { allowHosts: options.allowHosts });
  } catch (error) {
    return { ok: false, status: null, error: (error as Error).message };
  }
  const { options: guarded, guard } = outboundGuard(url, options.allowHosts);
  return new Promise<AttemptResult>((resolve) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(options.timeoutMs),
      ...guarded,
    });
    guard(request);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > MAX_RESPONSE_BYTES) response.destroy();
      });
      const done = () =>
        resolve(status >= 200 && status < 300 ? { ok: true, status, error: null } : { ok: false, status, error: `HTTP ${status}` });
      response.on('end', done);
      response.on('close', done);
      response.on('error', done);
    });
    request.on('error', (error: Error) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
      // One wording for refused, reset, TLS and address failures: telling them apart would map ports.
      const reason = error instanceof AddressNotAllowedError ? PRIVATE_ADDRESS_MESSAGE : `Could not connect to the endpoint.`;
      resolve({ ok: false, status: null, error: timedOut ? `No answer within ${options.timeoutMs} ms.` : reason });
    });
    request.end(body);
  });
}

export class WebhookRetry extends Error {}

/**
 * One attempt of one delivery (the `deliverWebhook` task). Success resets the endpoint's failure
 * count; a failure increments it, and at WEBHOOK_DISABLE_AFTER consecutive failures the endpoint is
 * disabled, audited and its owner told. Throws WebhookRetry when graphile-worker should try again.
 */
export async function attemptDelivery(deps: CoreDeps, deliveryId: string, attempt: { number: number; max: number }): Promise<void> {
  const delivery = await deps.db.webhookDelivery.findUnique({ where: { id: deliveryId }, include: { endpoint: true } });
  if (!delivery || delivery.status !== 'PENDING') return;
  const { endpoint } = delivery;
  if (!endpoint.enabled) {
    await deps.db.webhookDelivery.updateMany({
      where: { id: deliveryId, status: 'PENDING' },
      data: { status: 'SKIPPED', lastError: 'The endpoint is disabled.', completedAt: new Date() },
    });
    return;
  }
  const secret = deps.box.open({ ciphertext: endpoint.secretCiphertext, nonce: endpoint.secretNonce }, endpoint.ownerId).toString('utf8');
  const timestamp = Math.floor(Date.now() / 1000);
  const result = await post(
    new URL(endpoint.url),
    {
      'content-type': 'application/json',
      'user-agent': 'Parlance-Webhooks/1',
      'x-parlance-event': delivery.event,
      'x-parlance-delivery': delivery.id,
      'x-parlance-signature': signatureHeader(secret, timestamp, delivery.body),
    },
    delivery.body,
    { allowHosts: deps.env.WEBHOOK_ALLOW_HOSTS, timeoutMs: deps.env.WEBHOOK_TIMEOUT_MS },
  );
  const now = new Date();
  const error = result.error?.slice(0, 500) ?? null;

  // updateMany throughout: the endpoint may have been deleted while the request was under way.
  if (result.ok) {
    await deps.db.$transaction([
      deps.db.webhookDelivery.updateMany({
        where: { id: deliveryId },
        data: { status: 'DELIVERED', attempts: { increment: 1 }, lastStatus: result.status, lastError: null, completedAt: now },
      }),
      deps.db.webhookEndpoint.updateMany({
        where: { id: endpoint.id },
        data: { failureCount: 0, lastStatus: result.status, lastError: null, lastAttemptAt: now, lastDeliveredAt: now },
      }),
    ]);
    deps.metrics.webhookDeliveries.inc({ result: 'delivered' });
    return;
  }

  const lastAttempt = attempt.number >= attempt.max;
  const disabled = await deps.db.$transaction(async (tx) => {
    const [counted] = await tx.$queryRaw<{ failure_count: number; enabled: boolean }[]>`
      UPDATE webhook_endpoints
      SET failure_count = failure_count + 1, last_status = ${result.status}::int, last_error = ${error},
          last_attempt_at = ${now}, updated_at = ${now}
      WHERE id = ${endpoint.id}
      RETURNING failure_count, enabled`;
    let disabledNow = false;
    if (counted && counted.enabled && counted.failure_count >= deps.env.WEBHOOK_DISABLE_AFTER) {
      await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false, disabledAt: now } });
      await recordAudit(tx, {
        actorId: null,
        action: 'webhook.disabled',
        targetType: 'WebhookEndpoint',
        targetId: endpoint.id,
        details: { url: endpoint.url, consecutiveFailures: counted.failure_count, lastStatus: result.status, lastError: error },
      });
      disabledNow = true;
    }
    const final = lastAttempt || disabledNow || !counted?.enabled;
    await tx.webhookDelivery.updateMany({
      where: { id: deliveryId },
      data: {
        attempts: { increment: 1 },
        lastStatus: result.status,
        lastError: error,
        ...(final ? { status: 'FAILED', completedAt: now } : {}),
      },
    });
    return { disabledNow, final };
  });
  deps.metrics.webhookDeliveries.inc({ result: disabled.final ? 'failed' : 'retry' });
  if (disabled.disabledNow) await tellOwnerDisabled(deps, endpoint, error);
  if (!disabled.final) throw new WebhookRetry(`Webhook ${endpoint.id} answered ${error ?? 'nothing'}; will retry.`);
}

async function tellOwnerDisabled(deps: CoreDeps, endpoint: WebhookEndpoint, error: string | null): Promise<void> {
  const owner = await deps.db.user.findUnique({ where: { id: endpoint.ownerId }, select: { email: true, username: true } });
  deps.logger.warn(
    { webhookId: endpoint.id, ownerId: endpoint.ownerId, failures: deps.env.WEBHOOK_DISABLE_AFTER, lastError: error },
    'webhook disabled after repeated failures',
  );
  if (!owner?.email) return;
  await sendEmail(deps, {
    to: owner.email,
    subject: 'A Parlance webhook was disabled',
    text: [
      `Hello ${owner.username},`,
      '',
      `Your webhook ${endpoint.id} (${endpoint.url}) failed ${deps.env.WEBHOOK_DISABLE_AFTER} deliveries in a row`,
      `(last error: ${error ?? 'unknown'}), so Parlance stopped sending to it.`,
      '',
      'Fix the receiver, then turn it back on with:',
      `mutation { enableWebhook(id: "${endpoint.id}") { id enabled } }`,
      '',
    ].join('\n'),
  }).catch((caught: unknown) => deps.logger.warn({ err: caught, webhookId: endpoint.id }, 'could not tell the owner about a disabled webhook'));
}
