/** Who may see a recording. Reviewing one is the project's `review` permission (services/recordings.ts). */
import type { Viewer } from '../../context.ts';
import type { Prisma } from '../../db/db.ts';
import { memberOfProjectWhere } from '../projectAccess.ts';

/**
 * Recordings the viewer may see: their own, and those of projects they belong to; every one for
 * admins. (An `OR` filter: combine it with other filters through `AND`.)
 */
export function visibleRecordingWhere(viewer: Viewer): Prisma.RecordingWhereInput {
  return viewer.isAdmin ? {} : { OR: [{ speakerId: viewer.user.id }, { project: memberOfProjectWhere(viewer) }] };
}
