/**
 * Account erasure (README, "Deleting your account"): deleteAccount (the person, confirmed) and
 * adminDeleteUser (an ADMIN, audited). One transaction removes every row of the user (their own
 * tables cascade from users), gives usage records and audit rows a pseudonym instead of the user's
 * id, and queues the removal of their stored files (eraseStoredFiles), so a crash after the commit
 * leaves no orphan file and a failed transaction removes nothing. After the commit, running work is
 * told to stop (the cancel path's job change, the live engines' release).
 */
import { createHash } from 'node:crypto';
import type { AppDeps, Viewer } from '../context.ts';
import type { Prisma, Tx } from '../db/db.ts';
import { addJob, removeJobs, taskJobKey } from '../db/queue.ts';
import { AppError, badInput, conflict, forbidden, notFound } from '../errors.ts';
import { MAX_PASSWORD_LENGTH, verifyPassword } from '../security/passwords.ts';
import { recordAudit } from './audit.ts';
import { exportJobKey } from './datasetExports.ts';
import { jobKey, publishJobChange } from './jobs.ts';
import { aggregateJobKey, releaseDeletedSessions } from './liveSessions.ts';
import { assertSecondFactorRate } from './mfa/loginChallenge.ts';
import { checkSecondFactorCode } from './mfa/totp.ts';
import { assertRateLimit } from './rateLimit.ts';
import { deliveryJobKey } from './webhooks/emit.ts';

/** How recently a password-less account must have signed in at its issuer to delete itself. */
export const RECENT_SIGN_IN_SECONDS = 300;
const ERASE_FILES_MAX_ATTEMPTS = 25;

/** The stable stand-in for an erased user's id in usage records and audit rows. */
export function erasedUserPseudonym(userId: string): string {
  return `deleted:${createHash('sha256').update(`parlance-erased-user:${userId}`).digest('hex').slice(0, 24)}`;
}

export interface DeleteAccountInput {
  password?: string | null;
  code?: string | null;
}

/**
 * The person deletes their own account, confirming with their password, or with a second-factor
 * code (TOTP or recovery code) when they have one; a password-less (external sign-in) account
 * without a second factor confirms by a sign-in at its issuer within RECENT_SIGN_IN_SECONDS.
 */
export async function deleteAccount(deps: AppDeps, viewer: Viewer, input: DeleteAccountInput): Promise<boolean> {
  if (viewer.via === 'apiKey') throw forbidden('An account is deleted from a signed-in session, not with an API key.');
  await assertRateLimit(deps, `erase:${viewer.user.id}`, 5, 300);
  await confirmIdentity(deps, viewer, input);
  await eraseUser(deps, viewer.user.id, { actorId: null });
  return true;
}

/** An ADMIN erases another user (or themselves) with the same rules; the audit row names the admin. */
export async function adminDeleteUser(deps: AppDeps, viewer: Viewer, userId: string): Promise<boolean> {
  if (!viewer.isAdmin) throw forbidden();
  if (userId === viewer.user.id) throw badInput('Delete your own account from your account page (deleteAccount).', 'id');
  await eraseUser(deps, userId, { actorId: viewer.user.id });
  return true;
}

async function confirmIdentity(deps: AppDeps, viewer: Viewer, input: DeleteAccountInput): Promise<void> {
  const { user } = viewer;
  const password = input.password ?? '';
  const code = input.code?.trim() ?? '';
  if (password) {
    const ok = password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(user.passwordHash, password));
    if (!ok) throw new AppError('FORBIDDEN', 'The password is not correct.', { field: 'password' });
    return;
  }
  if (code) {
    // The second step's rule: TOTP or a recovery code (used up), under the same attempt limit.
    await assertSecondFactorRate(deps, user.id);
    if (!(await checkSecondFactorCode(deps, user, code))) {
      throw new AppError('FORBIDDEN', 'The code is not correct.', { field: 'code' });
    }
    return;
  }
  if (!user.passwordHash && viewer.authenticatedAt) {
    const age = (Date.now() - viewer.authenticatedAt.getTime()) / 1000;
    if (age <= RECENT_SIGN_IN_SECONDS) return;
    throw new AppError('FORBIDDEN', `Sign in again at your identity provider (within ${RECENT_SIGN_IN_SECONDS / 60} minutes) to delete the account.`, {
      reason: 'REAUTHENTICATE',
    });
  }
  throw badInput(user.passwordHash ? 'Confirm with your password or a second-factor code.' : 'Confirm with a second-factor code, or sign in again at your identity provider.', 'password');
}

