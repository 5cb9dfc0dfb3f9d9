/**
 * A subscription's events written straight to its socket, as the `next` messages graphql-ws would
 * send, byte for byte (it is used without an onNext hook or a jsonMessageReplacer, so its message is
 * JSON.stringify({ id, type: 'next', payload })). graphql-ws then sees only the end of the stream
 * (complete) or its error, after every event, so the socket's messages keep their order.
 *
 * Why: graphql-ws serialises each event for each subscriber and waits for the socket's write callback
 * before taking the next one. Subscribers of one event with the same selection and visibility share
 * one result object (http/sharedSubscriptionResults.ts), so its payload's JSON is built once here
 * and each subscriber's message only adds its operation id.
 */
import type { ExecutionResult } from 'graphql';

const payloadJson = new WeakMap<object, string>();

/** graphql-ws's `next` message for `result`; the payload's JSON is built once per result object. */
export function nextMessage(id: string, result: ExecutionResult): string {
  let json = payloadJson.get(result);
  if (json === undefined) {
    // As graphql-ws builds the payload: `errors` last, and only when there are any.
    const { errors, ...withoutErrors } = result;
    json = JSON.stringify({ ...withoutErrors, ...(errors ? { errors: errors.map((error) => error.toJSON()) } : {}) });
    payloadJson.set(result, json);
  }
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${json}}`;
}

/**
 * The stream as graphql-ws consumes it: each event goes to `deliver` as it arrives, and next()
 * settles only when the stream ends or fails. After return() (the client completed the operation,
 * the socket closed) nothing more is delivered.
 */
export function deliveredDirectly(
  results: AsyncIterable<ExecutionResult>,
  deliver: (result: ExecutionResult) => void,
): AsyncGenerator<ExecutionResult> {
  const source = results[Symbol.asyncIterator]();
  let ended = false;
  const finished: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const stream: AsyncGenerator<ExecutionResult> = {
    next: async () => {
      for (;;) {
        const step = await source.next();
        if (ended || step.done) return finished;
        deliver(step.value);
      }
    },
    return: async () => {
      ended = true;
      await source.return?.(undefined);
      return finished;
    },
    throw: async (error) => {
      ended = true;
      await source.return?.(undefined);
      throw error;
    },
    [Symbol.asyncIterator]: () => stream,
    [Symbol.asyncDispose]: async () => {
      await stream.return(undefined);
    },
  };
  return stream;
}
