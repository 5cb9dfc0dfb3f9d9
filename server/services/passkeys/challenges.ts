/**
 * WebAuthn challenges: one row per ceremony begun, holding only the challenge's SHA-256, consumed
 * (deleted) by the one answer that uses it, refused after CHALLENGE_TTL_MS. The answer names its
 * challenge inside clientDataJSON, so nothing else has to travel with it.
 */
import type { Db } from '../../db/db.ts';
import { AppError, badInput } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { sha256Hex } from '../../security/tokens.ts';

export type ChallengePurpose = 'registration' | 'signIn' | 'secondFactor';

/** How long the browser (and the person) has to answer; also the `timeout` the options carry. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export async function storeChallenge(
  db: Db,
  challenge: string,
  row: { purpose: ChallengePurpose; userId: string | null; loginChallengeHash?: string | null },
): Promise<void> {
  // Expired rows go as new ones come, so the table holds only live ceremonies.
  await db.passkeyChallenge.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await db.passkeyChallenge.create({
    data: {
      id: newId('PasskeyChallenge'),
      challengeHash: sha256Hex(challenge),
      purpose: row.purpose,
      userId: row.userId,
      loginChallengeHash: row.loginChallengeHash ?? null,
      expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
    },
  });
}

export const challengeRefused = () =>
  new AppError('UNAUTHENTICATED', 'This passkey request is unknown, used or expired. Start again.');

/**
 * Takes the challenge out of the table (single use, even when the answer then fails) and checks that
 * it was issued for this purpose (and user) and is still live. Throws UNAUTHENTICATED otherwise.
 */
export async function consumeChallenge(
  db: Db,
  challenge: string,
  expected: { purpose: ChallengePurpose; userId?: string; loginChallengeHash?: string },
): Promise<{ userId: string | null }> {
  const rows = await db.$queryRaw<{ purpose: string; user_id: string | null; login_challenge_hash: string | null; live: boolean }[]>`
    DELETE FROM passkey_challenges WHERE challenge_hash = ${sha256Hex(challenge)}
    RETURNING purpose, user_id, login_challenge_hash, expires_at > now() AS live`;
  const row = rows[0];
  if (
    !row ||
    !row.live ||
    row.purpose !== expected.purpose ||
    (expected.userId !== undefined && row.user_id !== expected.userId) ||
    (expected.loginChallengeHash !== undefined && row.login_challenge_hash !== expected.loginChallengeHash)
  ) {
    throw challengeRefused();
  }
  return { userId: row.user_id };
}

/** The challenge an answer (registration or assertion) was made for, from its clientDataJSON. */
export function challengeOf(response: { response: { clientDataJSON: string } }): string {
  try {
    const clientData = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    if (typeof clientData.challenge === 'string' && clientData.challenge.length > 0) return clientData.challenge;
  } catch {
    // fall through
  }
  throw badInput('The passkey response has no readable clientDataJSON.', 'response');
}
