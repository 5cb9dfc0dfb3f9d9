import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { runHousekeeping } from '../../server/services/housekeeping.ts';
import { settleFailure } from '../taskFailure.ts';

/** The scheduled sweep (crontab HOUSEKEEPING_CRON): pruning and retention, recorded for operators. */
export function createHousekeepingTask(deps: CoreDeps): Task<'housekeeping'> {
  return async (_payload, helpers) => {
    try {
      await runHousekeeping(deps);
    } catch (error) {
      await settleFailure(error, helpers, null);
    }
  };
}
