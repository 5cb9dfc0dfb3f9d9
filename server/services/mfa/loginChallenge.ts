/**
 * The second step of a login. `login` for an account with a second factor answers MFA_REQUIRED with
 * a challenge: a random token (stored as its SHA-256), single use, bound to the user and the client
 * address, expiring after MFA_CHALLENGE_TTL_SECONDS. `completeLogin` redeems it with a proof that a
 * method checks (`verify`), and only then are tokens issued.
 * Every proof takes an attempt from the challenge before it is checked, so concurrent guesses count
 * too; MAX_FAILURES_PER_CHALLENGE wrong ones burn it. Across challenges, an account gets
 * MFA_MAX_CODE_ATTEMPTS proofs per 15 minutes (rateLimit.ts).
 */
import type { AppDeps, RequestMeta } from '../../context.ts';
import type { User } from '../../db/db.ts';
import { AppError, unauthenticated } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { randomSecret, sha256Hex } from '../../security/tokens.ts';
import { recordAudit } from '../audit.ts';
import { recordLoginSuccess } from '../loginThrottle.ts';
import { assertRateLimit } from '../rateLimit.ts';
import { startSession, type AuthPayload } from '../sessions.ts';
import type { SecondFactorMethod } from './secondFactors.ts';

const CHALLENGE_PREFIX = 'mfa_';
export const MAX_FAILURES_PER_CHALLENGE = 5;
const ACCOUNT_WINDOW_SECONDS = 900;

/** Every check of a second-factor proof for `userId` (login, confirming, disabling) takes from this budget. */
export function assertSecondFactorRate(deps: Pick<AppDeps, 'db' | 'env'>, userId: string): Promise<void> {
  return assertRateLimit(deps, `mfa-proofs:${userId}`, deps.env.MFA_MAX_CODE_ATTEMPTS, ACCOUNT_WINDOW_SECONDS);
}

const invalidChallenge = () => unauthenticated('This sign-in has expired or was already used. Sign in again.');

/**
 * Starts the second step for `user`, whose password was right: the MFA_REQUIRED error to answer
 * `login` with. Its extensions carry `challenge`, `methods` and `expiresAt`.
 */
export async function challengeSecondFactor(
  deps: AppDeps,
  user: User,
  methods: readonly SecondFactorMethod[],
  meta: RequestMeta,
): Promise<AppError> {
  const challenge = randomSecret(CHALLENGE_PREFIX);
  const expiresAt = new Date(Date.now() + deps.env.MFA_CHALLENGE_TTL_SECONDS * 1000);
  await deps.db.loginChallenge.create({
    data: {
      id: newId('LoginChallenge'),
      userId: user.id,
      tokenHash: sha256Hex(challenge),
      clientAddress: meta.clientAddress,
      expiresAt,
    },
  });
  return new AppError('MFA_REQUIRED', 'A second factor is required: finish signing in with completeLogin.', {
    challenge,
    methods: [...methods],
    expiresAt: expiresAt.toISOString(),
  });
}

export interface SecondFactorProof {
  /** The challenge from the MFA_REQUIRED answer of `login`. */
  challenge: string;
  /** What the proof adds to the session's `amr` (RFC 8176), e.g. "otp" or "hwk". */
  amr: string;
  /** Checks the proof for the challenge's user; true when it holds. Called at most once. */
  verify: (user: User) => Promise<boolean>;
}

/**
 * Redeems a login challenge with a second-factor proof and starts the session (amr: pwd, the
 * proof's method, mfa). A wrong proof answers UNAUTHENTICATED and counts against the challenge.
 */
export async function completeLogin(deps: AppDeps, meta: RequestMeta, proof: SecondFactorProof): Promise<AuthPayload> {
  const row = await deps.db.loginChallenge.findUnique({ where: { tokenHash: sha256Hex(proof.challenge) } });
  if (!row || row.clientAddress !== meta.clientAddress) throw invalidChallenge();
  await assertSecondFactorRate(deps, row.userId);

  const attempt = await deps.db.loginChallenge.updateMany({
    where: { id: row.id, consumedAt: null, expiresAt: { gt: new Date() }, failures: { lt: MAX_FAILURES_PER_CHALLENGE } },
    data: { failures: { increment: 1 } },
  });
  if (attempt.count === 0) throw invalidChallenge();
  const user = await deps.db.user.findUnique({ where: { id: row.userId } });
  if (!user) throw invalidChallenge();
  if (!user.isActive) throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');

  if (!(await proof.verify(user))) throw await countFailure(deps, row.id, user.id, proof.amr);

  // The attempt was not a failure: give it back while consuming the challenge, once.
  const consumed = await deps.db.loginChallenge.updateMany({
    where: { id: row.id, consumedAt: null },
    data: { consumedAt: new Date(), failures: { decrement: 1 } },
  });
  if (consumed.count === 0) throw invalidChallenge();
  await recordLoginSuccess(deps.db, { account: user.id, address: meta.clientAddress });
  return startSession(deps, user, ['pwd', proof.amr, 'mfa']);
}

async function countFailure(deps: AppDeps, challengeId: string, userId: string, method: string): Promise<AppError> {
  const burned = await deps.db.loginChallenge.updateMany({
    where: { id: challengeId, consumedAt: null, failures: { gte: MAX_FAILURES_PER_CHALLENGE } },
    data: { consumedAt: new Date() },
  });
  if (burned.count === 0) return unauthenticated('That code is not valid.');
  await recordAudit(deps.db, {
    actorId: userId,
    action: 'mfa.challengeBurned',
    targetType: 'User',
    targetId: userId,
    details: { failures: MAX_FAILURES_PER_CHALLENGE, method },
  });
  return unauthenticated(`${MAX_FAILURES_PER_CHALLENGE} wrong codes: this sign-in is cancelled. Sign in again.`);
}
