import type { AppDeps, RequestMeta } from '../context.ts';
import type { User } from '../db.ts';
import { AppError, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import { randomSecret, sha256Hex } from '../security/tokens.ts';

const REFRESH_PREFIX = 'prt_';

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  user: User;
}

/** Starts a token family: a fresh access token and the first refresh token of a new family. */
export async function startSession(deps: AppDeps, user: User, familyId = newId('RefreshToken')): Promise<AuthPayload> {
  const refreshToken = randomSecret(REFRESH_PREFIX);
  await deps.db.refreshToken.create({
    data: {
      id: newId('RefreshToken'),
      userId: user.id,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + deps.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    },
  });
  const access = await deps.accessTokens.issue(user.id);
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
}

const invalidRefresh = () => unauthenticated('Refresh token is invalid or expired.');

/**
 * Rotates a refresh token: the presented one is marked used and a new one of the same family is
 * returned. Presenting a used token again means it leaked, so the whole family is revoked.
 * The mark is a conditional UPDATE, so of two concurrent refreshes exactly one wins.
 */
export async function refreshSession(deps: AppDeps, presented: string, meta: RequestMeta): Promise<AuthPayload> {
  const tokenHash = sha256Hex(presented);
  const claimed = await deps.db.refreshToken.updateManyAndReturn({
    where: { tokenHash, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  if (claimed.length === 0) {
    const known = await deps.db.refreshToken.findUnique({ where: { tokenHash } });
    if (known && known.usedAt && !known.revokedAt) {
      await revokeFamily(deps, known.familyId);
      deps.logger.warn(
        { requestId: meta.requestId, userId: known.userId, familyId: known.familyId },
        'refresh token reused; family revoked',
      );
    }
    throw invalidRefresh();
  }
  const token = claimed[0];
  const user = await deps.db.user.findUnique({ where: { id: token.userId } });
  if (!user) throw invalidRefresh();
  if (!user.isActive) {
    await revokeFamily(deps, token.familyId);
    throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');
  }
  return startSession(deps, user, token.familyId);
}

export async function logout(deps: AppDeps, presented: string): Promise<boolean> {
  const token = await deps.db.refreshToken.findUnique({ where: { tokenHash: sha256Hex(presented) } });
  if (!token) return false;
  await revokeFamily(deps, token.familyId);
  return true;
}

async function revokeFamily(deps: AppDeps, familyId: string): Promise<void> {
  await deps.db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function revokeAllSessions(deps: AppDeps, userId: string): Promise<void> {
  await deps.db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}
