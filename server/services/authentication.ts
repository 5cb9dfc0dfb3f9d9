/**
 * Turns the credentials of a request (Authorization: Bearer <JWT | API key>, or x-api-key) into a
 * Viewer. No credentials: null (anonymous). Credentials that do not check out: UNAUTHENTICATED, so
 * a client with a stale token learns it at once instead of silently acting anonymously.
 * The user row is re-read on every request, so deactivation and role changes apply immediately;
 * for this server's access tokens it may come from the user cache, which forgets a row the moment it
 * changes in any process (services/userCache.ts).
 */
import { decodeJwt, type JWTPayload } from 'jose';
import type { AppDeps, Viewer } from '../context.ts';
import type { ApiKeyScope, User } from '../db/db.ts';
import { AppError, unauthenticated } from '../errors.ts';
import type { AccessTokenClaims } from '../security/jwt.ts';
import { API_KEY_PREFIX, authenticateApiKey } from './apiKeys.ts';
import { upsertExternalUser } from './externalUsers.ts';
import { applyAdminMfaPolicy } from './mfa/adminPolicy.ts';

const everyScope: ReadonlySet<ApiKeyScope> = new Set(['READ', 'WRITE', 'ADMIN']);

export function credentialFrom(headers: { authorization?: string | null; apiKey?: string | null }): string | null {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) throw unauthenticated('Authorization header must be "Bearer <token>".');
    return match[1];
  }
  return headers.apiKey?.trim() || null;
}

/**
 * `streaming`: whether a streaming token (one live session's audio, README "Streaming tokens for
 * browsers") is acceptable here. Only the GraphQL transports accept one; file downloads and uploads
 * answer it UNAUTHENTICATED.
 */
export async function resolveViewer(deps: AppDeps, credential: string | null, options: { streaming?: boolean } = {}): Promise<Viewer | null> {
  if (!credential) return null;
  if (credential.startsWith(API_KEY_PREFIX)) {
    const found = await authenticateApiKey(deps, credential);
    if (!found) throw unauthenticated('API key is invalid, expired or revoked.');
    return applyAdminMfaPolicy(deps, makeViewer(activeUser(found.user), 'apiKey', new Set(found.apiKey.scopes), found.apiKey.id), []);
  }
  return viewerFromJwt(deps, credential, options.streaming === true);
}

async function viewerFromJwt(deps: AppDeps, token: string, streamingAllowed: boolean): Promise<Viewer> {
  // A token verified before (most requests) needs no decoding.
  const known = deps.accessTokens.knownClaims(token);
  if (known) return sessionViewer(deps, known);
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw unauthenticated('Access token is malformed.');
  }
  const issuer = claims.iss;
  if (issuer === deps.accessTokens.issuer && claims.aud === deps.accessTokens.streamingAudience) {
    if (!streamingAllowed) throw unauthenticated('A streaming token only works for its live session over /graphql.');
    return streamingViewer(deps, token);
  }
  if (issuer === deps.accessTokens.issuer) {
    const claims = await deps.accessTokens.verify(token).catch(() => {
      throw unauthenticated('Access token is invalid or expired.');
    });
    return sessionViewer(deps, claims);
  }
  if (typeof issuer === 'string' && deps.externalIssuers.handles(issuer)) {
    const identity = await deps.externalIssuers.verify(token, issuer).catch((error: unknown) => {
      deps.logger.debug({ err: error, issuer }, 'external token rejected');
      throw unauthenticated('Access token is invalid or expired.');
    });
    const user = await upsertExternalUser(deps, identity);
    // The token checked out above, so its claims can be read as they are.
    const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : claims.iat;
    const viewer = { ...makeViewer(activeUser(user), 'external', everyScope, null), authenticatedAt: authTime ? new Date(authTime * 1000) : null };
    return applyAdminMfaPolicy(deps, viewer, claims.amr);
  }
  throw unauthenticated('Access token is invalid or expired.');
}

/** The viewer behind one of our verified access tokens. */
async function sessionViewer(deps: AppDeps, claims: AccessTokenClaims): Promise<Viewer> {
  const user = activeUser(await sessionUser(deps, claims.sub));
  // A password reset or change bumps the version: every access token issued before stops working.
  if ((claims.ver ?? 0) !== user.tokenVersion) {
    throw unauthenticated('Access token was issued before the account\'s sessions were ended (password reset or change): sign in again.');
  }
  return applyAdminMfaPolicy(deps, { ...makeViewer(user, 'session', everyScope, null), sessionId: claims.sid ?? null }, claims.amr);
}

/**
 * A streaming token's viewer: the person who minted it, limited to one live session. It stops
 * working when the session is no longer ACTIVE, or its minter may no longer send audio to it.
 */
async function streamingViewer(deps: AppDeps, token: string): Promise<Viewer> {
  const claims = await deps.accessTokens.verifyStreaming(token).catch(() => {
    throw unauthenticated('Streaming token is invalid or expired.');
  });
  const user = activeUser(await deps.db.user.findUnique({ where: { id: claims.sub } }));
  const session = await deps.db.liveSession.findUnique({ where: { id: claims.sid }, select: { ownerId: true, status: true } });
  if (!session || (session.ownerId !== user.id && user.role !== 'ADMIN')) throw unauthenticated('Streaming token is invalid or expired.');
  if (session.status !== 'ACTIVE') throw unauthenticated('The live session of this streaming token has ended.');
  if ((claims.ver ?? 0) !== user.tokenVersion) throw unauthenticated('Streaming token was issued before the account\'s sessions were ended.');
  return {
    user,
    via: 'streaming',
    scopes: new Set(),
    apiKeyId: null,
    isAdmin: false,
    canWrite: false,
    streamingSessionId: claims.sid,
  };
}

function sessionUser(deps: AppDeps, userId: string): Promise<User | null> {
  const read = () => deps.db.user.findUnique({ where: { id: userId } });
  return deps.userCache ? deps.userCache.user(userId, read) : read();
}

function activeUser(user: User | null): User {
  if (!user) throw unauthenticated('Access token is invalid or expired.');
  if (!user.isActive) throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');
  return user;
}

function makeViewer(user: User, via: Viewer['via'], scopes: ReadonlySet<ApiKeyScope>, apiKeyId: string | null): Viewer {
  return {
    user,
    via,
    scopes,
    apiKeyId,
    isAdmin: user.role === 'ADMIN' && scopes.has('ADMIN'),
    canWrite: scopes.has('WRITE') || scopes.has('ADMIN'),
  };
}
