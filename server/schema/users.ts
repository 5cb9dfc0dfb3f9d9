import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.ts';
import type { Prisma } from '../db/db.ts';
import { maySeePrivateUserFields } from '../services/access/users.ts';
import { setUserActive, setUserRole, unlockUser } from '../services/users.ts';
import { builder } from './builder.ts';
import { pageSizes, RoleEnum } from './root.ts';

/**
 * Whether this answer may show the user's email and quota (services/access/users.ts). A User
 * reached through AuthPayload.user is the person register, login or refreshSession just signed in.
 */
export function canSeePrivate(user: { id: string }, context: Context, info: GraphQLResolveInfo): boolean {
  const signedInAs = info.path.prev?.typename === 'AuthPayload' ? user.id : null;
  return maySeePrivateUserFields(context.viewer, user, signedInAs);
}

export const UserRef = builder.prismaNode('User', {
  id: { field: 'id' },
  fields: (t) => ({
    username: t.exposeString('username'),
    email: t.string({
      nullable: true,
      description: 'Visible to the user themself and to admins only.',
      resolve: (user, _args, context, info) => (canSeePrivate(user, context, info) ? user.email : null),
    }),
    emailVerified: t.boolean({
      nullable: true,
      description: 'Whether the email address is verified (README, "Email verification"). Visible to the user themself and to admins only.',
      resolve: (user, _args, context, info) => (canSeePrivate(user, context, info) ? user.emailVerifiedAt !== null : null),
    }),
    role: t.expose('role', { type: RoleEnum }),
    isActive: t.exposeBoolean('isActive'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    apiKeys: t.relation('apiKeys', {
      description: "ADMIN only. The user's API keys, newest first (names and prefixes; never secrets).",
      authScopes: { admin: true },
      query: { orderBy: { id: 'desc' } },
    }),
  }),
});

const UserOrderEnum = builder.enumType('UserOrder', {
  values: ['NEWEST', 'OLDEST', 'USERNAME_ASC', 'USERNAME_DESC', 'EMAIL_ASC', 'EMAIL_DESC'] as const,
});
const userOrders = {
  NEWEST: [{ id: 'desc' }],
  OLDEST: [{ id: 'asc' }],
  USERNAME_ASC: [{ username: 'asc' }, { id: 'asc' }],
  USERNAME_DESC: [{ username: 'desc' }, { id: 'desc' }],
  EMAIL_ASC: [{ email: 'asc' }, { id: 'asc' }],
  EMAIL_DESC: [{ email: 'desc' }, { id: 'desc' }],
} as const satisfies Record<string, Prisma.UserOrderByWithRelationInput[]>;

builder.queryField('me', (t) =>
  t.prismaField({
    type: 'User',
    nullable: true,
    resolve: (query, _root, _args, context) =>
      context.viewer ? context.deps.db.user.findUnique({ ...query, where: { id: context.viewer.user.id } }) : null,
  }),
);

builder.queryField('users', (t) =>
  t.withAuth({ admin: true }).prismaConnection(
    {
      type: 'User',
      cursor: 'id',
      ...pageSizes,
      args: {
        search: t.arg.string(),
        role: t.arg({ type: RoleEnum }),
        active: t.arg.boolean({ description: 'Only active (true) or deactivated (false) users.' }),
        orderBy: t.arg({ type: UserOrderEnum, description: 'Default: NEWEST.' }),
      },
      totalCount: (_connection, args, context) => context.deps.db.user.count({ where: userFilter(args) }),
      resolve: (query, _root, args, context) =>
        context.deps.db.user.findMany({
          ...query,
          where: userFilter(args),
          orderBy: [...userOrders[args.orderBy ?? 'NEWEST']],
        }),
    },
    { name: 'UserConnection' },
    { name: 'UserEdge' },
  ),
);

function userFilter(args: { search?: string | null; role?: 'USER' | 'ADMIN' | null; active?: boolean | null }) {
  const search = args.search?.trim();
  return {
    ...(args.role ? { role: args.role } : {}),
    ...(typeof args.active === 'boolean' ? { isActive: args.active } : {}),
    ...(search
      ? {
          OR: [
            { username: { contains: search, mode: 'insensitive' as const } },
            { email: { contains: search, mode: 'insensitive' as const } },
          ],
        }
      : {}),
  };
}

builder.mutationField('setUserRole', (t) =>
  t.withAuth({ admin: true }).prismaField({
    type: 'User',
    args: { userId: t.arg.id({ required: true }), role: t.arg({ type: RoleEnum, required: true }) },
    resolve: (_query, _root, args, context) => setUserRole(context.deps, context.viewer, args.userId, args.role),
  }),
);

builder.mutationField('setUserActive', (t) =>
  t.withAuth({ admin: true }).prismaField({
    type: 'User',
    args: { userId: t.arg.id({ required: true }), active: t.arg.boolean({ required: true }) },
    resolve: (_query, _root, args, context) => setUserActive(context.deps, context.viewer, args.userId, args.active),
  }),
);

builder.mutationField('unlockUser', (t) =>
  t.withAuth({ admin: true }).prismaField({
    type: 'User',
    description:
      'ADMIN only. Clears the failed-login blocks of the account: its account-wide count and its blocks per address. Audited.',
    args: { userId: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => unlockUser(context.deps, context.viewer, args.userId),
  }),
);
