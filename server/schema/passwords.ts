import { changePassword } from '../services/passwordChange.ts';
import { requestPasswordReset, resetPassword } from '../services/passwordReset.ts';
import { AuthPayloadRef } from './auth.ts';
import { builder } from './builder.ts';

const ChangePasswordInput = builder.inputType('ChangePasswordInput', {
  fields: (t) => ({
    currentPassword: t.string({ required: true }),
    newPassword: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  requestPasswordReset: t.boolean({
    description:
      'Mails a single-use link to set a new password, when an account with a password has this address. Answers true ' +
      'either way, in the same time. At most PASSWORD_RESETS_PER_EMAIL_PER_HOUR per address and ' +
      'PASSWORD_RESETS_PER_CLIENT_PER_HOUR per client address (RATE_LIMITED).',
    args: { email: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => requestPasswordReset(context.deps, args.email, context),
  }),
  resetPassword: t.boolean({
    description:
      "Sets a new password with a mailed token (no sign-in needed) and ends every session of the account; API keys " +
      'stay. Proves the address the link went to. Unknown, used or expired token: BAD_USER_INPUT with ' +
      'extensions.reason UNKNOWN, USED or EXPIRED; a refused password: BAD_USER_INPUT on newPassword.',
    args: { token: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => resetPassword(context.deps, args.token, args.newPassword),
  }),
  changePassword: t.withAuth({ authenticated: true }).field({
    type: AuthPayloadRef,
    description:
      "Changes the signed-in user's password (needs the current one; a wrong one counts as a failed login). Ends " +
      'every other session; this one continues with the returned tokens (access tokens issued before stop working). ' +
      'Only from a session signed in with a password (FORBIDDEN for API keys and other tokens).',
    args: { input: t.arg({ type: ChangePasswordInput, required: true }) },
    resolve: (_root, { input }, context) => changePassword(context.deps, context.viewer, input, context),
  }),
}));
