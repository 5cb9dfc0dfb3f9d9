import { resendVerification, verifyEmail } from '../services/emailVerification.ts';
import { registrationPolicy, type RegistrationPolicy } from '../services/registrationPolicy.ts';
import { builder } from './builder.ts';
import { UserRef } from './users.ts';

const RegistrationModeEnum = builder.enumType('RegistrationMode', {
  description: 'REGISTRATION: who may create an account with register.',
  values: {
    OPEN: { description: 'Anyone (with an address in allowedDomains, when it lists any).' },
    INVITE: { description: 'Only someone registering with the token of a pending project invitation sent to that address.' },
    CLOSED: { description: 'Nobody: register is refused; external OIDC sign-in still works.' },
  } as const,
});

const RegistrationPolicyRef = builder.objectRef<RegistrationPolicy>('RegistrationPolicy').implement({
  description: "The server's registration policy, for sign-up forms.",
  fields: (t) => ({
    mode: t.field({ type: RegistrationModeEnum, resolve: (policy) => policy.mode }),
    allowedDomains: t.exposeStringList('allowedDomains', {
      description: 'REGISTRATION_DOMAINS: the email domains register accepts; empty means any.',
    }),
    emailVerificationRequired: t.exposeBoolean('emailVerificationRequired', {
      description: 'REQUIRE_EMAIL_VERIFICATION: unverified accounts may sign in and verify, but not submit work.',
    }),
  }),
});

const EmailVerificationRef = builder.objectRef<{ email: string; user: { id: string } }>('EmailVerification').implement({
  fields: (t) => ({
    email: t.exposeString('email', { description: 'The address now verified (the one the link was sent to).' }),
    user: t.field({ type: UserRef, resolve: (result) => result.user as never }),
  }),
});

builder.queryField('registrationPolicy', (t) =>
  t.field({
    type: RegistrationPolicyRef,
    description: 'Public: whether and how register may be used here.',
    resolve: (_root, _args, context) => registrationPolicy(context.deps.env),
  }),
);

builder.mutationFields((t) => ({
  verifyEmail: t.field({
    type: EmailVerificationRef,
    description:
      'Verifies the address an emailed link was sent to (no sign-in needed: the token is the proof). Single use. Unknown or replaced token: NOT_FOUND; used or expired: BAD_USER_INPUT; extensions.reason says UNKNOWN, USED or EXPIRED.',
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => verifyEmail(context.deps, args.token),
  }),
  resendVerification: t.withAuth({ authenticated: true }).boolean({
    description:
      "Mails a new verification link to the signed-in user's address (earlier links stop working). At most VERIFICATION_EMAILS_PER_HOUR an hour (RATE_LIMITED); already verified: CONFLICT.",
    resolve: (_root, _args, context) => resendVerification(context.deps, context.viewer),
  }),
}));
