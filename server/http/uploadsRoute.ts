import { mkdirSync } from 'node:fs';
import { Server as TusServer } from '@tus/server';
import { credentialFrom, resolveViewer } from '../services/authentication.ts';
import type { AppDeps, Viewer } from '../context.ts';
import { AppError, codeOfHttpStatus, errorBody, httpStatusOf, type ErrorCode, type ProtocolCode } from '../errors.ts';
import { newId } from '../ids.ts';
import { emailNotVerified, maySubmitWork } from '../services/access/work.ts';
import { uploadsDir, uploadStaging } from '../services/uploadStaging.ts';

/**
 * Resumable uploads (tus 1.0) at /uploads for large media: streamed to the upload staging (a local
 * folder, or S3 multipart uploads, services/uploadStaging.ts), resumable after a dropped connection,
 * capped at MAX_RESUMABLE_UPLOAD_BYTES, and usable only by their owner. A finished upload is turned
 * into a job with createTranscriptionJob(input: { uploadId }). URLs name the upload's row id
 * (/uploads/<id>) whatever the datastore's own id is.
 */
export function createUploadServer(deps: AppDeps): TusServer {
  const staging = uploadStaging(deps);
  if (deps.env.STORAGE_DRIVER === 'local') mkdirSync(uploadsDir(deps), { recursive: true });
  const authenticate = async (req: Request): Promise<Viewer> => {
    let viewer: Viewer | null;
    try {
      viewer = await resolveViewer(
        deps,
        credentialFrom({ authorization: req.headers.get('authorization'), apiKey: req.headers.get('x-api-key') }),
      );
    } catch (error) {
      throw refusal('UNAUTHENTICATED', error instanceof AppError ? error.message : 'Authentication failed.');
    }
    if (!viewer) throw refusal('UNAUTHENTICATED', 'Authentication required.');
    if (!viewer.canWrite) throw refusal('FORBIDDEN', 'This API key is read-only.');
    return viewer;
  };

  return new TusServer({
    path: '/uploads',
    // Upload-Expires on every response; an expired upload answers 410, and housekeeping deletes it.
    datastore: staging.datastore,
    maxSize: deps.env.MAX_RESUMABLE_UPLOAD_BYTES,
    respectForwardedHeaders: deps.env.TRUST_PROXY,
    relativeLocation: true,
    namingFunction: () => staging.storeIdOf(newId('Upload')),
    generateUrl: (_req, { path, id }) => `${path}/${staging.uploadIdOf(id)}`,
    getFileIdFromRequest: (_req, lastPath) => (lastPath && /^[A-Za-z0-9_-]+$/.test(lastPath) ? staging.storeIdOf(lastPath) : undefined),
    onResponseError: (_req, error) => inOurShape(deps, error),
    onIncomingRequest: async (req, storeId) => {
      const viewer = await authenticate(req);
      if (req.method === 'POST') return;
      const uploadId = staging.uploadIdOf(storeId);
      const upload = uploadId ? await deps.db.upload.findFirst({ where: { id: uploadId, ownerId: viewer.user.id } }) : null;
      if (!upload) throw refusal('NOT_FOUND', 'Upload not found.');
    },
    onUploadCreate: async (req, upload) => {
      const viewer = await authenticate(req);
      if (!maySubmitWork(deps.env, viewer)) {
        const error = emailNotVerified();
        throw { status_code: error.httpStatus, body: JSON.stringify(error.toBody()) } satisfies TusError;
      }
      if (upload.size === undefined) throw refusal('BAD_USER_INPUT', 'Upload-Length is required.');
      const filename = upload.metadata?.filename ?? upload.metadata?.name ?? null;
      await deps.db.upload.create({
        data: { id: staging.uploadIdOf(upload.id)!, ownerId: viewer.user.id, filename: filename?.slice(0, 255) ?? null, size: upload.size },
      });
      return {};
    },
    onUploadFinish: async (_req, upload) => {
      await deps.db.upload.update({
        where: { id: staging.uploadIdOf(upload.id)! },
        data: { completedAt: new Date(), received: upload.offset },
      });
      return {};
    },
  });
}

type TusError = { status_code: number; body: string };

function refusal(code: ErrorCode | ProtocolCode, message: string): TusError {
  return { status_code: httpStatusOf(code)!, body: JSON.stringify(errorBody(code, message)) };
}

/**
 * tus's own refusals (an offset that does not match, a size over the limit, …) in the one error
 * shape, when their status has a code of ours; statuses only tus has (412 version, 460 checksum)
 * keep tus's text. Anything unexpected is logged and masked.
 */
function inOurShape(deps: AppDeps, error: Error | TusError): TusError | undefined {
  if (!('status_code' in error)) {
    deps.logger.error({ err: error }, 'unexpected error in /uploads');
    return refusal('INTERNAL_SERVER_ERROR', 'Unexpected error.');
  }
  if (error.body.startsWith('{')) return error;
  const code = codeOfHttpStatus(error.status_code);
  if (!code) return error;
  if (code === 'INTERNAL_SERVER_ERROR') {
    deps.logger.error({ status: error.status_code, body: error.body }, 'unexpected error in /uploads');
    return refusal(code, 'Unexpected error.');
  }
  return { status_code: error.status_code, body: JSON.stringify(errorBody(code, error.body.trim())) };
}
