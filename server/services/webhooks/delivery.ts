import type { CoreDeps } from '../../context.ts';
import { recordAudit } from '../audit.ts';
import { tellOwnerDisabled } from './disabledNotice.ts';
import { postToEndpoint } from './post.ts';
import { signatureHeader } from './signature.ts';

class WebhookRetry extends Error {}

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
  const result = await postToEndpoint(
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
