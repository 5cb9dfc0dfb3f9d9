import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { runHousekeeping } from '../../server/services/housekeeping.ts';

/** The scheduled sweep (crontab HOUSEKEEPING_CRON): pruning and retention, recorded for operators. */
export function createHousekeepingTask(deps: CoreDeps): Task {
  return async () => {
    await runHousekeeping(deps);
  };
}
