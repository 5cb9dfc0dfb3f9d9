import { ownRowsWhere } from '../services/access/personal.ts';
import { deleteProviderKey, setProviderKey } from '../services/providerKeys.ts';
import { builder } from './builder.ts';
import { ProviderEnum } from './root.ts';

builder.prismaNode('ProviderKey', {
  id: { field: 'id' },
  description: "A user's own key for a cloud provider, encrypted at rest; only its last 4 characters leave the server.",
  fields: (t) => ({
    provider: t.expose('provider', { type: ProviderEnum }),
    name: t.exposeString('name'),
    last4: t.exposeString('last4'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
  }),
});

const SetProviderKeyInput = builder.inputType('SetProviderKeyInput', {
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, required: true }),
    name: t.string({ required: true }),
    secret: t.string({ required: true }),
  }),
});

builder.queryField('providerKeys', (t) =>
  t.withAuth({ authenticated: true }).prismaField({
    type: ['ProviderKey'],
    resolve: (query, _root, _args, context) =>
      context.deps.db.providerKey.findMany({
        ...query,
        where: ownRowsWhere(context.viewer),
        orderBy: [{ provider: 'asc' }, { name: 'asc' }],
      }),
  }),
);

builder.mutationFields((t) => ({
  setProviderKey: t.withAuth({ write: true }).prismaField({
    type: 'ProviderKey',
    description: 'Stores a key, replacing the one with the same provider and name.',
    args: { input: t.arg({ type: SetProviderKeyInput, required: true }) },
    resolve: (_query, _root, { input }, context) => setProviderKey(context.deps, context.viewer, input),
  }),
  deleteProviderKey: t.withAuth({ write: true }).boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => deleteProviderKey(context.deps, context.viewer, args.id),
  }),
}));
