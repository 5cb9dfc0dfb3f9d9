import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { attemptDelivery } from '../../server/services/webhooks/delivery.ts';
import { assertDeliverWebhookPayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/**
 * One webhook delivery: POSTs the stored body, signed. The delivery records its own outcome per
 * attempt; a failure that should be retried throws, so graphile-worker runs it again with
 * exponential backoff (up to WEBHOOK_MAX_ATTEMPTS attempts).
 */
export function createDeliverWebhookTask(deps: CoreDeps): Task<'deliverWebhook'> {
  return async (payload, helpers) => {
    const { deliveryId } = assertDeliverWebhookPayload(payload);
    try {
      await attemptDelivery(deps, deliveryId, { number: helpers.job.attempts, max: helpers.job.max_attempts });
    } catch (error) {
      await settleFailure(error, helpers, null);
    }
  };
}
