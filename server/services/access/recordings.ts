/** Who may see a recording, and who may review it. */
import type { Viewer } from '../../context.ts';
import type { Db, Prisma, Recording } from '../../db/db.ts';
import { forbidden, notFound } from '../../errors.ts';
import { memberOfProjectWhere, requireProject } from '../projectAccess.ts';

/**
 * Recordings the viewer may see: their own, and those of projects they belong to; every one for
 * admins. (An `OR` filter: combine it with other filters through `AND`.)
 */
export function visibleRecordingWhere(viewer: Viewer): Prisma.RecordingWhereInput {
  return viewer.isAdmin ? {} : { OR: [{ speakerId: viewer.user.id }, { project: memberOfProjectWhere(viewer) }] };
}

/**
 * A recording the viewer may review: its project's `review` permission (OWNER, ADMIN, REVIEWER),
 * never its speaker. NOT_FOUND when they cannot see it (or its project), FORBIDDEN otherwise.
 */
export async function findReviewableRecording(deps: { db: Pick<Db, 'recording' | 'project'> }, viewer: Viewer, id: string): Promise<Recording> {
  const found = await deps.db.recording.findFirst({ where: { AND: [{ id }, visibleRecordingWhere(viewer)] } });
  if (!found) throw notFound('Recording');
  await requireProject(deps.db, viewer, found.projectId, 'review');
  if (found.speakerId === viewer.user.id) throw forbidden('Nobody reviews their own recording.');
  return found;
}
