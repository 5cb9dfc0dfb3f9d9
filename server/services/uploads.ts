import { access, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CoreDeps, Viewer } from '../context.ts';
import { badInput, conflict, notFound } from '../errors.ts';

/** Where finished and partial resumable uploads wait until a job takes them. */
export function uploadsDir(deps: Pick<CoreDeps, 'env'>): string {
  return path.join(deps.env.dataDir, 'uploads');
}

interface TakenUpload {
  id: string;
  path: string;
  filename: string | null;
  size: number;
}

/**
 * Claims a finished upload of the viewer's that no job has used yet, by marking it consumed at
 * once, so of two requests racing for one upload only one gets it (the other: CONFLICT). If the
 * job is then not created, releaseUpload gives it back. Someone else's answers like a missing one.
 */
export async function takeUpload(deps: CoreDeps, viewer: Viewer, uploadId: string): Promise<TakenUpload> {
  const upload = await deps.db.upload.findFirst({ where: { id: uploadId, ownerId: viewer.user.id } });
  if (!upload) throw notFound('Upload');
  if (upload.consumedAt) throw conflict('That upload was already used for a job.');
  if (!upload.completedAt) throw badInput('That upload is not finished yet.', 'uploadId');
  const file = path.join(uploadsDir(deps), upload.id);
  // Terminated by its owner (tus DELETE) or otherwise gone: answer like a missing one.
  if (!(await access(file).then(() => true, () => false))) throw notFound('Upload');
  const { count } = await deps.db.upload.updateMany({
    where: { id: upload.id, consumedAt: null },
    data: { consumedAt: new Date() },
  });
  if (count === 0) throw conflict('That upload was already used for a job.');
  return {
    id: upload.id,
    path: file,
    filename: upload.filename,
    size: Number(upload.size ?? upload.received),
  };
}

/** Undoes takeUpload when no job came of it, so the upload can be used again. */
export async function releaseUpload(deps: CoreDeps, uploadId: string): Promise<void> {
  await deps.db.upload.updateMany({ where: { id: uploadId }, data: { consumedAt: null } });
}

/** Removes the staged file of an upload and tus's metadata beside it. */
export async function discardUploadFile(deps: Pick<CoreDeps, 'env'>, uploadId: string): Promise<void> {
  const file = path.join(uploadsDir(deps), uploadId);
  await Promise.all([rm(file, { force: true }), rm(`${file}.json`, { force: true })]);
}
