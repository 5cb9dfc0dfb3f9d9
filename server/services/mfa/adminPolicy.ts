import type { AppDeps, Viewer } from '../../context.ts';
import { secondFactorMethods } from './secondFactors.ts';

const ENROLL = 'Admin access needs two-factor authentication (REQUIRE_ADMIN_MFA): enroll a second factor on your account page, then sign in again with it.';
const SIGN_IN_AGAIN = 'Admin access needs a sign-in that used your second factor (REQUIRE_ADMIN_MFA): sign out and sign in again with it.';

/**
 * REQUIRE_ADMIN_MFA: an ADMIN keeps working as a user, without admin power, until they have a second
 * factor, and then an access token has admin power only when its login used it (`amr` has "mfa";
 * for an external issuer's token, its own `amr` claim). An ADMIN-scoped API key of an admin with a
 * second factor keeps its power: it was created from a signed-in session and is revocable.
 * `adminRefusal` says why, for the FORBIDDEN answer of admin-only fields.
 */
export async function applyAdminMfaPolicy(deps: AppDeps, viewer: Viewer, amr: unknown): Promise<Viewer> {
  if (!deps.env.REQUIRE_ADMIN_MFA || !viewer.isAdmin) return viewer;
  const withheld = (reason: string): Viewer => ({ ...viewer, isAdmin: false, adminRefusal: reason });
  if ((await secondFactorMethods(deps.db, viewer.user.id)).length === 0) return withheld(ENROLL);
  if (viewer.via === 'apiKey') return viewer;
  return Array.isArray(amr) && amr.includes('mfa') ? viewer : withheld(SIGN_IN_AGAIN);
}
