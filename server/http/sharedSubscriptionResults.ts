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
 * `parlance_subscription_event_executions_total{outcome}` counts executions ("executed") and
 * results reused ("shared").
 */
const EXECUTIONS = 'parlance_subscription_event_executions_total';

export function shareSubscriptionResults(metrics: Pick<Metrics, 'registry'>): Plugin {
  const executions = (metrics.registry.getSingleMetric(EXECUTIONS) as Counter<'outcome'> | undefined) ?? new Counter({
    name: EXECUTIONS,
    help: 'Subscription events executed for a subscriber ("executed") or answered with a result already executed for the same event, visibility and selection ("shared").',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  const executeEvent = (args: ExecutionArgs, selection: string, event: unknown) => {
    if (!isSharedPayload(event)) {
      executions.inc({ outcome: 'executed' });
      return execute({ ...args, rootValue: event });
    }
    let fresh = false;
    const result = sharedForEvent(event, `result:${selection}`, () => {
      fresh = true;
      return execute({ ...args, rootValue: event });
    });
    executions.inc({ outcome: fresh ? 'executed' : 'shared' });
    return result;
  };
  const subscribe = async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source as ExecutionResult;
    const selection = selectionKey(args);
    return mapEvents(source as AsyncGenerator<unknown>, (event) => executeEvent(args, selection, event));
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
 * The source's events through `map`. return() goes to the source at once (it does not wait for a
 * pending next(): an abortable stream frees its listeners then); a failing source ends the
 * subscription with its error, located at the operation as graphql-tools' executor does.
 */
function mapEvents(source: AsyncGenerator<unknown>, map: (event: unknown) => unknown): AsyncGenerator<ExecutionResult> {
  const mapped: AsyncGenerator<ExecutionResult> = {
    next: async () => {
      let step: IteratorResult<unknown>;
      try {
        step = await source.next();
      } catch (error) {
        throw error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error as Error });
      }
      if (step.done) return { done: true, value: undefined };
      return { done: false, value: (await map(step.value)) as ExecutionResult };
    },
    return: async () => {
      await source.return(undefined);
      return { done: true, value: undefined };
    },
    throw: async (error) => {
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
