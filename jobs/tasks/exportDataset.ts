import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { exportFailure, writeDatasetExport } from '../../server/services/datasetExports.ts';
import { assertExportDatasetPayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/** A dataset export's archive (server/services/datasetExports.ts). */
export function createExportDatasetTask(deps: CoreDeps): Task<'exportDataset'> {
  return async (payload, helpers) => {
    const { exportId } = assertExportDatasetPayload(payload);
    try {
      await writeDatasetExport(deps, exportId, { info: (message) => helpers.logger.info(message) });
    } catch (error) {
      await settleFailure(error, helpers, exportFailure(deps, exportId));
    }
  };
}
