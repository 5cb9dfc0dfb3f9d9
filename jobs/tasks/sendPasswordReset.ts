import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { sendPasswordResetEmail } from '../../server/services/passwordReset.ts';
import { assertSendPasswordResetPayload } from '../payloads.ts';

/**
 * Mails one password reset link (the token is made here, never carried in the payload). A payload
 * whose row does not exist (an address with no account) ends at once. Failures are retried by
 * graphile-worker; SMTP failures themselves are kept in the outbox by the mail service.
 */
export function createSendPasswordResetTask(deps: CoreDeps): Task<'sendPasswordReset'> {
  return async (payload) => {
    const { resetId } = assertSendPasswordResetPayload(payload);
    await sendPasswordResetEmail(deps, resetId);
  };
}
