import {
  createSourceEventStream,
  execute,
  GraphQLError,
  print,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { Counter } from 'prom-client';
import type { Metrics } from '../observability/metrics.ts';
import { isSharedPayload, sharedForEvent } from '../pubsub/eventShare.ts';

/**
 * Subscriptions execute each event as graphql-js does (the event as root value, the selection over
 * it), except that an event payload marked shared (pubsub/eventShare.ts: one object per event and
 * visibility class, handed only to subscribers whose right to it was checked) is executed once per
 * distinct selection (document, operation name, variables) and its result handed to all of them.
 * A thousand subscribers of one job with the same query cost one execution per event instead of a
 * thousand. Results are never changed afterwards (plugins that mask errors replace them).
 *
 * A transport that writes events itself (http/wsServer.ts) may set `deliverSharedResult` on the
 * context: a shared result without errors then goes to it at once, and the stream goes on to the next
 * event without handing the result up through the plugins' per-result hooks and the transport's
 * loop. Those hooks (maskAndLogErrors, hideSuggestions, Yoga's error masking) only rewrite errors,
 * so such a result leaves as it is either way; one with errors takes the usual way.
 *
 * `parlance_subscription_event_executions_total{outcome}` counts executions ("executed") and
 * results reused ("shared").
 */
const EXECUTIONS = 'parlance_subscription_event_executions_total';

/** Set on a subscription's context by a transport that writes events itself (see above). */
export interface SharedResultDelivery {
  deliverSharedResult?: (result: ExecutionResult) => void;
}

/** Results executed for a shared payload: the same object goes to every subscriber of its class. */
const sharedResults = new WeakSet<object>();
const markShared = (result: ExecutionResult) => {
  sharedResults.add(result);
  return result;
};

export function shareSubscriptionResults(metrics: Pick<Metrics, 'registry'>): Plugin {
  const executions = (metrics.registry.getSingleMetric(EXECUTIONS) as Counter<'outcome'> | undefined) ?? new Counter({
    name: EXECUTIONS,
    help: 'Subscription events executed for a subscriber ("executed") or answered with a result already executed for the same event, visibility and selection ("shared").',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  const executed = executions.labels({ outcome: 'executed' });
  const shared = executions.labels({ outcome: 'shared' });
  const executeEvent = (args: ExecutionArgs, resultKey: string, event: unknown) => {
    if (!isSharedPayload(event)) {
      executed.inc();
      return execute({ ...args, rootValue: event });
    }
    let fresh = false;
    const result = sharedForEvent(event, resultKey, () => {
      fresh = true;
      const outcome = execute({ ...args, rootValue: event });
      return outcome instanceof Promise ? outcome.then(markShared) : markShared(outcome);
    });
    (fresh ? executed : shared).inc();
    return result;
  };
  const subscribe = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    // Built once per subscription: every event looks its result up by it.
    const resultKey = `result:${selectionKey(args)}`;
    const { deliverSharedResult } = args.contextValue as SharedResultDelivery;
    return mapEvents(source as AsyncGenerator<unknown>, (event) => executeEvent(args, resultKey, event), deliverSharedResult);
  };
  return {
    onSubscribe: ({ setSubscribeFn }) => {
      setSubscribeFn(subscribe as never);
    },
  };
}

const printed = new WeakMap<DocumentNode, string>();

/** What makes two subscriptions' results over one payload the same: the selection, not who asked. */
function selectionKey(args: ExecutionArgs): string {
  let text = printed.get(args.document);
  if (text === undefined) printed.set(args.document, (text = print(args.document)));
  return JSON.stringify([text, args.operationName ?? null, args.variableValues ?? null]);
}

/**
 * The source's events through `map`; shared results without errors to `deliverShared` when given
 * (nothing after return()). return() goes to the source at once (it does not wait for a pending
 * next(): an abortable stream frees its listeners then); a failing source ends the subscription with
 * its error, located at the operation as graphql-tools' executor does.
 */
function mapEvents(
  source: AsyncGenerator<unknown>,
  map: (event: unknown) => unknown,
  deliverShared?: (result: ExecutionResult) => void,
): AsyncGenerator<ExecutionResult> {
  let ended = false;
  const mapped: AsyncGenerator<ExecutionResult> = {
    next: async () => {
      for (;;) {
        let step: IteratorResult<unknown>;
        try {
          step = await source.next();
        } catch (error) {
          throw error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error as Error });
        }
        if (step.done) return { done: true, value: undefined };
        // A shared result is usually there already: no extra turn of the event loop's microtasks for it.
        const mappedValue = map(step.value);
        const result = (mappedValue instanceof Promise ? await mappedValue : mappedValue) as ExecutionResult;
        if (!deliverShared || !sharedResults.has(result) || result.errors?.length) return { done: false, value: result };
        if (ended) return { done: true, value: undefined };
        deliverShared(result);
      }
    },
    return: async () => {
      ended = true;
      await source.return(undefined);
      return { done: true, value: undefined };
    },
    throw: async (error) => {
      ended = true;
      await source.return(undefined);
      throw error;
    },
    [Symbol.asyncIterator]: () => mapped,
    [Symbol.asyncDispose]: async () => {
      await source.return(undefined);
    },
  };
  return mapped;
}
