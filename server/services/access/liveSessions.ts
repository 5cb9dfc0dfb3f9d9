/**
 * Who may see and change a live session. Queries, `node(id)`, the chunk subscription, the session
 * file downloads and the live-session services all ask here.
 */
import type { Viewer } from '../../context.ts';
import type { Db, LiveSession, Prisma } from '../../db/db.ts';
import { forbidden, notFound } from '../../errors.ts';
import { canSeeOwned, mayChangeOwned, ownedOrMemberWhere } from './ownedRows.ts';

type Reader = Pick<Db, 'liveSession' | 'projectMember'>;

/**
 * Sessions the viewer may see: their own, those of projects they are a member of (recordings are
 * reviewed there), and every one for admins acting with admin power. (An `OR` filter: combine it
 * with other filters through `AND`.)
 */
export function visibleSessionWhere(viewer: Viewer): Prisma.LiveSessionWhereInput {
  return ownedOrMemberWhere(viewer);
}

/** visibleSessionWhere for one loaded session (its project's membership is read when it matters). */
export const canSeeSession: (db: Reader, viewer: Viewer, session: { ownerId: string; projectId: string | null }) => Promise<boolean> = canSeeOwned;

/** Send audio, end it: the session's owner, or an admin. */
const mayChangeSession: (viewer: Viewer, session: { ownerId: string }) => boolean = mayChangeOwned;

export async function findVisibleSession(deps: { db: Reader }, viewer: Viewer, id: string): Promise<LiveSession> {
  const session = await deps.db.liveSession.findFirst({ where: { AND: [{ id }, visibleSessionWhere(viewer)] } });
  if (!session) throw notFound('Live session');
  return session;
}

/** A session the viewer may feed or end; a project member's is FORBIDDEN. */
export async function findChangeableSession(deps: { db: Reader }, viewer: Viewer, id: string): Promise<LiveSession> {
  const session = await findVisibleSession(deps, viewer, id);
  if (!mayChangeSession(viewer, session)) throw forbidden("Only the session's owner can send audio to it or end it.");
  return session;
}
