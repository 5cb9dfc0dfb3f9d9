/**
 * TOTP (RFC 6238, otplib): 30-second steps, six digits, SHA-1, as authenticator apps expect. The
 * secret is sealed under the master key with the user's id as associated data (like provider keys)
 * and is shown once, at enrollment. A code is accepted one step either side of now, and never for a
 * step at or before the last accepted one, so a code cannot be replayed within its window.
 */
import { generateSecret, generateURI, verify } from 'otplib';
import type { AppDeps, Viewer } from '../../context.ts';
import { AppError, badInput, conflict } from '../../errors.ts';
import type { User } from '../../db/db.ts';
import { verifyPassword } from '../../security/passwords.ts';
import { recordAudit } from '../audit.ts';
import { assertSecondFactorRate } from './loginChallenge.ts';
import { replaceRecoveryCodes, useRecoveryCode } from './recoveryCodes.ts';

const ISSUER = 'Parlance';

/** An API key could otherwise turn on a second factor its owner does not hold, and lock them out. */
function assertSignedInPerson(viewer: Viewer): void {
  if (viewer.via === 'apiKey') throw new AppError('FORBIDDEN', 'Two-factor authentication is managed from a signed-in session, not with an API key.');
}
const STEP_TOLERANCE_SECONDS = 30;

export interface TotpEnrollment {
  secret: string;
  uri: string;
}

/** Starts (or restarts) enrollment: a new secret, pending until confirmTotp. Refused while TOTP is on. */
export async function enrollTotp(deps: AppDeps, viewer: Viewer): Promise<TotpEnrollment> {
  assertSignedInPerson(viewer);
  const userId = viewer.user.id;
  const existing = await deps.db.totpCredential.findUnique({ where: { userId }, select: { confirmedAt: true } });
  if (existing?.confirmedAt) throw conflict('Two-factor authentication is already on: disable it first to enroll again.');
  const secret = generateSecret();
  const sealed = deps.box.seal(secret, userId);
  const fields = { ciphertext: sealed.ciphertext, nonce: sealed.nonce, masterKeyId: sealed.masterKeyId };
  await deps.db.$transaction(async (tx) => {
    await tx.totpCredential.upsert({
      where: { userId },
      create: { userId, ...fields },
      update: { ...fields, confirmedAt: null, lastTimeStep: null, createdAt: new Date() },
    });
    await recordAudit(tx, { actorId: userId, action: 'mfa.totpEnrolled', targetType: 'User', targetId: userId });
  });
  const label = viewer.user.email ?? viewer.user.username;
  return { secret, uri: generateURI({ issuer: ISSUER, label, secret }) };
}

/** Turns TOTP on with a first code from the authenticator app; returns ten recovery codes, shown this once. */
export async function confirmTotp(deps: AppDeps, viewer: Viewer, code: string): Promise<string[]> {
  assertSignedInPerson(viewer);
  const userId = viewer.user.id;
  const pending = await deps.db.totpCredential.findUnique({ where: { userId }, select: { confirmedAt: true } });
  if (!pending) throw badInput('Start with enrollTotp: there is no secret to confirm.', 'code');
  if (pending.confirmedAt) throw conflict('Two-factor authentication is already on.');
  await assertSecondFactorRate(deps, userId);
  if (!(await acceptTotpCode(deps, userId, code))) throw badInput('That code is not valid. Check the device clock and try the next code.', 'code');
  return deps.db.$transaction(async (tx) => {
    await tx.totpCredential.update({ where: { userId }, data: { confirmedAt: new Date() } });
    const codes = await replaceRecoveryCodes(tx, userId);
    await recordAudit(tx, { actorId: userId, action: 'mfa.totpConfirmed', targetType: 'User', targetId: userId });
    return codes;
  });
}

