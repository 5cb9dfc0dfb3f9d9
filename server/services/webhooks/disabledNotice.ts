import type { CoreDeps } from '../../context.ts';
import type { WebhookEndpoint } from '../../db/db.ts';
import { sendEmail } from '../mail.ts';

/** Logs the disabling and mails the endpoint's owner how to turn it back on; a mail failure is only logged. */
export async function tellOwnerDisabled(deps: CoreDeps, endpoint: WebhookEndpoint, error: string | null): Promise<void> {
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
