import { adminDeleteUser, deleteAccount } from '../services/accountErasure.ts';
import { builder } from './builder.ts';

const DeleteAccountInput = builder.inputType('DeleteAccountInput', {
  description: 'One confirmation: the password, or a second-factor code (TOTP or recovery code) for an account that has one.',
  fields: (t) => ({
    password: t.string(),
    code: t.string(),
  }),
});

builder.mutationFields((t) => ({
  deleteAccount: t.withAuth({ write: true }).boolean({
    description:
      "Erases the signed-in account: jobs, media, uploads, live sessions and recordings, keys, webhooks, memberships and invitations. Usage and audit rows stay under a pseudonym. CONFLICT while the account is a project's only OWNER. A password-less account without a second factor confirms by having signed in at its issuer in the last 5 minutes.",
    args: { input: t.arg({ type: DeleteAccountInput, required: true }) },
    resolve: (_root, { input }, context) => deleteAccount(context.deps, context.viewer, input),
  }),
  adminDeleteUser: t.withAuth({ admin: true }).boolean({
    description: 'ADMIN only: erases another user as deleteAccount does (same rules), audited with the admin as actor.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => adminDeleteUser(context.deps, context.viewer, args.id),
  }),
}));
