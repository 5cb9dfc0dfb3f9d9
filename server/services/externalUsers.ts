import type { AppDeps } from '../context.ts';
import { isUniqueViolation, type User } from '../db/db.ts';
import { newId } from '../ids.ts';
import type { ExternalIdentity } from '../security/oidc.ts';

/**
 * The local user behind an external identity, keyed by (issuer, subject) and created on first
 * sight. The role follows the issuer's groups on every request.
 */
export async function upsertExternalUser(deps: AppDeps, identity: ExternalIdentity): Promise<User> {
  // ADMIN_EMAILS counts only when the issuer vouches for the address (`email_verified: true`) and
  // for the account that actually holds it: an identity whose email claim belongs to another account
  // (so was not recorded on its own user) gains nothing.
  const listedAdmin = (storedEmail: string | null) =>
    identity.emailVerified && storedEmail !== null && storedEmail === identity.email && deps.env.ADMIN_EMAILS.includes(storedEmail);
  const roleFor = (storedEmail: string | null) => (identity.isAdmin || listedAdmin(storedEmail) ? 'ADMIN' : 'USER');
  const key = { oidcIssuer: identity.issuer, oidcSubject: identity.subject };
  const existing = await deps.db.user.findUnique({ where: { oidcIssuer_oidcSubject: key } });
  // The issuer's `email_verified: true` counts as a verified address (README, "Email verification").
  const vouchedFor = (storedEmail: string | null) => identity.emailVerified && storedEmail !== null && storedEmail === identity.email;
  if (existing) {
    const role = roleFor(existing.email);
    const verifyNow = !existing.emailVerifiedAt && vouchedFor(existing.email);
    if (existing.role === role && !verifyNow) return existing;
    return deps.db.user.update({ where: { id: existing.id }, data: { role, ...(verifyNow ? { emailVerifiedAt: new Date() } : {}) } });
  }
  let email = identity.email;
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      return await deps.db.user.create({
        data: {
          id: newId('User'),
          ...key,
          username: candidateUsername(identity, attempt),
          email,
          emailVerifiedAt: vouchedFor(email) ? new Date() : null,
          role: roleFor(email),
        },
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request may have created this identity meanwhile.
      const raced = await deps.db.user.findUnique({ where: { oidcIssuer_oidcSubject: key } });
      if (raced) return raced;
      // Drop the email only if another account holds it; a taken username alone is retried with a suffix.
      if (email !== null && (await deps.db.user.findUnique({ where: { email }, select: { id: true } }))) email = null;
    }
  }
  throw new Error('Could not allocate a username for an external identity.');
}

function candidateUsername(identity: ExternalIdentity, attempt: number): string {
  const source = identity.username ?? identity.email?.split('@')[0] ?? 'user';
  const base = source.toLowerCase().replace(/[^a-z0-9_.-]/g, '').replace(/^[^a-z0-9]+/, '').slice(0, 24) || 'user';
  const padded = base.length < 3 ? `${base}user` : base;
  return attempt === 0 ? padded : `${padded}-${Math.random().toString(36).slice(2, 8)}`;
}
