/**
 * Email verification (README, "Email verification"): a single-use link mailed at registration and
 * on request, of which only the SHA-256 is stored. A verified address is what ADMIN_EMAILS and
 * project invitations go by, and, under REQUIRE_EMAIL_VERIFICATION, what lets an account submit work.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Prisma, User } from '../db/db.ts';
import { AppError, badInput, conflict } from '../errors.ts';
import { randomSecret, sha256Hex } from '../security/tokens.ts';
import { recordAudit } from './audit.ts';
import { sendEmail } from './mail.ts';
import { assertRateLimit } from './rateLimit.ts';

const TOKEN_PREFIX = 'vfy_';
const MAX_TOKEN_LENGTH = 200;

/** Where the emailed link leads: the web app's page, the token in the fragment (never sent to a server). */
export function verificationLink(publicUrl: string, token: string): string {
  return `${publicUrl}/admin/verify-email#token=${token}`;
}

/**
 * Mails a new verification link to the user's address; earlier unused links of the account stop
 * working. Audited (`user.emailVerificationSent`).
 */
export async function sendVerificationEmail(deps: CoreDeps, user: Pick<User, 'id' | 'username' | 'email'>, reason: 'registered' | 'resent'): Promise<void> {
  if (!user.email) throw badInput('This account has no email address to verify.');
  const token = randomSecret(TOKEN_PREFIX);
  const expiresAt = new Date(Date.now() + deps.env.EMAIL_VERIFICATION_TTL_HOURS * 3_600_000);
  await deps.db.$transaction(async (tx) => {
    await tx.emailVerificationToken.deleteMany({ where: { userId: user.id, usedAt: null } });
    await tx.emailVerificationToken.create({ data: { tokenHash: sha256Hex(token), userId: user.id, email: user.email!, expiresAt } });
    await recordAudit(tx, { actorId: user.id, action: 'user.emailVerificationSent', targetType: 'User', targetId: user.id, details: { reason } });
  });
  const link = verificationLink(deps.env.publicUrl, token);
  await sendEmail(deps, {
    to: user.email,
    subject: 'Confirm your email address for Parlance',
    text: [
      `Hello ${user.username},`,
      '',
      `please confirm that ${user.email} is your address by opening this link:`,
      '',
      link,
      '',
      `The link works once and expires at ${expiresAt.toISOString()}. If you did not create an account on`,
      'Parlance, ignore this message.',
      '',
      'Over the GraphQL API instead:',
      `mutation { verifyEmail(token: "${token}") { email } }`,
      '',
    ].join('\n'),
    secrets: [token],
  });
}

/** resendVerification: a new link for the signed-in user, at most VERIFICATION_EMAILS_PER_HOUR an hour. */
export async function resendVerification(deps: AppDeps, viewer: Viewer): Promise<boolean> {
  const user = viewer.user;
  if (!user.email) throw badInput('This account has no email address to verify.');
  if (user.emailVerifiedAt) throw conflict('Your email address is already verified.');
  await assertRateLimit(deps, `verification-email:${user.id}`, deps.env.VERIFICATION_EMAILS_PER_HOUR, 3600);
  await sendVerificationEmail(deps, user, 'resent');
  return true;
}

const tokenRefused = (code: 'NOT_FOUND' | 'BAD_USER_INPUT', reason: 'UNKNOWN' | 'USED' | 'EXPIRED', message: string) =>
  new AppError(code, message, { reason, ...(code === 'BAD_USER_INPUT' ? { field: 'token' } : {}) });

/**
 * Verifies the address a link was sent to. Errors: an unknown token (or one replaced by a newer link,
 * or sent to an address the account no longer has) NOT_FOUND; a used or expired one BAD_USER_INPUT;
 * `extensions.reason` says which (UNKNOWN, USED, EXPIRED).
 */
export async function verifyEmail(deps: CoreDeps, rawToken: string): Promise<{ email: string; user: User }> {
  const token = rawToken.trim();
  const unknown = () => tokenRefused('NOT_FOUND', 'UNKNOWN', 'This verification link is unknown or was replaced by a newer one.');
  if (!token.startsWith(TOKEN_PREFIX) || token.length > MAX_TOKEN_LENGTH) throw unknown();
  const tokenHash = sha256Hex(token);
  return deps.db.$transaction(async (tx) => {
    const row = await tx.emailVerificationToken.findUnique({ where: { tokenHash }, include: { user: true } });
    if (!row || row.user.email !== row.email) throw unknown();
    const { count } = await tx.emailVerificationToken.updateMany({
      where: { tokenHash, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (count === 0) {
      if (row.usedAt || row.user.emailVerifiedAt) {
        throw tokenRefused('BAD_USER_INPUT', 'USED', 'This verification link has already been used.');
      }
      throw tokenRefused('BAD_USER_INPUT', 'EXPIRED', 'This verification link has expired: ask for a new one.');
    }
    if (!row.user.isActive) throw new AppError('FORBIDDEN', 'This account is deactivated.');
    const user = await markEmailVerified(deps, tx, row.user, 'link');
    return { email: row.email, user };
  });
}

/**
 * Records that the user's current address is proven (by a verification link, or by registering with
 * an invitation sent to it), inside the caller's transaction. An address listed in ADMIN_EMAILS makes
 * the account ADMIN here, and only here (audited as `user.roleChanged` by the system).
 */
export async function markEmailVerified(
  deps: Pick<CoreDeps, 'env'>,
  tx: Prisma.TransactionClient,
  user: User,
  via: 'link' | 'invitation',
): Promise<User> {
  if (user.emailVerifiedAt) return user;
  const listed = user.email !== null && deps.env.ADMIN_EMAILS.some((address) => address.toLowerCase() === user.email);
  const promote = listed && user.role !== 'ADMIN';
  const updated = await tx.user.update({
    where: { id: user.id },
    data: { emailVerifiedAt: new Date(), ...(promote ? { role: 'ADMIN' } : {}) },
  });
  await tx.emailVerificationToken.deleteMany({ where: { userId: user.id, usedAt: null } });
  await recordAudit(tx, { actorId: user.id, action: 'user.emailVerified', targetType: 'User', targetId: user.id, details: { via } });
  if (promote) {
    await recordAudit(tx, {
      actorId: null,
      action: 'user.roleChanged',
      targetType: 'User',
      targetId: user.id,
      details: { previous: user.role, role: 'ADMIN', reason: 'ADMIN_EMAILS' },
    });
  }
  return updated;
}
