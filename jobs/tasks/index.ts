import type { TaskList } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import type { JobCancellations } from '../cancellation.ts';
import { TRANSCRIBE_TASK } from '../../server/services/jobs.ts';
import { createTranscribeTask } from './transcribe.ts';
import { TRANSLATE_TASK } from '../../server/services/jobTranslation.ts';
import { createTranslateJobTask } from './translateJob.ts';
import { AGGREGATE_SESSION_TASK } from '../../server/services/liveSessions.ts';
import { createAggregateSessionTask } from './aggregateSession.ts';
import { EXPORT_DATASET_TASK } from '../../server/services/datasetExports.ts';
import { createExportDatasetTask } from './exportDataset.ts';
import { DELIVER_WEBHOOK_TASK } from '../../server/services/webhooks/emit.ts';
import { createDeliverWebhookTask } from './deliverWebhook.ts';
import { HOUSEKEEPING_TASK } from '../../server/services/housekeeping.ts';
import { createHousekeepingTask } from './housekeeping.ts';

/** Every task the worker runs, by graphile-worker task identifier. One small idempotent task per file. */
export function createTaskList(deps: CoreDeps, options: { cancellations?: JobCancellations | null } = {}): TaskList {
  return {
    [TRANSCRIBE_TASK]: createTranscribeTask(deps, options.cancellations ?? null),
    [TRANSLATE_TASK]: createTranslateJobTask(deps),
    [AGGREGATE_SESSION_TASK]: createAggregateSessionTask(deps),
    [DELIVER_WEBHOOK_TASK]: createDeliverWebhookTask(deps),
    [EXPORT_DATASET_TASK]: createExportDatasetTask(deps),
    [HOUSEKEEPING_TASK]: createHousekeepingTask(deps),
  };
}
