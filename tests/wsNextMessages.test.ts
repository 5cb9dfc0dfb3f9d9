// The `next` messages the WebSocket layer writes itself (server/http/wsNextMessages.ts) are the bytes
// graphql-ws's own server writes for the same results: its makeServer runs here over a socket that
// records what it sends.
import { GraphQLError, buildSchema, type ExecutionResult } from 'graphql';
import { makeServer, MessageType } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { deliveredDirectly, nextMessage } from '../server/http/wsNextMessages.ts';
import { waitFor } from './helpers/wait.ts';

const results: ExecutionResult[] = [
  { data: { transcriptChunks: { jobId: 'Job_1', isFinal: true, segment: { index: 0, start: 0, end: 4.5, text: 'the quick brown fox' } } } },
  { data: { transcriptChunks: { jobId: 'Job_1', isFinal: false, segment: { index: 1, start: 1e-7, end: 12.25, text: 'quotes " \\ \n\u2028 and ünïcödé 🎙' } } } },
  { data: null, errors: [new GraphQLError('Job not found.', { path: ['transcriptChunks'], extensions: { code: 'NOT_FOUND' } })] },
  { data: { transcriptChunks: null }, errors: [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })], extensions: { cost: 3 } },
];

/** What graphql-ws's own server sends for `results` under operation `id`. */
async function sentByGraphqlWs(id: string): Promise<string[]> {
  const sent: string[] = [];
  let onMessage: (data: string) => Promise<void> = async () => {};
  const server = makeServer({
    schema: buildSchema('type Query { a: Int } type Subscription { a: Int }'),
    subscribe: async () =>
      (async function* () {
        yield* results;
      })(),
  });
  server.opened(
    {
      protocol: 'graphql-transport-ws',
      send: (data) => void sent.push(data),
      close: () => {},
      onMessage: (cb) => (onMessage = cb),
    },
    {},
  );
  await onMessage(JSON.stringify({ type: MessageType.ConnectionInit }));
  await onMessage(JSON.stringify({ id, type: MessageType.Subscribe, payload: { query: 'subscription { a }' } }));
  await waitFor('the complete message', async () => sent.some((message) => JSON.parse(message).type === MessageType.Complete), 10_000, 5);
  return sent.filter((message) => JSON.parse(message).type === MessageType.Next);
}

describe('next messages written by the WebSocket layer', () => {
  it('are byte for byte what graphql-ws sends, for any operation id', async () => {
    for (const id of ['1', '3f2c1a9e-8f4b-4c1d-9a8e-2b7c5d6e0f11', 'quote"and\\slash']) {
      expect(results.map((result) => nextMessage(id, result))).toEqual(await sentByGraphqlWs(id));
    }
  });

  it('hand every event on in order, and none after return()', async () => {
    const delivered: ExecutionResult[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const source = (async function* () {
      yield results[0];
      yield results[1];
      await gate;
      yield results[2];
    })();
    const stream = deliveredDirectly(source, (result) => delivered.push(result));
    const ended = stream.next();
    await waitFor('two events delivered', async () => delivered.length === 2, 10_000, 5);
    expect(delivered).toEqual([results[0], results[1]]);
    const returned = stream.return(undefined);
    release();
    await returned;
    expect(await ended).toEqual({ done: true, value: undefined });
    expect(delivered).toHaveLength(2);
  });
});
