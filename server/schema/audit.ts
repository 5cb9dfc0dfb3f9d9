import { auditFilter } from '../services/audit.ts';
import { builder } from './builder.ts';
import { pageSizes } from './root.ts';
import { UserRef } from './users.ts';

builder.prismaNode('AuditEntry', {
  id: { field: 'id' },
  description: 'One append-only audit row: who did what to which object, when, in which request.',
  fields: (t) => ({
    actor: t.field({
      type: UserRef,
      nullable: true,
      description: 'null: the system acted (a webhook disabled after failures), or the user no longer exists.',
      resolve: (entry, _args, context) =>
        entry.actorId ? context.deps.db.user.findUnique({ where: { id: entry.actorId } }) : null,
    }),
    action: t.exposeString('action', { description: 'e.g. user.roleChanged, apiKey.created, member.removed, job.deleted.' }),
    targetType: t.exposeString('targetType', { nullable: true, description: 'The GraphQL type of the target.' }),
    targetId: t.exposeString('targetId', { nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true, description: 'The x-request-id of the request that did it.' }),
    details: t.string({ description: 'Facts about the change, as a JSON object.', resolve: (entry) => JSON.stringify(entry.details ?? {}) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.withAuth({ admin: true }).prismaConnection(
    {
      type: 'AuditEntry',
      cursor: 'seq',
      ...pageSizes,
      description: 'ADMIN only. The audit log, newest first.',
      args: { actorId: t.arg.id(), action: t.arg.string(), targetId: t.arg.id() },
      totalCount: (_connection, args, context) => context.deps.db.auditEntry.count({ where: auditFilter(args) }),
      resolve: (query, _root, args, context) =>
        context.deps.db.auditEntry.findMany({ ...query, where: auditFilter(args), orderBy: { seq: 'desc' } }),
    },
    { name: 'AuditEntryConnection' },
    { name: 'AuditEntryEdge' },
  ),
);
