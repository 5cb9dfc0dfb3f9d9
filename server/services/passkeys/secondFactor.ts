/**
 * A passkey as the second step of a password login (services/mfa/loginChallenge.ts): options limited
 * to the account's own passkeys, bound to the login challenge, and the check completeLogin runs.
 */
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { AppDeps, RequestMeta } from '../../context.ts';
import type { Db, Tx, User } from '../../db/db.ts';
import { AppError, badInput } from '../../errors.ts';
import { sha256Hex } from '../../security/tokens.ts';
import { verifyAssertion } from './assertion.ts';
import { CHALLENGE_TTL_MS, challengeOf, consumeChallenge, storeChallenge } from './challenges.ts';
import { relyingParty } from './relyingParty.ts';
import { assertOptionsRate } from './signIn.ts';
import { parseAssertion } from './responses.ts';

/** Whether the account has a passkey (it then counts as having a second factor). */
export async function hasPasskey(db: Db | Tx, userId: string): Promise<boolean> {
  return (await db.passkey.count({ where: { userId } })) > 0;
}

const loginChallengeGone = () => new AppError('UNAUTHENTICATED', 'This sign-in has expired or was already used. Sign in again.');

/** Request options for the second step of the login whose MFA_REQUIRED challenge is `loginChallenge`. */
export async function passkeySecondFactorOptions(deps: AppDeps, loginChallenge: string, meta: RequestMeta): Promise<string> {
  await assertOptionsRate(deps, meta);
  const row = await deps.db.loginChallenge.findUnique({ where: { tokenHash: sha256Hex(loginChallenge) } });
  if (!row || row.clientAddress !== meta.clientAddress || row.consumedAt || row.expiresAt <= new Date()) throw loginChallengeGone();
  const passkeys = await deps.db.passkey.findMany({ where: { userId: row.userId }, select: { credentialId: true, transports: true } });
  if (passkeys.length === 0) throw badInput('This account has no passkey.', 'challenge');
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(deps.env).id,
    timeout: CHALLENGE_TTL_MS,
    allowCredentials: passkeys.map((key) => ({ id: key.credentialId, transports: key.transports })),
    // The password was the first factor; the passkey's possession is the second.
    userVerification: 'discouraged',
  });
  await storeChallenge(deps.db, options.challenge, {
    purpose: 'secondFactor',
    userId: row.userId,
    loginChallengeHash: sha256Hex(loginChallenge),
  });
  return JSON.stringify(options);
}

/**
 * completeLogin's check for a passkey: the assertion answers options issued for this login challenge
 * and comes from one of the user's passkeys. False when it does not hold (the login challenge counts
 * the failure); a replay is also audited (assertion.ts).
 */
export async function verifyPasskeySecondFactor(deps: AppDeps, user: User, loginChallenge: string, responseText: string): Promise<boolean> {
  try {
    const response = parseAssertion(responseText);
    const challenge = challengeOf(response);
    await consumeChallenge(deps.db, challenge, { purpose: 'secondFactor', userId: user.id, loginChallengeHash: sha256Hex(loginChallenge) });
    const passkey = await deps.db.passkey.findFirst({ where: { credentialId: response.id, userId: user.id } });
    if (!passkey) return false;
    await verifyAssertion(deps, passkey, response, challenge, false);
    return true;
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
}
