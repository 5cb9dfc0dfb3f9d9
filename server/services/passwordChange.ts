/**
 * changePassword (README, "Passwords: reset, change, breached list"): needs the current password
 * (wrong ones count as failed logins, so the login throttle covers guessing), ends every other login
 * of the account, and hands the current one a fresh token pair (every access token issued before,
 * this login's included, stops working with the token version bump).
 */
import type { AppDeps, RequestMeta, Viewer } from '../context.ts';
import { badInput, conflict, forbidden } from '../errors.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem, verifyPassword } from '../security/passwords.ts';
import { recordAudit } from './audit.ts';
import { assertLoginAllowed, recordLoginFailure } from './loginThrottle.ts';
import { endOtherSessionsLocked, renewSessionLocked, type AuthPayload } from './sessions.ts';

export async function changePassword(
  deps: AppDeps,
  viewer: Viewer,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<AuthPayload> {
  if (viewer.via !== 'session') {
    throw forbidden('Change your password from a session signed in with it, not with an API key or another token.');
  }
  const user = viewer.user;
  if (!user.passwordHash) throw badInput('This account has no password: it signs in through an external issuer.', 'currentPassword');
  const attempt = { account: user.id, address: meta.clientAddress };
  await assertLoginAllowed(deps.db, attempt);
  const currentOk =
    input.currentPassword.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(user.passwordHash, input.currentPassword));
  if (!currentOk) {
    await recordLoginFailure(deps.db, deps.env, attempt);
    throw badInput('The current password is not right.', 'currentPassword');
  }
  if (input.newPassword === input.currentPassword) throw badInput('The new password must differ from the current one.', 'newPassword');
  const problem = passwordProblem(input.newPassword, user.username, user.email ?? '');
  if (problem) throw badInput(problem, 'newPassword');
  const passwordHash = await hashPassword(input.newPassword);

  const kept = viewer.sessionId ?? null;
  return deps.db.$transaction(async (tx) => {
    // Only over the hash just checked: a concurrent change or reset wins, and this one is refused.
    const { count } = await tx.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash, isActive: true },
      data: { passwordHash, tokenVersion: { increment: 1 } },
    });
    if (count === 0) throw conflict('The password was changed meanwhile: sign in again.');
    const updated = await tx.user.findUniqueOrThrow({ where: { id: user.id } });
    // Reset links mailed earlier would replace the new password: they stop working.
    await tx.passwordReset.updateMany({ where: { userId: user.id, usedAt: null }, data: { usedAt: new Date() } });
    const ended = await endOtherSessionsLocked(tx, user.id, kept);
    const payload = await renewSessionLocked(tx, deps, updated, kept);
    await recordAudit(tx, { actorId: user.id, action: 'password.changed', targetType: 'User', targetId: user.id });
    await recordAudit(tx, {
      actorId: user.id,
      action: 'sessions.revoked',
      targetType: 'User',
      targetId: user.id,
      details: { reason: 'password.changed', sessions: ended, kept: 'current' },
    });
    return payload;
  });
}

