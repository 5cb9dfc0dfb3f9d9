/**
 * Webhook events: `emitEvent` writes one delivery row and one graphile-worker job per matching
 * endpoint, in the caller's transaction; the `deliverWebhook` task then runs `attemptDelivery`
 * (delivery.ts), and graphile-worker retries failures with exponential backoff.
 */
import type { CoreDeps } from '../../context.ts';
import { Prisma } from '../../db/db.ts';
import { addJob, taskJobKey, type TaskName } from '../../db/queue.ts';
import { newId } from '../../ids.ts';
import type { WebhookEventType } from './events.ts';

const DELIVER_WEBHOOK_TASK = 'deliverWebhook' satisfies TaskName;
export const deliveryJobKey = (deliveryId: string) => taskJobKey(DELIVER_WEBHOOK_TASK, deliveryId);

interface WebhookEvent {
  type: WebhookEventType;
  /** Whose resource it is: their own endpoints (those without a project) receive it. */
  ownerId: string;
  /** The resource's project: that project's endpoints receive it too. */
  projectId?: string | null;
  /** The event's `data`: ids and small facts, never secrets. */
  payload: Record<string, unknown>;
}

/**
 * The ids (in order) of the endpoints an event of `type` about a resource of `ownerId` (in
 * `projectId`) goes to: a query of its own, or a part of a larger statement, whose owner and project
 * may then be SQL expressions.
 */
export function subscribedEndpoints(type: WebhookEventType, ownerId: string | Prisma.Sql, projectId: string | null | Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    SELECT e.id FROM webhook_endpoints e JOIN users u ON u.id = e.owner_id
    WHERE e.enabled AND u.is_active AND ${type} = ANY (e.events)
      AND ((e.project_id IS NULL AND e.owner_id = ${ownerId})
        OR (e.project_id IS NOT NULL AND e.project_id = ${projectId}::text AND EXISTS (
              SELECT 1 FROM project_members m
              WHERE m.project_id = e.project_id AND m.user_id = e.owner_id AND m.role IN ('OWNER', 'ADMIN'))))
    ORDER BY e.id`;
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
  /** The endpoints' ids, when the caller read them (subscribedEndpoints) in a statement of the same transaction. */
  endpointIds?: readonly string[],
): Promise<number> {
  const db = tx ?? deps.db;
  const endpoints = endpointIds
    ? endpointIds.map((id) => ({ id }))
    : await db.$queryRaw<{ id: string }[]>(subscribedEndpoints(event.type, event.ownerId, event.projectId ?? null));
  if (endpoints.length === 0) return 0;
  const eventId = newId('WebhookEvent');
  const body = JSON.stringify({ id: eventId, type: event.type, createdAt: new Date().toISOString(), data: event.payload });
  for (const endpoint of endpoints) {
    const deliveryId = newId('WebhookDelivery');
    await db.webhookDelivery.create({
      data: { id: deliveryId, endpointId: endpoint.id, eventId, event: event.type, body },
    });
    await addJob(db, DELIVER_WEBHOOK_TASK, { deliveryId }, { maxAttempts: deps.env.WEBHOOK_MAX_ATTEMPTS, jobKey: deliveryJobKey(deliveryId) });
  }
  return endpoints.length;
}
