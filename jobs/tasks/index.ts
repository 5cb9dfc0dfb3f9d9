import type { TaskList } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { LEGACY_TASK_NAMES, type TaskName } from '../../server/db/queue.ts';
import type { JobCancellations } from '../cancellation.ts';
import { createAggregateSessionTask } from './aggregateSession.ts';
import { createAnalyzeSentimentTask } from './analyzeSentiment.ts';
import { createDeliverWebhookTask } from './deliverWebhook.ts';
import { createEraseStoredFilesTask } from './eraseStoredFiles.ts';
import { createExportDatasetTask } from './exportDataset.ts';
import { createHousekeepingTask } from './housekeeping.ts';
import { createSendPasswordResetTask } from './sendPasswordReset.ts';
import { createSummarizeTranscriptTask } from './summarizeTranscript.ts';
import { createTranscribeTask } from './transcribe.ts';
import { createTranslateJobTask } from './translateJob.ts';

/**
 * Every task the worker runs, by graphile-worker task identifier (server/db/queue.ts), one thin task
 * per file: assert the payload, call one service, settle failures with jobs/taskFailure.ts. Rows
 * queued under an older identifier run the task that replaced it.
 */
export function createTaskList(deps: CoreDeps, options: { cancellations?: JobCancellations | null } = {}): TaskList {
  const tasks = {
    transcribe: createTranscribeTask(deps, options.cancellations ?? null),
    translateJob: createTranslateJobTask(deps),
    analyzeSentiment: createAnalyzeSentimentTask(deps),
    summarizeTranscript: createSummarizeTranscriptTask(deps),
    aggregateSession: createAggregateSessionTask(deps),
    exportDataset: createExportDatasetTask(deps),
    deliverWebhook: createDeliverWebhookTask(deps),
    housekeeping: createHousekeepingTask(deps),
    eraseStoredFiles: createEraseStoredFilesTask(deps),
    sendPasswordReset: createSendPasswordResetTask(deps),
  } satisfies Required<Pick<TaskList, TaskName>>;
  const legacy = Object.fromEntries(Object.entries(LEGACY_TASK_NAMES).map(([old, current]) => [old, tasks[current]]));
  return { ...legacy, ...tasks };
}
