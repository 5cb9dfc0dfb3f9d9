import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import { aggregateSession, aggregationFailure } from '../../server/services/sessionAggregation.ts';
import { assertAggregateSessionPayload } from '../payloads.ts';
import { settleFailure } from '../taskFailure.ts';

/** An ENDED live session made into its files (server/services/sessionAggregation.ts). */
export function createAggregateSessionTask(deps: CoreDeps): Task<'aggregateSession'> {
  return async (payload, helpers) => {
    const { sessionId } = assertAggregateSessionPayload(payload);
    try {
      await aggregateSession(deps, sessionId, { signal: helpers.abortSignal, info: (message) => helpers.logger.info(message) });
    } catch (error) {
      await settleFailure(error, helpers, aggregationFailure(deps, sessionId));
    }
  };
}
