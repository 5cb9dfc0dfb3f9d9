import type { AppDeps, RequestMeta } from '../context.ts';
import { isUniqueViolation, type User } from '../db/db.ts';
import { AppError, badInput, conflict } from '../errors.ts';
import { newId } from '../ids.ts';
import { hashPassword, MAX_PASSWORD_LENGTH, passwordProblem, verifyPassword } from '../security/passwords.ts';
import { markEmailVerified, sendVerificationEmail } from './emailVerification.ts';
import { assertLoginAllowed, recordLoginFailure, recordLoginSuccess } from './loginThrottle.ts';
import { joinByInvitation, usableInvitation } from './projectMembers.ts';
import { assertRegistrationAllowed } from './registrationPolicy.ts';
import { startSession, type AuthPayload } from './sessions.ts';
import { challengeSecondFactor } from './mfa/loginChallenge.ts';
import { secondFactorMethods } from './mfa/secondFactors.ts';
import { normaliseEmail, normaliseUsername } from './validation.ts';

export async function register(
  deps: AppDeps,
  input: { email: string; username: string; password: string; invitationToken?: string | null },
): Promise<AuthPayload> {
  const email = normaliseEmail(input.email);
  const username = normaliseUsername(input.username);
  const problem = passwordProblem(input.password, username, email);
  if (problem) throw badInput(problem, 'password');
  const invitationToken = input.invitationToken?.trim() || null;
  assertRegistrationAllowed(deps.env, email, invitationToken !== null);
  // An invitation token proves the address: it was mailed there.
  const invitation = invitationToken ? await usableInvitation(deps.db, invitationToken, email) : null;
  const passwordHash = await hashPassword(input.password);
  let user: User;
  try {
    user = await deps.db.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: {
          id: newId('User'),
          email,
          username,
          passwordHash,
          // ADMIN_EMAILS counts once the address is verified (markEmailVerified), never at registration.
          role: 'USER',
        },
      });
      if (!invitation) return created;
      const verified = await markEmailVerified(deps, tx, created, 'invitation');
      await joinByInvitation(deps, tx, invitation, verified.id);
      return verified;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const taken = await deps.db.user.findFirst({ where: { OR: [{ email }, { username }] }, select: { email: true } });
    throw conflict(taken?.email === email ? 'That email is already registered.' : 'That username is taken.');
  }
  if (!user.emailVerifiedAt) await sendVerificationEmail(deps, user, 'registered');
  return startSession(deps, user);
}

const invalidCredentials = () => new AppError('UNAUTHENTICATED', 'Invalid login or password.');

export async function login(
  deps: AppDeps,
  input: { login: string; password: string },
  meta: RequestMeta,
): Promise<AuthPayload> {
  const loginName = input.login.trim().toLowerCase();
  const user =
    loginName.length > 0 && loginName.length <= 254
      ? await deps.db.user.findFirst({ where: loginName.includes('@') ? { email: loginName } : { username: loginName } })
      : null;
  // Keyed by the account itself when it exists, so its username and its email share one budget.
  const attempt = { account: user ? user.id : `name:${loginName}`, address: meta.clientAddress };
  await assertLoginAllowed(deps.db, attempt);

  const passwordOk =
    input.password.length <= MAX_PASSWORD_LENGTH && (await verifyPassword(user?.passwordHash ?? null, input.password));
  if (!user || !passwordOk) {
    await recordLoginFailure(deps.db, deps.env, attempt);
    throw invalidCredentials();
  }
  if (!user.isActive) throw new AppError('UNAUTHENTICATED', 'Account is deactivated.');
  // With a second factor, the pair becomes known only once completeLogin succeeds.
  const secondFactors = await secondFactorMethods(deps.db, user.id);
  if (secondFactors.length > 0) throw await challengeSecondFactor(deps, user, secondFactors, meta);
  await recordLoginSuccess(deps.db, attempt);
  return startSession(deps, user);
}
