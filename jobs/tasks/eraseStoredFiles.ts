import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { eraseStoredFiles } from '../../server/services/erasedFiles.ts';
import { assertEraseStoredFilesPayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/**
 * The stored files of an erased account (queued in the erasure's transaction, so it runs exactly
 * when the rows are gone). Idempotent; a failure is retried with graphile-worker's backoff.
 */
export function createEraseStoredFilesTask(deps: CoreDeps): Task<'eraseStoredFiles'> {
  return async (payload, helpers) => {
    const files = assertEraseStoredFilesPayload(payload);
    try {
      await eraseStoredFiles(deps, files);
    } catch (error) {
      await settleFailure(error, helpers, null);
    }
  };
}
