import type { CoreDeps, Viewer } from '../context.ts';
import { badInput, conflict, notFound } from '../errors.ts';
import { uploadStaging } from './uploadStaging.ts';

export { uploadsDir } from './uploadStaging.ts';

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
 * `path` is a local file with its bytes (on S3 staging, a copy made in `workDir`).
 */
export async function takeUpload(deps: CoreDeps, viewer: Viewer, uploadId: string, workDir: string): Promise<TakenUpload> {
  const upload = await deps.db.upload.findFirst({ where: { id: uploadId, ownerId: viewer.user.id } });
  if (!upload) throw notFound('Upload');
  if (upload.consumedAt) throw conflict('That upload was already used for a job.');
  if (!upload.completedAt) throw badInput('That upload is not finished yet.', 'uploadId');
  const staging = uploadStaging(deps);
  // Terminated by its owner (tus DELETE) or otherwise gone: answer like a missing one.
  if (!(await staging.exists(upload.id))) throw notFound('Upload');
  const { count } = await deps.db.upload.updateMany({
    where: { id: upload.id, consumedAt: null },
    data: { consumedAt: new Date() },
  });
  if (count === 0) throw conflict('That upload was already used for a job.');
  let file: string;
  try {
    file = await staging.localFile(upload.id, workDir);
  } catch (error) {
    await releaseUpload(deps, upload.id);
    throw error;
  }
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

/** Removes the staged bytes of an upload and tus's bookkeeping beside them. */
export async function discardUploadFile(deps: Pick<CoreDeps, 'env' | 'storage'>, uploadId: string): Promise<void> {
  await uploadStaging(deps).discard(uploadId);
}
