import { mkdirSync } from 'node:fs';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import { credentialFrom, resolveViewer } from './auth.ts';
import type { AppDeps, Viewer } from './context.ts';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';
import { uploadsDir } from './services/uploads.ts';

/**
 * Resumable uploads (tus 1.0) at /uploads for large media: streamed to disk, resumable after a
 * dropped connection, capped at MAX_RESUMABLE_UPLOAD_BYTES, and usable only by their owner. A
 * finished upload is turned into a job with createTranscriptionJob(input: { uploadId }).
 */
export function createUploadServer(deps: AppDeps): TusServer {
  const directory = uploadsDir(deps);
  mkdirSync(directory, { recursive: true });
  const authenticate = async (req: Request): Promise<Viewer> => {
    let viewer: Viewer | null;
    try {
      viewer = await resolveViewer(
        deps,
        credentialFrom({ authorization: req.headers.get('authorization'), apiKey: req.headers.get('x-api-key') }),
      );
    } catch (error) {
      throw { status_code: 401, body: error instanceof AppError ? `${error.message}\n` : 'Unauthenticated.\n' };
    }
    if (!viewer) throw { status_code: 401, body: 'Authentication required.\n' };
    if (!viewer.canWrite) throw { status_code: 403, body: 'This API key is read-only.\n' };
    return viewer;
  };

  return new TusServer({
    path: '/uploads',
    // Upload-Expires on every response; an expired upload answers 410, and housekeeping deletes it.
    datastore: new FileStore({ directory, expirationPeriodInMilliseconds: deps.env.UPLOAD_EXPIRY_HOURS * 3_600_000 }),
    maxSize: deps.env.MAX_RESUMABLE_UPLOAD_BYTES,
    respectForwardedHeaders: deps.env.TRUST_PROXY,
    relativeLocation: true,
    namingFunction: () => newId('Upload'),
    onIncomingRequest: async (req, uploadId) => {
      const viewer = await authenticate(req);
      if (req.method === 'POST') return;
      const upload = await deps.db.upload.findFirst({ where: { id: uploadId, ownerId: viewer.user.id } });
      if (!upload) throw { status_code: 404, body: 'Upload not found.\n' };
    },
    onUploadCreate: async (req, upload) => {
      const viewer = await authenticate(req);
      if (upload.size === undefined) throw { status_code: 400, body: 'Upload-Length is required.\n' };
      const filename = upload.metadata?.filename ?? upload.metadata?.name ?? null;
      await deps.db.upload.create({
        data: { id: upload.id, ownerId: viewer.user.id, filename: filename?.slice(0, 255) ?? null, size: upload.size },
      });
      return {};
    },
    onUploadFinish: async (_req, upload) => {
      await deps.db.upload.update({
        where: { id: upload.id },
        data: { completedAt: new Date(), received: upload.offset },
      });
      return {};
    },
  });
}
