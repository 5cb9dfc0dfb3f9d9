/**
 * Turns the credentials of a request (Authorization: Bearer <JWT | API key>, or x-api-key) into a
 * Viewer. No credentials: null (anonymous). Credentials that do not check out: UNAUTHENTICATED, so
 * a client with a stale token learns it at once instead of silently acting anonymously.
 * The user row is re-read on every request, so deactivation and role changes apply immediately.
 */
import { decodeJwt } from 'jose';
import type { AppDeps, Viewer } from '../context.ts';
import type { ApiKeyScope, User } from '../db/db.ts';
import { AppError, unauthenticated } from '../errors.ts';
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

export async function resolveViewer(deps: AppDeps, credential: string | null): Promise<Viewer | null> {
  if (!credential) return null;
  if (credential.startsWith(API_KEY_PREFIX)) {
    const found = await authenticateApiKey(deps, credential);
    if (!found) throw unauthenticated('API key is invalid, expired or revoked.');
    return applyAdminMfaPolicy(deps, makeViewer(activeUser(found.user), 'apiKey', new Set(found.apiKey.scopes), found.apiKey.id), []);
  }
  return viewerFromJwt(deps, credential);
}

async function viewerFromJwt(deps: AppDeps, token: string): Promise<Viewer> {
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw unauthenticated('Access token is malformed.');
  }
  if (issuer === deps.accessTokens.issuer) {
    const claims = await deps.accessTokens.verify(token).catch(() => {
      throw unauthenticated('Access token is invalid or expired.');
    });
    const user = await deps.db.user.findUnique({ where: { id: claims.sub } });
    return applyAdminMfaPolicy(deps, makeViewer(activeUser(user), 'session', everyScope, null), claims.amr);
  }
  if (typeof issuer === 'string' && deps.externalIssuers.handles(issuer)) {
    const identity = await deps.externalIssuers.verify(token, issuer).catch((error: unknown) => {
      deps.logger.debug({ err: error, issuer }, 'external token rejected');
      throw unauthenticated('Access token is invalid or expired.');
    });
    const user = await upsertExternalUser(deps, identity);
    return applyAdminMfaPolicy(deps, makeViewer(activeUser(user), 'external', everyScope, null), decodeJwt(token).amr);
  }
  throw unauthenticated('Access token is invalid or expired.');
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
