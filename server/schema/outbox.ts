import { builder } from './builder.ts';
import { pageSizes } from './root.ts';

builder.prismaNode('OutboxEmail', {
  id: { field: 'id' },
  description:
    'An email the server sent or meant to send (invitations). Without SMTP_URL, or when delivery failed, the whole message is here for an admin to forward.',
  fields: (t) => ({
    to: t.exposeString('to'),
    subject: t.exposeString('subject'),
    body: t.exposeString('body', { description: 'Tokens are blanked out once SMTP has delivered the message.' }),
    sentAt: t.expose('sentAt', { type: 'DateTime', nullable: true, description: 'When SMTP accepted it; null: not sent.' }),
    error: t.exposeString('error', { nullable: true, description: 'Why delivery failed.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('outbox', (t) =>
  t.withAuth({ admin: true }).prismaConnection(
    {
      type: 'OutboxEmail',
      cursor: 'id',
      ...pageSizes,
      description: 'ADMIN only. Emails, newest first; `unsent: true` lists those SMTP has not delivered.',
      args: { unsent: t.arg.boolean() },
      totalCount: (_connection, args, context) =>
        context.deps.db.outboxEmail.count({ where: args.unsent ? { sentAt: null } : {} }),
      resolve: (query, _root, args, context) =>
        context.deps.db.outboxEmail.findMany({
          ...query,
          where: args.unsent ? { sentAt: null } : {},
          orderBy: { id: 'desc' },
        }),
    },
    { name: 'OutboxEmailConnection' },
    { name: 'OutboxEmailEdge' },
  ),
);
