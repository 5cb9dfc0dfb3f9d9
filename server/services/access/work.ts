/**
 * Who may submit work (transcription jobs from a file, an upload or a URL, resumable uploads, live
 * sessions and the recordings made with them): the one home of the email-verification rule.
 */
import type { Viewer } from '../../context.ts';
import type { Env } from '../../env.ts';
import { AppError } from '../../errors.ts';

/** REQUIRE_EMAIL_VERIFICATION, which defaults to true when NODE_ENV=production. */
export function emailVerificationRequired(env: Pick<Env, 'REQUIRE_EMAIL_VERIFICATION' | 'isProduction'>): boolean {
  return env.REQUIRE_EMAIL_VERIFICATION ?? env.isProduction;
}

/**
 * Whether the viewer's account may submit work now. Accounts of an external OIDC issuer are vouched
 * for by the issuer the operator configured, and admins by the operator who promoted them; everyone
 * else needs a verified address when the server requires one.
 */
export function maySubmitWork(env: Pick<Env, 'REQUIRE_EMAIL_VERIFICATION' | 'isProduction'>, viewer: Viewer): boolean {
  const { user } = viewer;
  return !emailVerificationRequired(env) || user.emailVerifiedAt !== null || user.oidcIssuer !== null || user.role === 'ADMIN';
}

export const emailNotVerified = (action = 'submitting work') =>
  new AppError(
    'FORBIDDEN',
    `Verify your email address before ${action}: open the link we emailed you, or ask for a new one (resendVerification).`,
    { reason: 'EMAIL_NOT_VERIFIED' },
  );

/** FORBIDDEN (reason EMAIL_NOT_VERIFIED) unless the viewer may submit work. */
export function assertMaySubmitWork(env: Pick<Env, 'REQUIRE_EMAIL_VERIFICATION' | 'isProduction'>, viewer: Viewer): void {
  if (!maySubmitWork(env, viewer)) throw emailNotVerified();
}
