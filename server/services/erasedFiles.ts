import type { CoreDeps } from '../context.ts';
import type { EraseStoredFilesPayload } from '../db/taskPayloads.ts';
import { discardUploadFile } from './uploads.ts';

/** Removes an erased account's stored media (local or S3) and staged uploads (tus files too). Safe to repeat. */
export async function eraseStoredFiles(deps: Pick<CoreDeps, 'storage' | 'env' | 'logger'>, files: EraseStoredFilesPayload): Promise<void> {
  for (const prefix of files.prefixes) await deps.storage.deletePrefix(prefix);
  for (const uploadId of files.uploadIds) await discardUploadFile(deps, uploadId);
  deps.logger.info({ prefixes: files.prefixes.length, uploads: files.uploadIds.length }, 'stored files of an erased account removed');
}
