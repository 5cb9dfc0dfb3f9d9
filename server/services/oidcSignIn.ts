/**
 * Web sign-in through an external OIDC issuer (README, "Signing in through an external OIDC issuer"),
 * in three steps, each single use:
 * 1. start: a state, a nonce and a PKCE verifier are kept in oidc_sign_ins (the state hashed; the browser
 *    holds the state in a cookie as well, so a callback only counts in the browser that started it);
 * 2. the issuer's callback: the row is claimed, the code exchanged, the ID token verified, and the user
 *    found or created exactly as for the issuer's bearer tokens (upsertExternalUser); it answers a
 *    one-time completion code (hashed at rest);
 * 3. completeOidcSignIn: the web app trades that code for a session, so no token ever sits in a URL.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AppDeps } from '../context.ts';
import type { Env, OidcIssuerConfig } from '../env.ts';
import { AppError, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import { IdTokenNonceMismatch } from '../security/oidc.ts';
import { authorizationUrl, discover, exchangeCode, pkcePair } from '../security/oidcClient.ts';
import { randomSecret, sha256Hex } from '../security/tokens.ts';
import { recordAudit } from './audit.ts';
import { upsertExternalUser } from './externalUsers.ts';
import { assertRateLimit } from './rateLimit.ts';
import { startSession, type AuthPayload } from './sessions.ts';

/** How long the issuer may take to send the browser back. */
export const OIDC_STATE_TTL_SECONDS = 10 * 60;
/** How long the web app has to trade the completion code (it does so as soon as it loads). */
const COMPLETION_TTL_MS = 2 * 60_000;
const STARTS_PER_MINUTE_PER_ADDRESS = 30;
/** Attempts older than this are deleted when a new one starts. */
const KEEP_ATTEMPTS_MS = 24 * 3600_000;
const COMPLETION_PREFIX = 'osc_';

/** Why a web sign-in ended; the web app shows a sentence for each (LoginPage.tsx). */
export type OidcFailureReason =
  | 'unknown_issuer'
  | 'unavailable'
  | 'rate_limited'
  | 'state'
  | 'used'
  | 'expired'
  | 'denied'
  | 'issuer_error'
  | 'exchange'
  | 'id_token'
  | 'nonce'
  | 'deactivated';

export class OidcSignInFailed extends Error {
  constructor(
    readonly reason: OidcFailureReason,
    /** For the log only; never a secret. */
    readonly detail?: string,
  ) {
    super(`OIDC sign-in failed: ${reason}`);
  }
}

/** The issuers offered for web sign-in: those with a clientId. */
export function webSignInIssuers(env: Pick<Env, 'OIDC_ISSUERS'>): OidcIssuerConfig[] {
  return env.OIDC_ISSUERS.filter((issuer) => issuer.clientId);
}

/** The redirect URI to register at the issuer. */
export function oidcCallbackUrl(env: Pick<Env, 'publicUrl'>): string {
  return `${env.publicUrl}/auth/oidc/callback`;
}

/** Where a browser starts signing in with an issuer: on PUBLIC_URL, the origin the callback returns to. */
export function oidcStartUrl(env: Pick<Env, 'publicUrl'>, key: string): string {
  return `${env.publicUrl}/auth/oidc/${key}/start`;
}

function issuerByKey(env: Env, key: string): OidcIssuerConfig {
  const config = webSignInIssuers(env).find((issuer) => issuer.key === key);
  if (!config) throw new OidcSignInFailed('unknown_issuer', `no issuer with key ${key.slice(0, 63)}`);
  return config;
}

/** Step 1: where to send the browser, and the state it must keep (in a cookie) for the callback. */
export async function startOidcSignIn(
  deps: AppDeps,
  key: string,
  clientAddress: string,
): Promise<{ authorizationUrl: string; state: string }> {
  const config = issuerByKey(deps.env, key);
  try {
    await assertRateLimit(deps, `oidc-start:${clientAddress}`, STARTS_PER_MINUTE_PER_ADDRESS, 60);
  } catch (error) {
    if (error instanceof AppError && error.code === 'RATE_LIMITED') throw new OidcSignInFailed('rate_limited');
    throw error;
  }
  const discovery = await discover(config).catch((error: Error) => {
    throw new OidcSignInFailed('unavailable', error.message);
  });
  const state = randomBytes(32).toString('base64url');
  const nonce = randomBytes(32).toString('base64url');
  const pkce = pkcePair();
  await deps.db.oidcSignIn.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - KEEP_ATTEMPTS_MS) } } });
  await deps.db.oidcSignIn.create({
    data: {
      id: newId('OidcSignIn'),
      issuerKey: config.key,
      stateHash: sha256Hex(state),
      nonce,
      codeVerifier: pkce.verifier,
      expiresAt: new Date(Date.now() + OIDC_STATE_TTL_SECONDS * 1000),
    },
  });
  const url = authorizationUrl(config, discovery, {
    redirectUri: oidcCallbackUrl(deps.env),
    state,
    nonce,
    codeChallenge: pkce.challenge,
  });
  return { authorizationUrl: url, state };
}

