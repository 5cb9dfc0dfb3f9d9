/** Adding a passkey to the signed-in account: options for the browser, then the verified answer stored. */
import { generateRegistrationOptions, verifyRegistrationResponse } from '@simplewebauthn/server';
import type { AppDeps, Viewer } from '../../context.ts';
import { isUniqueViolation, type Passkey } from '../../db/db.ts';
import { AppError, badInput, conflict } from '../../errors.ts';
import { newId } from '../../ids.ts';
import { recordAudit } from '../audit.ts';
import { requireName } from '../validation.ts';
import { CHALLENGE_TTL_MS, challengeOf, consumeChallenge, storeChallenge } from './challenges.ts';
import { assertManagesPasskeys } from './manage.ts';
import { relyingParty } from './relyingParty.ts';
import { parseRegistration } from './responses.ts';

const MAX_PASSKEYS_PER_USER = 20;

/** The WebAuthn user handle of an account: its id's bytes (no personal data). */
export const userHandleOf = (userId: string) => new TextEncoder().encode(userId);

/** PublicKeyCredentialCreationOptionsJSON for startRegistration(), as JSON text. */
export async function passkeyRegistrationOptions(deps: AppDeps, viewer: Viewer): Promise<string> {
  assertManagesPasskeys(viewer);
  const user = viewer.user;
  const existing = await deps.db.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw badInput(`At most ${MAX_PASSKEYS_PER_USER} passkeys per account.`);
  const rp = relyingParty(deps.env);
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: user.username,
    userID: userHandleOf(user.id),
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    // One passkey per authenticator: the browser refuses to make a second one on a device that has one.
    excludeCredentials: existing.map((key) => ({ id: key.credentialId, transports: key.transports })),
    // Discoverable, so it can sign in without a username.
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'preferred' },
  });
  await storeChallenge(deps.db, options.challenge, { purpose: 'registration', userId: user.id });
  return JSON.stringify(options);
}

export async function registerPasskey(deps: AppDeps, viewer: Viewer, rawName: string, responseText: string): Promise<Passkey> {
  assertManagesPasskeys(viewer);
  const name = requireName(rawName);
  const response = parseRegistration(responseText);
  const challenge = challengeOf(response);
  await consumeChallenge(deps.db, challenge, { purpose: 'registration', userId: viewer.user.id });
  const rp = relyingParty(deps.env);
  const verification = await verifyRegistrationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: rp.origins,
    expectedRPID: rp.id,
    requireUserVerification: false,
  }).catch((error: unknown) => {
    deps.logger.info({ reason: (error as Error).message, userId: viewer.user.id }, 'passkey registration refused');
    throw new AppError('BAD_USER_INPUT', 'The passkey could not be verified for this site.', { field: 'response' });
  });
  if (!verification.verified) throw new AppError('BAD_USER_INPUT', 'The passkey could not be verified for this site.', { field: 'response' });
  const info = verification.registrationInfo;
  try {
    return await deps.db.$transaction(async (tx) => {
      const passkey = await tx.passkey.create({
        data: {
          id: newId('Passkey'),
          userId: viewer.user.id,
          name,
          credentialId: info.credential.id,
          publicKey: Buffer.from(info.credential.publicKey),
          counter: BigInt(info.credential.counter),
          transports: info.credential.transports ?? [],
          deviceType: info.credentialDeviceType,
          backedUp: info.credentialBackedUp,
        },
      });
      await recordAudit(tx, {
        actorId: viewer.user.id,
        action: 'passkey.registered',
        targetType: 'Passkey',
        targetId: passkey.id,
        details: { name, deviceType: passkey.deviceType, backedUp: passkey.backedUp },
      });
      return passkey;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('This passkey is already registered.');
    throw error;
  }
}