interface ErasedRows {
  jobs: { id: string; ownerId: string; status: string }[];
  sessionIds: string[];
  activeSessionIds: string[];
}

/**
 * Erases one user. CONFLICT (nothing changed) while they are the only OWNER of a project, naming
 * those projects: ownership must be handed over (or the project deleted) first.
 */
async function eraseUser(deps: AppDeps, userId: string, actor: { actorId: string | null }): Promise<void> {
  const pseudonym = erasedUserPseudonym(userId);
  const erased = await deps.db.$transaction(
    async (tx) => {
      const [user] = await tx.$queryRaw<{ id: string; email: string | null; username: string }[]>`
        SELECT id, email, username FROM users WHERE id = ${userId} FOR UPDATE`;
      if (!user) throw notFound('User');
      await assertNotLastOwner(tx, userId);

      const jobs = await tx.job.findMany({ where: { ownerId: userId }, select: { id: true, ownerId: true, status: true } });
      const sessions = await tx.liveSession.findMany({ where: { ownerId: userId }, select: { id: true, status: true } });
      const uploads = await tx.upload.findMany({ where: { ownerId: userId }, select: { id: true } });
      // Dataset exports of projects they recorded for hold their voice: those archives go too.
      const exports = await tx.datasetExport.findMany({
        where: { project: { recordings: { some: { speakerId: userId } } } },
        select: { id: true },
      });
      const deliveries = await tx.webhookDelivery.findMany({ where: { endpoint: { ownerId: userId } }, select: { id: true } });

      await removeJobs(tx, [
        ...jobs.flatMap((job) => [jobKey(job.id), taskJobKey('translateJob', job.id)]),
        ...sessions.map((session) => aggregateJobKey(session.id)),
        ...exports.map((row) => exportJobKey(row.id)),
        ...deliveries.map((row) => deliveryJobKey(row.id)),
      ]);

      await pseudonymiseRecords(tx, user, pseudonym);
      await tx.datasetExport.deleteMany({ where: { id: { in: exports.map((row) => row.id) } } });
      await tx.projectInvitation.deleteMany({
        where: { OR: [{ invitedBy: userId }, ...(user.email ? [{ email: { equals: user.email, mode: 'insensitive' as const } }] : [])] },
      });
      await tx.projectInvitation.updateMany({ where: { acceptedBy: userId }, data: { acceptedBy: null } });
      if (user.email) await tx.outboxEmail.deleteMany({ where: { to: { equals: user.email, mode: 'insensitive' } } });
      await tx.$executeRaw`DELETE FROM rate_limits WHERE strpos(key, ${userId}) > 0`;
      await tx.$executeRaw`DELETE FROM login_throttles WHERE strpos(key, ${userId}) > 0`;
      // Everything else of theirs (jobs with segments, sessions with audio chunks and recordings,
      // uploads, keys, tokens, webhooks with deliveries, memberships, second factors) cascades.
      await tx.user.delete({ where: { id: userId } });

      await recordAudit(tx, {
        actorId: actor.actorId ?? pseudonym,
        action: 'user.deleted',
        targetType: 'User',
        targetId: pseudonym,
        details: { by: actor.actorId ? 'admin' : 'self', jobs: jobs.length, liveSessions: sessions.length },
      });
      await addJob(
        tx,
        'eraseStoredFiles',
        {
          prefixes: [
            ...jobs.map((job) => `jobs/${job.id}/`),
            ...sessions.map((session) => `sessions/${session.id}/`),
            ...exports.map((row) => `exports/${row.id}/`),
          ],
          uploadIds: uploads.map((upload) => upload.id),
        },
        { maxAttempts: ERASE_FILES_MAX_ATTEMPTS },
      );
      return {
        jobs,
        sessionIds: sessions.map((session) => session.id),
        activeSessionIds: sessions.filter((session) => session.status === 'ACTIVE').map((session) => session.id),
      } satisfies ErasedRows;
    },
    { timeout: 60_000 },
  );
  // Running work stops as a cancel would stop it; live engines here are released.
  for (const job of erased.jobs) {
    if (job.status === 'QUEUED' || job.status === 'PROCESSING') {
      await publishJobChange(deps, { id: job.id, ownerId: job.ownerId, status: 'CANCELLED', progress: 0 });
    }
  }
  await releaseDeletedSessions(deps, erased.activeSessionIds);
  deps.logger.info({ erasedUser: pseudonym, by: actor.actorId ?? 'self', jobs: erased.jobs.length, sessions: erased.sessionIds.length }, 'account erased');
}

