/**
 * Password reset by email (README, "Passwords: reset, change, breached list").
 *
 * Asking (`requestPasswordReset`) answers true whatever the address, and does the same work either way:
 * two rate-limit buckets, one lookup, one queued `sendPasswordReset` job naming the account (an active
 * one with a password) or none. The job, a second later, writes the password_resets row, makes the
 * token and mails the link (services/mail.ts), so neither the database writes nor SMTP's latency reach
 * the answer, and no secret sits in a job payload; a job naming no account ends at once.
 *
 * Using a link (`resetPassword`) sets the password, ends every login of the account (refresh tokens of
 * every family; access tokens through the user's token version, which live subscriptions re-check at
 * each event), and proves the address the link went to. API keys stay: see README.
 */
import type { AppDeps, CoreDeps, RequestMeta } from '../context.ts';
import { AppError, badInput } from '../errors.ts';
import { newId } from '../ids.ts';
import { addJob, taskJobKey } from '../db/queue.ts';
import { hashPassword, passwordProblem } from '../security/passwords.ts';
import { randomSecret, sha256Hex } from '../security/tokens.ts';
import { recordAudit } from './audit.ts';
import { markEmailVerified } from './emailVerification.ts';
import { clearAccountThrottle } from './loginThrottle.ts';
import { sendEmail } from './mail.ts';
import { assertRateLimit } from './rateLimit.ts';
import { endOtherSessionsLocked } from './sessions.ts';
import { normaliseEmail } from './validation.ts';

const TOKEN_PREFIX = 'rpw_';
const MAX_TOKEN_LENGTH = 200;
const HOUR_SECONDS = 3600;
/**
 * The mail job waits this long, so its work (token, SMTP, outbox) never overlaps the request that asked
 * for it, even when the worker shares the API's process: the answer's timing owes nothing to the mail.
 */
const MAIL_DELAY_MS = 1000;

/** Where the emailed link leads: the web app's page, the token in the fragment (never sent to a server). */
export function passwordResetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/admin/reset-password#token=${token}`;
}

export const passwordResetRateKeys = {
  client: (clientAddress: string) => `password-reset:client:${clientAddress}`,
  email: (email: string) => `password-reset:email:${sha256Hex(email)}`,
};

/**
 * Always true (or RATE_LIMITED, which depends on the requests, never on the account). Limits:
 * PASSWORD_RESETS_PER_CLIENT_PER_HOUR per client address, PASSWORD_RESETS_PER_EMAIL_PER_HOUR per address.
 * Known address or not, the work is the same: two buckets, one lookup, one queued job (whose payload
 * names the account, or none); the job makes the row, the token and the mail.
 */
export async function requestPasswordReset(deps: CoreDeps, rawEmail: string, meta: RequestMeta): Promise<true> {
  const email = normaliseEmail(rawEmail);
  await assertRateLimit(deps, passwordResetRateKeys.client(meta.clientAddress), deps.env.PASSWORD_RESETS_PER_CLIENT_PER_HOUR, HOUR_SECONDS);
  await assertRateLimit(deps, passwordResetRateKeys.email(email), deps.env.PASSWORD_RESETS_PER_EMAIL_PER_HOUR, HOUR_SECONDS);
  const user = await deps.db.user.findUnique({ where: { email }, select: { id: true, isActive: true, passwordHash: true } });
  const resetId = newId('PasswordReset');
  const userId = user?.isActive && user.passwordHash !== null ? user.id : null;
  await addJob(deps.db, 'sendPasswordReset', { resetId, userId }, {
    maxAttempts: 5,
    jobKey: taskJobKey('sendPasswordReset', resetId),
    delayMs: MAIL_DELAY_MS,
  });
  return true;
}

/**
 * The `sendPasswordReset` task's work: for an active account with a password and an address, writes
 * the reset row with the hash of a new token and mails the link, once (a retry finds the row and
 * stops). Audited as `password.resetRequested`. No account: nothing.
 */
