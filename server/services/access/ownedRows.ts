/**
 * The rule jobs and live sessions share: a row of one owner, perhaps inside a project. Its owner
 * and admins acting with admin power see and change it; the members of its project see it.
 */
import type { Viewer } from '../../context.ts';
import type { Db } from '../../db/db.ts';
import { canSeeProject, memberOfProjectWhere } from '../projectAccess.ts';

/** As a where-input: spread into the noun's own (an `OR` filter: combine it with others through `AND`). */
export function ownedOrMemberWhere(viewer: Viewer): object {
  // A streaming token sees no job or other owned row (its one live session: access/liveSessions.ts).
  if (viewer.streamingSessionId) return { id: { in: [] } };
  return viewer.isAdmin ? {} : { OR: [{ ownerId: viewer.user.id }, { project: memberOfProjectWhere(viewer) }] };
}

export function mayChangeOwned(viewer: Viewer, row: { ownerId: string }): boolean {
  if (viewer.streamingSessionId) return false;
  return viewer.isAdmin || row.ownerId === viewer.user.id;
}

/** For one loaded row: its project's membership is read only when the viewer is not owner or admin. */
export async function canSeeOwned(
  db: Pick<Db, 'projectMember'>,
  viewer: Viewer,
  row: { ownerId: string; projectId: string | null },
): Promise<boolean> {
  if (viewer.streamingSessionId) return false;
  return mayChangeOwned(viewer, row) || (row.projectId !== null && (await canSeeProject(db, viewer, row.projectId)));
}