export interface CallbackParams {
  state: string | null;
  code: string | null;
  error: string | null;
}

/** Step 2: the issuer sent the browser back. Answers the one-time completion code. */
export async function finishOidcSignIn(
  deps: AppDeps,
  params: CallbackParams,
  cookieState: string | null,
  requestId: string,
): Promise<string> {
  if (!params.state || !cookieState || !sameSecret(params.state, cookieState)) {
    throw new OidcSignInFailed('state', cookieState ? 'state differs from the cookie' : 'no state cookie');
  }
  const attempt = await deps.db.oidcSignIn.findUnique({ where: { stateHash: sha256Hex(params.state) } });
  if (!attempt) throw new OidcSignInFailed('state', 'unknown state');
  const claimed = await deps.db.oidcSignIn.updateMany({
    where: { id: attempt.id, returnedAt: null },
    data: { returnedAt: new Date(), codeVerifier: null },
  });
  if (claimed.count === 0 || !attempt.codeVerifier) throw new OidcSignInFailed('used', 'state already used');
  if (attempt.expiresAt.getTime() <= Date.now()) throw new OidcSignInFailed('expired');
  if (params.error) {
    const code = params.error.replace(/[^\w.-]/g, '').slice(0, 64);
    throw new OidcSignInFailed(code === 'access_denied' ? 'denied' : 'issuer_error', `issuer answered error=${code}`);
  }
  if (!params.code) throw new OidcSignInFailed('issuer_error', 'no code in the callback');

  const config = issuerByKey(deps.env, attempt.issuerKey);
  const discovery = await discover(config).catch((error: Error) => {
    throw new OidcSignInFailed('unavailable', error.message);
  });
  const idToken = await exchangeCode(config, discovery, {
    code: params.code,
    redirectUri: oidcCallbackUrl(deps.env),
    codeVerifier: attempt.codeVerifier,
  }).catch((error: Error) => {
    throw new OidcSignInFailed('exchange', error.message);
  });
  const identity = await deps.externalIssuers.verifyIdToken(idToken, config.issuer, attempt.nonce).catch((error: Error) => {
    if (error instanceof IdTokenNonceMismatch) throw new OidcSignInFailed('nonce');
    throw new OidcSignInFailed('id_token', error.message);
  });

  const key = { oidcIssuer: identity.issuer, oidcSubject: identity.subject };
  const existed = await deps.db.user.findUnique({ where: { oidcIssuer_oidcSubject: key }, select: { id: true } });
  const user = await upsertExternalUser(deps, identity);
  if (!user.isActive) throw new OidcSignInFailed('deactivated', `user ${user.id}`);

  const completion = randomSecret(COMPLETION_PREFIX);
  await deps.db.$transaction(async (tx) => {
    await tx.oidcSignIn.update({
      where: { id: attempt.id },
      data: {
        userId: user.id,
        completionHash: sha256Hex(completion),
        completionExpiresAt: new Date(Date.now() + COMPLETION_TTL_MS),
        amr: identity.amr,
      },
    });
    await recordAudit(tx, {
      actorId: user.id,
      action: 'oidc.signedIn',
      targetType: 'User',
      targetId: user.id,
      requestId,
      details: { issuer: config.issuer, issuerKey: config.key, created: !existed, role: user.role },
    });
  });
  return completion;
}

const invalidCompletion = () => unauthenticated('This sign-in code is invalid, used or expired. Please sign in again.');

/** Step 3: the web app trades the completion code for a session (once, within minutes). */
export async function completeOidcSignIn(deps: AppDeps, code: string): Promise<AuthPayload> {
  if (!code.startsWith(COMPLETION_PREFIX) || code.length > 200) throw invalidCompletion();
  const attempt = await deps.db.oidcSignIn.findUnique({ where: { completionHash: sha256Hex(code) } });
  if (!attempt?.userId) throw invalidCompletion();
  const claimed = await deps.db.oidcSignIn.updateMany({
    where: { id: attempt.id, completedAt: null, completionExpiresAt: { gt: new Date() } },
    data: { completedAt: new Date() },
  });
  if (claimed.count === 0) throw invalidCompletion();
  const user = await deps.db.user.findUnique({ where: { id: attempt.userId } });
  if (!user) throw invalidCompletion();
  if (!user.isActive) throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');
  // The issuer's authentication methods (its `amr`), as an access token of that issuer would carry them.
  return startSession(deps, user, attempt.amr);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