export async function sendPasswordResetEmail(deps: CoreDeps, payload: { resetId: string; userId: string | null }): Promise<void> {
  const { resetId, userId } = payload;
  if (!userId) return;
  const token = randomSecret(TOKEN_PREFIX);
  const reset = await deps.db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true, username: true, isActive: true, passwordHash: true } });
    if (!user?.isActive || !user.email || user.passwordHash === null) return null;
    if (await tx.passwordReset.findUnique({ where: { id: resetId }, select: { id: true } })) return null;
    const now = new Date();
    const row = await tx.passwordReset.create({
      data: {
        id: resetId,
        userId,
        email: user.email,
        tokenHash: sha256Hex(token),
        sentAt: now,
        expiresAt: new Date(now.getTime() + deps.env.PASSWORD_RESET_TTL_MINUTES * 60_000),
      },
    });
    await recordAudit(tx, {
      actorId: null,
      action: 'password.resetRequested',
      targetType: 'User',
      targetId: userId,
      details: { passwordResetId: row.id, expiresAt: row.expiresAt.toISOString() },
    });
    return { ...row, username: user.username };
  });
  if (!reset) return;
  await sendEmail(deps, {
    to: reset.email,
    subject: 'Reset your Parlance password',
    text: resetEmailText({ username: reset.username, link: passwordResetLink(deps.env.publicUrl, token), token, expiresAt: reset.expiresAt }),
    secrets: [token],
  });
}

function resetEmailText(args: { username: string; link: string; token: string; expiresAt: Date }): string {
  return [
    `Hello ${args.username},`,
    '',
    'someone (we hope you) asked to reset the password of your Parlance account. Choose a new one here:',
    '',
    args.link,
    '',
    `The link works once and expires at ${args.expiresAt.toISOString()}. If you did not ask for it, ignore`,
    'this message: your password stays as it is.',
    '',
    'Setting a new password signs you out everywhere. API keys keep working: review them on your',
    'account page if you think someone else used your account.',
    '',
    'Over the GraphQL API instead:',
    `mutation { resetPassword(token: "${args.token}", newPassword: "...") }`,
    '',
  ].join('\n');
}

const linkRefused = (reason: 'UNKNOWN' | 'USED' | 'EXPIRED', message: string) =>
  new AppError('BAD_USER_INPUT', message, { field: 'token', reason });

/**
 * Sets a new password with a mailed token. Errors (BAD_USER_INPUT, `extensions.reason` UNKNOWN, USED or
 * EXPIRED; field `newPassword` for a refused password, which leaves the link usable).
 */
export async function resetPassword(deps: AppDeps, rawToken: string, newPassword: string): Promise<true> {
  const token = rawToken.trim();
  const unknown = () => linkRefused('UNKNOWN', 'This password reset link is not valid: ask for a new one.');
  if (!token.startsWith(TOKEN_PREFIX) || token.length > MAX_TOKEN_LENGTH) throw unknown();
  const tokenHash = sha256Hex(token);
  const found = await deps.db.passwordReset.findUnique({ where: { tokenHash }, include: { user: true } });
  if (!found) throw unknown();
  if (found.usedAt) throw linkRefused('USED', 'This password reset link was already used: ask for a new one.');
  if (found.expiresAt <= new Date()) throw linkRefused('EXPIRED', 'This password reset link has expired: ask for a new one.');
  if (!found.user.isActive) throw new AppError('FORBIDDEN', 'This account is deactivated.');
  const problem = passwordProblem(newPassword, found.user.username, found.user.email ?? '');
  if (problem) throw badInput(problem, 'newPassword');
  const passwordHash = await hashPassword(newPassword);

  const userId = found.userId;
  await deps.db.$transaction(async (tx) => {
    const now = new Date();
    const claimed = await tx.passwordReset.updateMany({
      where: { id: found.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count === 0) throw linkRefused('USED', 'This password reset link was already used: ask for a new one.');
    // The account's other links stop working too: one reset per mailbox visit.
    await tx.passwordReset.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } });
    const user = await tx.user.update({ where: { id: userId }, data: { passwordHash, tokenVersion: { increment: 1 } } });
    // Opening the link proved the address it was sent to, when the account still has that address.
    const proves = user.email === found.email && !user.emailVerifiedAt;
    if (proves) await markEmailVerified(deps, tx, user, 'link');
    const ended = await endOtherSessionsLocked(tx, userId, null);
    await recordAudit(tx, {
      actorId: userId,
      action: 'password.reset',
      targetType: 'User',
      targetId: userId,
      details: { passwordResetId: found.id, emailVerified: proves },
    });
    await recordAudit(tx, {
      actorId: userId,
      action: 'sessions.revoked',
      targetType: 'User',
      targetId: userId,
      details: { reason: 'password.reset', sessions: ended },
    });
  });
  // Whoever holds the mailbox may sign in again at once, even from an address that failed before.
  await clearAccountThrottle(deps.db, userId);
  return true;
}
