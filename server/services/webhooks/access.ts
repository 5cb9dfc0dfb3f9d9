import type { Viewer } from '../../context.ts';
import type { Prisma } from '../../db/db.ts';

/** Endpoints the viewer may see and delete: their own, and those of projects they are OWNER or ADMIN of. */
export function visibleWebhookWhere(viewer: Viewer): Prisma.WebhookEndpointWhereInput {
  return {
    OR: [
      { ownerId: viewer.user.id },
      { project: { members: { some: { userId: viewer.user.id, role: { in: ['OWNER', 'ADMIN'] } } } } },
    ],
  };
}

/**
 * Endpoints the viewer may open (`node`), delete and re-enable: those of visibleWebhookWhere, and
 * for an admin acting with admin power every user's (operators deal with a misbehaving endpoint as
 * they do with jobs; creating one stays with its owner).
 */
export function manageableWebhookWhere(viewer: Viewer): Prisma.WebhookEndpointWhereInput {
  return viewer.isAdmin ? {} : visibleWebhookWhere(viewer);
}
