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
  // A streaming token's bearer sees its one session (the token was checked against it when resolved).
  if (viewer.streamingSessionId) return { id: viewer.streamingSessionId };
  return ownedOrMemberWhere(viewer);
}

/** visibleSessionWhere for one loaded session (its project's membership is read when it matters). */
export async function canSeeSession(db: Reader, viewer: Viewer, session: { id: string; ownerId: string; projectId: string | null }): Promise<boolean> {
  if (viewer.streamingSessionId) return session.id === viewer.streamingSessionId;
  return canSeeOwned(db, viewer, session);
}

/** Send audio, end it: the session's owner, or an admin; a streaming token, its own session. */
function mayChangeSession(viewer: Viewer, session: { id: string; ownerId: string }): boolean {
  if (viewer.streamingSessionId) return session.id === viewer.streamingSessionId;
  return mayChangeOwned(viewer, session);
}

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
