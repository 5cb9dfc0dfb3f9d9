/**
 * Prompts and dataset exports belong to a project: whoever sees the project sees them. Changing
 * prompts is the project's `managePrompts` permission; starting and downloading exports is `mayExport`.
 */
import type { Viewer } from '../../context.ts';
import type { Prisma, ProjectRole } from '../../db/db.ts';
import { roleAllows, visibleProjectWhere } from '../projectAccess.ts';

export function visiblePromptWhere(viewer: Viewer): Prisma.PromptWhereInput {
  return { project: visibleProjectWhere(viewer) };
}

export function visibleExportWhere(viewer: Viewer): Prisma.DatasetExportWhereInput {
  return { project: visibleProjectWhere(viewer) };
}

/** Start a dataset export and download it: OWNERs and ADMINs of the project, and site admins. */
export function mayExport(viewer: Viewer, role: ProjectRole | null): boolean {
  return viewer.isAdmin || roleAllows(role, 'export');
}
