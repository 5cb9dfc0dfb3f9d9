import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { sendPasswordResetEmail } from '../../server/services/passwordReset.ts';
import { assertSendPasswordResetPayload } from '../payloads.ts';

/**
 * Mails one password reset link (the row and the token are made here; the payload carries ids only).
 * A payload naming no account (an address nobody has) ends at once. Failures are retried by
 * graphile-worker; SMTP failures themselves are kept in the outbox by the mail service.
 */
export function createSendPasswordResetTask(deps: CoreDeps): Task<'sendPasswordReset'> {
  return async (payload) => {
    await sendPasswordResetEmail(deps, assertSendPasswordResetPayload(payload));
  };
}
