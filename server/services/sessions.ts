import type { AppDeps, RequestMeta } from '../context.ts';
import type { Prisma, User } from '../db/db.ts';
import { AppError, unauthenticated } from '../errors.ts';
import { newId } from '../ids.ts';
import { randomSecret, sha256Hex } from '../security/tokens.ts';

const REFRESH_PREFIX = 'prt_';

type Tx = Prisma.TransactionClient;

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  user: User;
}

/**
 * Starts a token family: a fresh access token and the first refresh token of a new family. `amr` says
 * how the login was authenticated (RFC 8176: "pwd", "otp", "mfa", ...); every access token of the
 * family carries it, refreshed ones too.
 */
export async function startSession(deps: AppDeps, user: User, amr: readonly string[] = ['pwd']): Promise<AuthPayload> {
  const familyId = newId('RefreshToken');
  const refreshToken = await createRefreshToken(deps.db, deps, user.id, familyId, amr);
  return issueAccess(deps, user, refreshToken, amr, familyId);
}

async function createRefreshToken(db: Tx, deps: AppDeps, userId: string, familyId: string, amr: readonly string[]): Promise<string> {
  const refreshToken = randomSecret(REFRESH_PREFIX);
  await db.refreshToken.create({
    data: {
      id: newId('RefreshToken'),
      userId,
      familyId,
      amr: [...amr],
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + deps.env.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    },
  });
  return refreshToken;
}

// The token names its login (sid) and the user's token version (ver): a password reset or change bumps
// the version, and authentication refuses tokens of an older one (services/authentication.ts).
async function issueAccess(
  deps: AppDeps,
  user: User,
  refreshToken: string,
  amr: readonly string[],
  familyId: string,
): Promise<AuthPayload> {
  const access = await deps.accessTokens.issue(user.id, amr, { sid: familyId, ver: user.tokenVersion });
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, user };
}

const invalidRefresh = () => unauthenticated('Refresh token is invalid or expired.');

/**
 * Rotates a refresh token: the presented one is marked used and a new one of the same family is
 * returned. Presenting a used token again means it leaked, so the whole family is revoked.
 * Rotation and revocation of one family are serialised by a transaction-scoped advisory lock, so
 * of two concurrent refreshes exactly one wins, and a revocation always covers the successor a
 * concurrent rotation creates (without the lock that successor could be inserted just after the
 * revoking UPDATE took its snapshot, and outlive its family's revocation).
 */
export async function refreshSession(deps: AppDeps, presented: string, meta: RequestMeta): Promise<AuthPayload> {
  const tokenHash = sha256Hex(presented);
  const known = await deps.db.refreshToken.findUnique({ where: { tokenHash } });
  if (!known) throw invalidRefresh();
  const outcome = await deps.db.$transaction(async (tx) => {
    await lockFamily(tx, known.familyId);
    const claimed = await tx.refreshToken.updateMany({
      where: { id: known.id, usedAt: null, revokedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (claimed.count === 0) {
      const current = await tx.refreshToken.findUnique({ where: { id: known.id } });
      if (current?.usedAt && !current.revokedAt) {
        await revokeFamilyLocked(tx, known.familyId);
        return { kind: 'reused' as const };
      }
      return { kind: 'invalid' as const };
    }
    const user = await tx.user.findUnique({ where: { id: known.userId } });
    if (!user) return { kind: 'invalid' as const };
    if (!user.isActive) {
      await revokeFamilyLocked(tx, known.familyId);
      return { kind: 'inactive' as const };
    }
    const refreshToken = await createRefreshToken(tx, deps, user.id, known.familyId, known.amr);
    return { kind: 'rotated' as const, user, refreshToken, amr: known.amr };
  });
  if (outcome.kind === 'reused') {
    deps.logger.warn(
      { requestId: meta.requestId, userId: known.userId, familyId: known.familyId },
      'refresh token reused; family revoked',
    );
  }
  if (outcome.kind === 'inactive') throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');
  if (outcome.kind !== 'rotated') throw invalidRefresh();
  return issueAccess(deps, outcome.user, outcome.refreshToken, outcome.amr, known.familyId);
}

export async function logout(deps: AppDeps, presented: string): Promise<boolean> {
  const token = await deps.db.refreshToken.findUnique({ where: { tokenHash: sha256Hex(presented) } });
  if (!token) return false;
  await revokeFamily(deps, token.familyId);
  return true;
}

async function revokeFamily(deps: AppDeps, familyId: string): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    await lockFamily(tx, familyId);
    await revokeFamilyLocked(tx, familyId);
  });
}

async function lockFamily(tx: Tx, familyId: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`parlance:refresh-family:${familyId}`}))`;
}

async function revokeFamilyLocked(tx: Tx, familyId: string): Promise<void> {
  await tx.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: new Date() } });
}

export async function revokeAllSessions(deps: AppDeps, userId: string): Promise<void> {
  await deps.db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
}

/**
 * Ends every login of the user but `keepFamilyId`'s, in the caller's transaction: each live family is
 * locked before it is revoked, so a rotation running concurrently cannot leave a successor behind.
 * Returns how many logins were ended.
 */
export async function endOtherSessionsLocked(tx: Tx, userId: string, keepFamilyId: string | null): Promise<number> {
  const live = await tx.refreshToken.findMany({
    where: { userId, revokedAt: null, ...(keepFamilyId ? { familyId: { not: keepFamilyId } } : {}) },
    select: { familyId: true },
    distinct: ['familyId'],
    orderBy: { familyId: 'asc' },
  });
  for (const { familyId } of live) {
    await lockFamily(tx, familyId);
    await revokeFamilyLocked(tx, familyId);
  }
  return live.length;
}

/**
 * Hands the current login (`familyId`) a fresh token pair after the user's token version changed (in
 * the caller's transaction; `user` as updated): the family's live refresh token is replaced by a new
 * one (the old one is revoked, not used, so presenting it later is refused without ending the family).
 * A family with no live token any more (logged out meanwhile) becomes a new login with the same amr.
 */
export async function renewSessionLocked(tx: Tx, deps: AppDeps, user: User, familyId: string | null): Promise<AuthPayload> {
  const current = familyId
    ? await tx.refreshToken.findFirst({ where: { familyId, userId: user.id, revokedAt: null }, orderBy: { createdAt: 'desc' } })
    : null;
  const amr = current?.amr ?? ['pwd'];
  const keptFamily = current ? current.familyId : newId('RefreshToken');
  if (current) {
    await lockFamily(tx, keptFamily);
    await revokeFamilyLocked(tx, keptFamily);
  }
  const refreshToken = await createRefreshToken(tx, deps, user.id, keptFamily, amr);
  return issueAccess(deps, user, refreshToken, amr, keptFamily);
}