async function assertNotLastOwner(tx: Tx, userId: string): Promise<void> {
  const soleOwned = await tx.$queryRaw<{ id: string; name: string }[]>`
    SELECT p.id, p.name FROM projects p
    JOIN project_members m ON m.project_id = p.id AND m.user_id = ${userId} AND m.role = 'OWNER'
    WHERE NOT EXISTS (
      SELECT 1 FROM project_members o WHERE o.project_id = p.id AND o.role = 'OWNER' AND o.user_id <> ${userId})
    ORDER BY p.name
    FOR UPDATE OF p`;
  if (soleOwned.length > 0) {
    throw new AppError(
      'CONFLICT',
      `Hand over or delete the projects you are the only owner of first: ${soleOwned.map((project) => project.name).join(', ')}.`,
      { projects: soleOwned.map((project) => ({ id: project.id, name: project.name })) },
    );
  }
}

/**
 * Usage records keep their numbers under the pseudonym; audit rows get it in place of the id, and
 * their details lose the id, email and username. The audit trigger allows exactly this inside the
 * transaction that names the user in parlance.erasing_user (migration 0015).
 */
async function pseudonymiseRecords(tx: Tx, user: { id: string; email: string | null; username: string }, pseudonym: string): Promise<void> {
  await tx.$executeRaw`UPDATE usage_records SET user_id = ${pseudonym} WHERE user_id = ${user.id}`;
  await tx.$executeRaw`UPDATE chat_usage_records SET user_id = ${pseudonym} WHERE user_id = ${user.id}`;
  await tx.$executeRaw`SELECT set_config('parlance.erasing_user', ${user.id}, true)`;
  const rows = await tx.$queryRaw<{ id: string; actor_id: string | null; target_id: string | null; details: unknown }[]>`
    SELECT id, actor_id, target_id, details FROM audit_log
    WHERE actor_id = ${user.id} OR target_id = ${user.id} OR strpos(details::text, ${user.id}) > 0
       OR (${user.email}::text IS NOT NULL AND strpos(lower(details::text), lower(${user.email}::text)) > 0)`;
  const personal = [user.id, user.email, user.username].filter((value): value is string => Boolean(value));
  for (const row of rows) {
    const details = scrubbed(row.details, user.id, personal, pseudonym) as Prisma.InputJsonValue;
    await tx.$executeRaw`
      UPDATE audit_log SET
        actor_id = CASE WHEN actor_id = ${user.id} THEN ${pseudonym} ELSE actor_id END,
        target_id = CASE WHEN target_id = ${user.id} THEN ${pseudonym} ELSE target_id END,
        details = ${JSON.stringify(details)}::jsonb
      WHERE id = ${row.id}`;
  }
  await tx.$executeRaw`SELECT set_config('parlance.erasing_user', '', true)`;
}

/** A JSON value with every string that is (or holds) the user's id, or equals their email or username, replaced. */
function scrubbed(value: unknown, userId: string, personal: string[], pseudonym: string): unknown {
  if (typeof value === 'string') {
    if (personal.some((item) => item.toLowerCase() === value.toLowerCase())) return pseudonym;
    return value.includes(userId) ? value.split(userId).join(pseudonym) : value;
  }
  if (Array.isArray(value)) return value.map((item) => scrubbed(item, userId, personal, pseudonym));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubbed(item, userId, personal, pseudonym)]));
  }
  return value;
}
