import type { TaskList } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { TRANSCRIBE_TASK } from '../../server/services/jobs.ts';
import { createTranscribeTask } from './transcribe.ts';

/** Every task the worker runs, by graphile-worker task identifier. One small idempotent task per file. */
export function createTaskList(deps: CoreDeps): TaskList {
  return {
    [TRANSCRIBE_TASK]: createTranscribeTask(deps),
  };
}
