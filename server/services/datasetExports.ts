/**
 * Dataset exports: an archive of a project's approved recordings (audio plus a JSONL manifest),
 * written by the export_dataset task (jobs/tasks/exportDataset.ts) and downloaded by the project's
 * OWNERs and ADMINs (and site admins).
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { DatasetExport, ProjectRole } from '../db/db.ts';
import { AppError, forbidden } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireProject, roleAllows } from './projectAccess.ts';

export const EXPORT_DATASET_TASK = 'export_dataset';
export const EXPORT_MAX_ATTEMPTS = 3;
export const exportJobKey = (exportId: string) => `${EXPORT_DATASET_TASK}:${exportId}`;
export const exportArchiveKey = (exportId: string) => `exports/${exportId}/dataset.tar`;

/** OWNERs and ADMINs of the project start and download exports, and so do site admins (operators hand datasets over). */
export function mayExport(viewer: Viewer, role: ProjectRole | null): boolean {
  return viewer.isAdmin || roleAllows(role, 'export');
}

/**
 * exportDataset: OWNER/ADMIN of the project, or a site admin. Refuses a project without approved
 * recordings. An export already queued or running for the project is answered instead of a second.
 */
export async function exportDataset(deps: AppDeps, viewer: Viewer, projectId: string): Promise<DatasetExport> {
  const { role } = await requireProject(deps.db, viewer, projectId, 'view');
  if (!mayExport(viewer, role)) throw forbidden('Only OWNERs and ADMINs of the project export its dataset.');
  return deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`export:${projectId}`}::text, 0))`;
    const running = await tx.datasetExport.findFirst({
      where: { projectId, status: { in: ['QUEUED', 'PROCESSING'] } },
      orderBy: { id: 'desc' },
    });
    if (running) return running;
    const approved = await tx.recording.count({ where: { projectId, reviewStatus: 'APPROVED' } });
    if (approved === 0) {
      throw new AppError('BAD_USER_INPUT', 'Nothing to export: the project has no approved recordings yet.', { field: 'projectId' });
    }
    const created = await tx.datasetExport.create({
      data: { id: newId('DatasetExport'), projectId, requestedBy: viewer.user.id, recordings: approved },
    });
    await tx.$executeRaw`
      SELECT graphile_worker.add_job(
        ${EXPORT_DATASET_TASK}, json_build_object('exportId', ${created.id}::text),
        max_attempts := ${EXPORT_MAX_ATTEMPTS}::int, job_key := ${exportJobKey(created.id)}::text)`;
    return created;
  });
}

/**
 * Keeps the newest EXPORTS_KEPT_PER_PROJECT finished (completed or failed) exports of a project;
 * older ones go, rows first, then their archives. Returns how many went.
 */
export async function pruneExports(deps: Pick<CoreDeps, 'db' | 'storage' | 'env' | 'logger'>, projectId: string): Promise<number> {
  const old = await deps.db.datasetExport.findMany({
    where: { projectId, status: { in: ['COMPLETED', 'FAILED'] } },
    orderBy: { id: 'desc' },
    skip: deps.env.EXPORTS_KEPT_PER_PROJECT,
    select: { id: true },
  });
  if (old.length === 0) return 0;
  await deps.db.datasetExport.deleteMany({ where: { id: { in: old.map((row) => row.id) } } });
  for (const row of old) {
    await deps.storage
      .deletePrefix(`exports/${row.id}/`)
      .catch((error: unknown) => deps.logger.warn({ err: error, exportId: row.id }, 'could not delete an old export archive'));
  }
  return old.length;
}
