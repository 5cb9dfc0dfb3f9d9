import type { TaskList } from 'graphile-worker';

/** Every task the worker runs, by graphile-worker task identifier. One small idempotent task per file. */
export const taskList: TaskList = {};
