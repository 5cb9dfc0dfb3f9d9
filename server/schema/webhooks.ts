import type { Prisma, WebhookEndpoint } from '../db/db.ts';
import { visibleWebhookWhere } from '../services/webhooks/access.ts';
import { createWebhook, deleteWebhook, enableWebhook } from '../services/webhooks/endpoints.ts';
import { WEBHOOK_EVENTS } from '../services/webhooks/events.ts';
import { builder } from './builder.ts';
import { ProjectRef, visibleProjectOf } from './projects.ts';
import { UserRef } from './users.ts';

const WebhookEndpointRef = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  description: 'Where events are POSTed, signed with the secret shown once at creation.',
  fields: (t) => ({
    url: t.exposeString('url'),
    events: t.exposeStringList('events', { description: WEBHOOK_EVENTS.join(' ') }),
    project: t.field({
      type: ProjectRef,
      nullable: true,
      description: "Set for a project's webhook.",
      resolve: (endpoint, _args, context) => visibleProjectOf(context, endpoint.projectId),
    }),
    enabled: t.exposeBoolean('enabled', { description: 'false after WEBHOOK_DISABLE_AFTER failures in a row; enableWebhook turns it back on.' }),
    failureCount: t.exposeInt('failureCount', { description: 'Failed attempts in a row (reset by a successful one).' }),
    lastStatus: t.exposeInt('lastStatus', { nullable: true, description: 'HTTP status of the last attempt; null when it got no answer.' }),
    lastError: t.exposeString('lastError', { nullable: true }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    lastDeliveredAt: t.expose('lastDeliveredAt', { type: 'DateTime', nullable: true, description: 'The last successful delivery.' }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    owner: t.relation('owner', { type: UserRef, description: 'Who created it.' }),
  }),
});

const CreatedWebhookRef = builder.objectRef<{ webhook: WebhookEndpoint; secret: string }>('CreatedWebhook').implement({
  fields: (t) => ({
    webhook: t.field({ type: WebhookEndpointRef, resolve: (created) => created.webhook }),
    secret: t.exposeString('secret', { description: 'The signing secret: shown once, never again.' }),
  }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'https:// (http:// only for hosts in WEBHOOK_ALLOW_HOSTS).' }),
    events: t.stringList({ required: true, description: WEBHOOK_EVENTS.join(' ') }),
    projectId: t.id({ description: "A project's webhook (its OWNERs and ADMINs): the project's events." }),
  }),
});

builder.queryField('webhooks', (t) =>
  // Either scope below needs a viewer: `authenticated` types the context, the function picks the scope.
  t.withAuth({ authenticated: true }).prismaField({
    type: ['WebhookEndpoint'],
    description:
      "The viewer's webhooks and those of the projects they are OWNER or ADMIN of, newest first. allUsers and ownerId are ADMIN only (FORBIDDEN otherwise): every user's webhooks, or those ownerId created.",
    // allUsers/ownerId widen the list beyond the viewer's: only for an admin acting with admin power.
    authScopes: (_root, args) => (args.allUsers || args.ownerId ? { admin: true } : { authenticated: true }),
    args: {
      allUsers: t.arg.boolean({ description: "ADMIN only. Every user's webhooks." }),
      ownerId: t.arg.id({ description: 'ADMIN only. The webhooks this user created.' }),
      enabled: t.arg.boolean({ description: 'Only enabled (true) or disabled (false) ones.' }),
    },
    resolve: (query, _root, args, context) => {
      const scope: Prisma.WebhookEndpointWhereInput =
        args.allUsers || args.ownerId ? {} : visibleWebhookWhere(context.viewer);
      const where: Prisma.WebhookEndpointWhereInput = {
        AND: [
          scope,
          args.ownerId ? { ownerId: args.ownerId } : {},
          typeof args.enabled === 'boolean' ? { enabled: args.enabled } : {},
        ],
      };
      return context.deps.db.webhookEndpoint.findMany({ ...query, where, orderBy: { id: 'desc' } });
    },
  }),
);

builder.mutationFields((t) => ({
  createWebhook: t.withAuth({ write: true }).field({
    type: CreatedWebhookRef,
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    resolve: (_root, { input }, context) => createWebhook(context.deps, context.viewer, input),
  }),
  deleteWebhook: t.withAuth({ write: true }).boolean({
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, context) => deleteWebhook(context.deps, context.viewer, args.id),
  }),
  enableWebhook: t.withAuth({ write: true }).prismaField({
    type: 'WebhookEndpoint',
    description: 'Turns a disabled webhook back on, its failure count reset.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, args, context) => enableWebhook(context.deps, context.viewer, args.id),
  }),
}));
