/** Signing in with a passkey alone: the browser offers the site's discoverable passkeys, no username asked. */
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { AppDeps, RequestMeta } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { sha256Hex } from '../../security/tokens.ts';
import { recordAudit } from '../audit.ts';
import { assertLoginAllowed, recordLoginFailure, recordLoginSuccess } from '../loginThrottle.ts';
import { assertRateLimit } from '../rateLimit.ts';
import { startSession, type AuthPayload } from '../sessions.ts';
import { assertionRefused, verifyAssertion } from './assertion.ts';
import { CHALLENGE_TTL_MS, challengeOf, consumeChallenge, storeChallenge } from './challenges.ts';
import { userHandleOf } from './registration.ts';
import { relyingParty } from './relyingParty.ts';
import { parseAssertion } from './responses.ts';

/** Anonymous ceremonies begun per client address: each leaves a row until it is used or expires. */
const SIGN_IN_OPTIONS_PER_MINUTE = 30;

/** Options asked for without an account signed in (sign-in, second step): per client address. */
export const assertOptionsRate = (deps: AppDeps, meta: RequestMeta) =>
  assertRateLimit(deps, `passkey-options:${meta.clientAddress}`, SIGN_IN_OPTIONS_PER_MINUTE, 60);

/** PublicKeyCredentialRequestOptionsJSON for startAuthentication(), as JSON text; any passkey of this site. */
export async function passkeySignInOptions(deps: AppDeps, meta: RequestMeta): Promise<string> {
  await assertOptionsRate(deps, meta);
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(deps.env).id,
    timeout: CHALLENGE_TTL_MS,
    // A passkey alone is the whole sign-in: the authenticator must verify its user (PIN, biometrics).
    userVerification: 'required',
  });
  await storeChallenge(deps.db, options.challenge, { purpose: 'signIn', userId: null });
  return JSON.stringify(options);
}

export async function loginWithPasskey(deps: AppDeps, responseText: string, meta: RequestMeta): Promise<AuthPayload> {
  const response = parseAssertion(responseText);
  const passkey = await deps.db.passkey.findUnique({ where: { credentialId: response.id }, include: { user: true } });
  // Throttled like password logins: by the account the passkey belongs to (or the unknown credential) and address.
  const attempt = {
    account: passkey ? passkey.userId : `passkey:${sha256Hex(response.id).slice(0, 32)}`,
    address: meta.clientAddress,
  };
  await assertLoginAllowed(deps.db, attempt);
  try {
    const challenge = challengeOf(response);
    await consumeChallenge(deps.db, challenge, { purpose: 'signIn' });
    if (!passkey) throw assertionRefused();
    // A discoverable passkey names its account; it must be the one the credential was registered to.
    const handle = response.response.userHandle;
    if (handle && handle !== Buffer.from(userHandleOf(passkey.userId)).toString('base64url')) throw assertionRefused();
    await verifyAssertion(deps, passkey, response, challenge, true);
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAUTHENTICATED') await recordLoginFailure(deps.db, deps.env, attempt);
    throw error;
  }
  const user = passkey.user;
  if (!user.isActive) throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');
  await recordLoginSuccess(deps.db, attempt);
  await recordAudit(deps.db, {
    actorId: user.id,
    action: 'passkey.signedIn',
    targetType: 'Passkey',
    targetId: passkey.id,
    details: { name: passkey.name },
  });
  // A passkey that verified its user is two factors in one (possession, and a PIN or biometrics).
  return startSession(deps, user, ['hwk', 'mfa']);
}
