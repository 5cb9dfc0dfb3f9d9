/**
 * Who may create an account with `register` (README, "Registration policy"): REGISTRATION
 * (open, invite or closed) and REGISTRATION_DOMAINS. Accounts of external OIDC issuers are not
 * registered and are not subject to it.
 */
import type { Env } from '../env.ts';
import { AppError } from '../errors.ts';
import { emailVerificationRequired } from './access/work.ts';

type PolicyEnv = Pick<Env, 'REGISTRATION' | 'REGISTRATION_DOMAINS' | 'REQUIRE_EMAIL_VERIFICATION' | 'isProduction'>;

export interface RegistrationPolicy {
  mode: 'OPEN' | 'INVITE' | 'CLOSED';
  allowedDomains: string[];
  emailVerificationRequired: boolean;
}

/** What the sign-up form may tell anyone (no secrets: the mode and the allowed domains). */
export function registrationPolicy(env: PolicyEnv): RegistrationPolicy {
  return {
    mode: env.REGISTRATION === 'open' ? 'OPEN' : env.REGISTRATION === 'invite' ? 'INVITE' : 'CLOSED',
    allowedDomains: env.REGISTRATION_DOMAINS,
    emailVerificationRequired: emailVerificationRequired(env),
  };
}

const refused = (reason: string, message: string) => new AppError('FORBIDDEN', message, { reason });

/**
 * Refuses a registration the policy does not allow, before anything is written. `withInvitation`:
 * the registrant presents a project invitation token (checked by the caller against the address).
 */
export function assertRegistrationAllowed(env: PolicyEnv, email: string, withInvitation: boolean): void {
  if (env.REGISTRATION === 'closed') {
    throw refused('REGISTRATION_CLOSED', 'Registration is closed on this server: ask an administrator for an account.');
  }
  const domain = email.slice(email.lastIndexOf('@') + 1);
  if (env.REGISTRATION_DOMAINS.length > 0 && !env.REGISTRATION_DOMAINS.includes(domain)) {
    throw refused(
      'EMAIL_DOMAIN_NOT_ALLOWED',
      `Registration is limited to addresses at ${env.REGISTRATION_DOMAINS.join(', ')}.`,
    );
  }
  if (env.REGISTRATION === 'invite' && !withInvitation) {
    throw refused(
      'INVITATION_REQUIRED',
      'Registration on this server is by invitation: sign up with the invitation token from your invitation email.',
    );
  }
}
