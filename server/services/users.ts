import type { AppDeps, Viewer } from '../context.ts';
import type { Role, User } from '../db/db.ts';
import { AppError, badInput, notFound } from '../errors.ts';
import { recordAudit } from './audit.ts';
import { clearAccountThrottle } from './loginThrottle.ts';
import { revokeAllSessions } from './sessions.ts';

export async function setUserRole(deps: AppDeps, viewer: Viewer, userId: string, role: Role): Promise<User> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound('User');
  if (user.id === viewer.user.id && role !== 'ADMIN') {
    throw badInput('You cannot remove your own admin role; ask another admin.', 'role');
  }
  return deps.db.$transaction(async (tx) => {
    const updated = await tx.user.update({ where: { id: userId }, data: { role } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'user.roleChanged',
      targetType: 'User',
      targetId: userId,
      details: { previous: user.role, role },
    });
    return updated;
  });
}

/** Deactivation takes effect on the user's next request: tokens and keys are checked against this flag. */
export async function setUserActive(deps: AppDeps, viewer: Viewer, userId: string, active: boolean): Promise<User> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound('User');
  if (user.id === viewer.user.id && !active) throw badInput('You cannot deactivate yourself.', 'active');
  const updated = await deps.db.$transaction(async (tx) => {
    const row = await tx.user.update({ where: { id: userId }, data: { isActive: active } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: active ? 'user.activated' : 'user.deactivated',
      targetType: 'User',
      targetId: userId,
      details: { previous: user.isActive, active },
    });
    return row;
  });
  if (!active) await revokeAllSessions(deps, userId);
  return updated;
}

/** Clears the failed-login blocks of the account (README, security notes); audited. */
export async function unlockUser(deps: AppDeps, viewer: Viewer, userId: string): Promise<User> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound('User');
  const cleared = await clearAccountThrottle(deps.db, userId);
  await recordAudit(deps.db, {
    actorId: viewer.user.id,
    action: 'user.unlocked',
    targetType: 'User',
    targetId: userId,
    details: { clearedCounters: cleared },
  });
  return user;
}

/** Makes the user with this username or email an admin; used by the CLI. */
export async function promoteUser(deps: Pick<AppDeps, 'db'>, login: string): Promise<User> {
  const key = login.trim().toLowerCase();
  const user = await deps.db.user.findFirst({ where: key.includes('@') ? { email: key } : { username: key } });
  if (!user) throw notFound('User');
  return deps.db.user.update({ where: { id: user.id }, data: { role: 'ADMIN' } });
}

/**
 * `user:promote` without an argument: the operator vouches for the ADMIN_EMAILS addresses of
 * registered users (registration alone never makes anyone admin). Returns the addresses without a user.
 */
export async function promoteListedUsers(
  deps: Pick<AppDeps, 'db'>,
  emails: string[],
): Promise<{ promoted: User[]; missing: string[] }> {
  const promoted: User[] = [];
  const missing: string[] = [];
  for (const email of emails) {
    try {
      promoted.push(await promoteUser(deps, email));
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
      missing.push(email.trim().toLowerCase());
    }
  }
  return { promoted, missing };
}
