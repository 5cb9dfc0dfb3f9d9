/**
 * Checking one passkey assertion against its stored credential, for both uses (sign-in with the
 * passkey alone, and the second step of a password login). The signature is verified first; then the
 * signature counter must have risen (unless the authenticator keeps none: both 0). An assertion that
 * does not raise it is a replay or comes from a cloned authenticator: refused and audited.
 */
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { AppDeps } from '../../context.ts';
import type { Passkey } from '../../db/db.ts';
import { AppError } from '../../errors.ts';
import { recordAudit } from '../audit.ts';
import { relyingParty } from './relyingParty.ts';

export const assertionRefused = () => new AppError('UNAUTHENTICATED', 'The passkey was not accepted.');

export async function verifyAssertion(
  deps: AppDeps,
  passkey: Passkey,
  response: AuthenticationResponseJSON,
  challenge: string,
  requireUserVerification: boolean,
): Promise<void> {
  const rp = relyingParty(deps.env);
  const verification = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origins,
    expectedRPID: rp.id,
    // The counter is compared below, after the signature has been checked, so only a genuine
    // assertion can be reported as a replay.
    credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: 0, transports: passkey.transports },
    requireUserVerification,
  }).catch((error: unknown) => {
    deps.logger.info({ reason: (error as Error).message, passkeyId: passkey.id }, 'passkey assertion refused');
    throw assertionRefused();
  });
  if (!verification.verified) throw assertionRefused();
  const info = verification.authenticationInfo;
  const presented = BigInt(info.newCounter);
  // Conditional, so two concurrent uses of one assertion cannot both pass.
  const updated = await deps.db.passkey.updateMany({
    where: {
      id: passkey.id,
      OR: [{ counter: { lt: presented } }, ...(presented === 0n ? [{ counter: 0n }] : [])],
    },
    data: { counter: presented, lastUsedAt: new Date(), backedUp: info.credentialBackedUp, deviceType: info.credentialDeviceType },
  });
  if (updated.count === 0) {
    const stored = (await deps.db.passkey.findUnique({ where: { id: passkey.id }, select: { counter: true } }))?.counter ?? passkey.counter;
    deps.logger.warn({ passkeyId: passkey.id, userId: passkey.userId, presented: Number(presented), stored: Number(stored) }, 'passkey replay refused');
    await recordAudit(deps.db, {
      actorId: passkey.userId,
      action: 'passkey.replayRefused',
      targetType: 'Passkey',
      targetId: passkey.id,
      details: { name: passkey.name, presentedCounter: Number(presented), storedCounter: Number(stored) },
    });
    throw new AppError(
      'UNAUTHENTICATED',
      "The passkey was not accepted: its signature counter did not increase (a replayed answer or a copied authenticator).",
    );
  }
}
