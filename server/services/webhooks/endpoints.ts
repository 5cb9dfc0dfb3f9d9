import { randomBytes } from 'node:crypto';
import type { AppDeps, CoreDeps, Viewer } from '../../context.ts';
import type { WebhookEndpoint } from '../../db/db.ts';
import { removeJobs } from '../../db/queue.ts';
import { badInput, notFound } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { recordAudit } from '../audit.ts';
import { requireProject } from '../projectAccess.ts';
import { manageableWebhookWhere } from './access.ts';
import { deliveryJobKey } from './emit.ts';
import { parseEvents } from './events.ts';
import { parseWebhookUrl } from './urlPolicy.ts';

const WEBHOOK_SECRET_PREFIX = 'whsec_';
const MAX_WEBHOOKS_PER_USER = 25;

async function findManageableWebhook(deps: CoreDeps, viewer: Viewer, id: string): Promise<WebhookEndpoint> {
  const endpoint = await deps.db.webhookEndpoint.findFirst({ where: { AND: [{ id }, manageableWebhookWhere(viewer)] } });
  if (!endpoint) throw notFound('Webhook');
  return endpoint;
}

/** Registers an endpoint; its signing secret is returned here once and stored sealed. */
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
  const endpoint = await findManageableWebhook(deps, viewer, id);
  await deps.db.$transaction(async (tx) => {
    // Lock the deliveries before the endpoint, in the order a running delivery task takes them,
    // so deleting during a delivery waits for it instead of deadlocking.
    await tx.$executeRaw`SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ${id} ORDER BY id FOR UPDATE`;
    const pending = await tx.webhookDelivery.findMany({ where: { endpointId: id, status: 'PENDING' }, select: { id: true } });
    await removeJobs(tx, pending.map((delivery) => deliveryJobKey(delivery.id)));
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
  const endpoint = await findManageableWebhook(deps, viewer, id);
  if (endpoint.enabled) return endpoint;
  return deps.db.$transaction(async (tx) => {
    const updated = await tx.webhookEndpoint.update({
      where: { id },
      data: { enabled: true, failureCount: 0, disabledAt: null },
    });
    await recordAudit(tx, { actorId: viewer.user.id, action: 'webhook.enabled', targetType: 'WebhookEndpoint', targetId: id });
    return updated;
  });
}
