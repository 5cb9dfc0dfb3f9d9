import { login, register } from '../services/accounts.ts';
import { logout, refreshSession, type AuthPayload } from '../services/sessions.ts';
import { builder } from './builder.ts';
import { UserRef } from './users.ts';

export const AuthPayloadRef = builder.objectRef<AuthPayload>('AuthPayload').implement({
  fields: (t) => ({
    accessToken: t.exposeString('accessToken'),
    refreshToken: t.exposeString('refreshToken'),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime' }),
    user: t.field({ type: UserRef, resolve: (payload) => payload.user }),
  }),
});

const RegisterInput = builder.inputType('RegisterInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    username: t.string({ required: true }),
    password: t.string({ required: true }),
    invitationToken: t.string({
      description:
        'The token of a pending project invitation sent to this email address: the account starts verified and joins the project. Required when REGISTRATION=invite.',
    }),
  }),
});

const LoginInput = builder.inputType('LoginInput', {
  fields: (t) => ({
    login: t.string({ required: true, description: 'Email or username.' }),
    password: t.string({ required: true }),
  }),
});

builder.mutationFields((t) => ({
  register: t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: RegisterInput, required: true }) },
    resolve: (_root, { input }, context) => register(context.deps, input),
  }),
  login: t.field({
    type: AuthPayloadRef,
    args: { input: t.arg({ type: LoginInput, required: true }) },
    resolve: (_root, { input }, context) => login(context.deps, input, context),
  }),
  refreshSession: t.field({
    type: AuthPayloadRef,
    description: 'Rotates: the old refresh token stops working. Presenting a used one again revokes its family.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => refreshSession(context.deps, args.refreshToken, context),
  }),
  logout: t.boolean({
    description: 'Revokes the refresh token and every token rotated from the same login.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_root, args, context) => logout(context.deps, args.refreshToken),
  }),
}));