/** Turns TOTP off (and drops the recovery codes), proven by a code (TOTP or recovery) or the password. */
export async function disableTotp(
  deps: AppDeps,
  viewer: Viewer,
  proof: { code?: string | null; password?: string | null },
): Promise<User> {
  assertSignedInPerson(viewer);
  const userId = viewer.user.id;
  const credential = await deps.db.totpCredential.findUnique({ where: { userId }, select: { userId: true } });
  if (!credential) throw conflict('Two-factor authentication is not on.');
  await assertSecondFactorRate(deps, userId);
  let proven = false;
  if (proof.code) proven = (await checkSecondFactorCode(deps, viewer.user, proof.code)) !== null;
  else if (proof.password) proven = await verifyPassword(viewer.user.passwordHash, proof.password);
  else throw badInput('Give a code from your authenticator app, a recovery code or your password.', 'code');
  if (!proven) throw new AppError('FORBIDDEN', proof.code ? 'That code is not valid.' : 'That password is not right.');
  return deps.db.$transaction(async (tx) => {
    await tx.totpCredential.delete({ where: { userId } });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await recordAudit(tx, { actorId: userId, action: 'mfa.totpDisabled', targetType: 'User', targetId: userId });
    return tx.user.findUniqueOrThrow({ where: { id: userId } });
  });
}

/** Ten new recovery codes (the old ones stop working), proven by a current TOTP code. */
export async function regenerateRecoveryCodes(deps: AppDeps, viewer: Viewer, code: string): Promise<string[]> {
  assertSignedInPerson(viewer);
  const userId = viewer.user.id;
  const credential = await deps.db.totpCredential.findUnique({ where: { userId }, select: { confirmedAt: true } });
  if (!credential?.confirmedAt) throw conflict('Two-factor authentication is not on.');
  await assertSecondFactorRate(deps, userId);
  if (!(await acceptTotpCode(deps, userId, code))) throw new AppError('FORBIDDEN', 'That code is not valid.');
  return deps.db.$transaction(async (tx) => {
    const codes = await replaceRecoveryCodes(tx, userId);
    await recordAudit(tx, { actorId: userId, action: 'mfa.recoveryCodesRegenerated', targetType: 'User', targetId: userId });
    return codes;
  });
}

/**
 * Checks a code typed at the second step: a TOTP code of the confirmed secret, else one of the
 * recovery codes (used up, audited). Returns which one matched, or null.
 */
export async function checkSecondFactorCode(deps: AppDeps, user: User, code: string): Promise<'TOTP' | 'RECOVERY_CODE' | null> {
  const confirmed = await deps.db.totpCredential.findFirst({ where: { userId: user.id, confirmedAt: { not: null } }, select: { userId: true } });
  if (!confirmed) return null;
  if (/^\s*\d{6}\s*$/.test(code)) return (await acceptTotpCode(deps, user.id, code)) ? 'TOTP' : null;
  if (!(await useRecoveryCode(deps.db, user.id, code))) return null;
  await recordAudit(deps.db, { actorId: user.id, action: 'mfa.recoveryCodeUsed', targetType: 'User', targetId: user.id });
  return 'RECOVERY_CODE';
}

/** Whether `code` is valid now for the user's secret (pending or confirmed), recording its step so it cannot be used again. */
async function acceptTotpCode(deps: AppDeps, userId: string, code: string): Promise<boolean> {
  const token = code.trim();
  if (!/^\d{6}$/.test(token)) return false;
  const credential = await deps.db.totpCredential.findUnique({ where: { userId } });
  if (!credential) return false;
  const secret = deps.box.open(credential, userId).toString('utf8');
  const result = await verify({
    secret,
    token,
    epochTolerance: STEP_TOLERANCE_SECONDS,
    ...(credential.lastTimeStep !== null ? { afterTimeStep: Number(credential.lastTimeStep) } : {}),
  });
  if (!result.valid || !('timeStep' in result)) return false;
  // Two requests with the same code at once: only one moves the step forward.
  const step = BigInt(result.timeStep);
  const { count } = await deps.db.totpCredential.updateMany({
    where: { userId, OR: [{ lastTimeStep: null }, { lastTimeStep: { lt: step } }] },
    data: { lastTimeStep: step },
  });
  return count === 1;
}
