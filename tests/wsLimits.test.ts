// The graphql-ws socket's limits: every subscription gives back its listener and its operation slot
// at once, at most 100 operations per socket, a refused operation never closes the socket, a cap
// on sockets per user, and the Origin checked at the handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../server/app.ts';
import { collect, connectWs, errorCodes, openRawSocket, type Collected } from './helpers/graphqlWs.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const CONSOLE_ORIGIN = 'https://console.example.org';

let t: TestApp;
let base: string;

beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: CONSOLE_ORIGIN });
  base = await t.listen();
});

afterAll(async () => {
  await t?.close();
});

const MY_JOBS = `subscription { myJobUpdated { id status } }`;
const listeners = () => t.deps.subscriber!.listenerCount();

/** Waits until the listener count is `count`, failing at once if one of `operations` ended instead. */
async function waitForListeners(count: number, operations: Collected<unknown>[] = [], timeoutMs = 10_000, intervalMs = 5) {
  await waitFor(
    `${count} listeners (now ${listeners()})`,
    async () => {
      const ended = operations.find((operation) => operation.ended());
      if (ended) throw new Error(`an operation ended: ${JSON.stringify(ended.ended())}`);
      return listeners() === count;
    },
    timeoutMs,
    intervalMs,
  );
}

describe('graphql-ws operations', () => {
  it('gives back the listener and the slot of a completed subscription at once (1,000 cycles on one socket)', async () => {
    const user = await registerUser(t);
    const client = connectWs(base, user.accessToken);
    const before = listeners();
    for (let cycle = 0; cycle < 1000; cycle += 1) {
      const subscription = collect(client, MY_JOBS);
      await waitForListeners(before + 1, [subscription]);
      subscription.unsubscribe();
      await waitForListeners(before);
    }
    // The socket still takes operations: nothing was left holding a slot.
    const next = await collect<{ data: { me: { id: string } } }>(client, `{ me { id } }`).done;
    expect(next.error).toBeUndefined();
    expect(next.events[0].data.me.id).toBe(user.id);
    await client.dispose();
  }, 180_000);

  it('gives back every listener when the socket closes', async () => {
    const user = await registerUser(t);
    const client = connectWs(base, user.accessToken);
    const before = listeners();
    const subscriptions = Array.from({ length: 20 }, () => collect(client, MY_JOBS));
    await waitForListeners(before + 20, subscriptions);
    await client.dispose();
    await waitForListeners(before);
  });

  it('refuses operations past 100 on one socket with RATE_LIMITED, without closing it', async () => {
    const user = await registerUser(t);
    const client = connectWs(base, user.accessToken);
    const before = listeners();
    const subscriptions = Array.from({ length: 300 }, () => collect(client, MY_JOBS));
    const refused = await waitFor(
      '200 refusals',
      async () => {
        const ended = subscriptions.filter((subscription) => subscription.ended());
        return ended.length >= 200 && ended;
      },
      30_000,
      20,
    );
    expect(refused).toHaveLength(200);
    for (const subscription of refused) expect(errorCodes(subscription.ended()!.error)).toEqual(['RATE_LIMITED']);
    await waitForListeners(before + 100);
    // Completing one frees its slot for the next operation on the same socket.
    subscriptions.find((subscription) => !subscription.ended())!.unsubscribe();
    await waitForListeners(before + 99);
    const next = await collect<{ data: { me: { id: string } } }>(client, `{ me { id } }`).done;
    expect(next.error).toBeUndefined();
    expect(next.events[0].data.me.id).toBe(user.id);
    await client.dispose();
    await waitForListeners(before);
  }, 60_000);

  it('answers an operation over the depth, alias or cost limit with its error and leaves the socket and its other operations alone', async () => {
    const user = await registerUser(t);
    const client = connectWs(base, user.accessToken);
    let closes = 0;
    client.on('closed', () => (closes += 1));
    const before = listeners();
    const kept = collect(client, MY_JOBS);
    await waitForListeners(before + 1, [kept]);

    const nested = (depth: number): string => (depth === 0 ? 'id' : `session { recording { ${nested(depth - 1)} } }`);
    const tooDeep = `subscription { myJobUpdated { project { recordings { edges { node { ${nested(4)} } } } } } }`;
    const tooManyAliases = `{ ${Array.from({ length: 16 }, (_, index) => `a${index}: me { id }`).join(' ')} }`;
    const tooCostly = `{ me { ${Array.from({ length: 12 }, (_, index) => `j${index}: jobs(first: 100) { edges { node { id segments { text words { word } } owner { id } } } }`).join(' ')} } }`;
    for (const query of [tooDeep, tooManyAliases, tooCostly]) {
      const refused = await collect(client, query).done;
      expect(refused.events).toEqual([]);
      expect(Array.isArray(refused.error)).toBe(true);
      expect(errorCodes(refused.error)).not.toContain('INTERNAL_SERVER_ERROR');
    }
    const messages = (await Promise.all([tooDeep, tooManyAliases, tooCostly].map((query) => collect(client, query).done))).map(
      (result) => JSON.stringify(result.error),
    );
    expect(messages[0]).toMatch(/depth/i);
    expect(messages[1]).toMatch(/alias/i);
    expect(messages[2]).toMatch(/cost/i);

    expect(closes).toBe(0);
    expect(kept.ended()).toBeNull();
    expect(listeners()).toBe(before + 1);
    const next = await collect<{ data: { me: { id: string } } }>(client, `{ me { id } }`).done;
    expect(next.events[0].data.me.id).toBe(user.id);
    await client.dispose();
  });
});

describe('graphql-ws sockets', () => {
  it('closes a user’s socket over MAX_SOCKETS_PER_USER (20) with 4429; other users and freed places are unaffected', async () => {
    const user = await registerUser(t);
    const sockets = Array.from({ length: 20 }, () => openRawSocket(base, user.accessToken));
    for (const { outcome } of sockets) expect(await outcome).toEqual({ ack: true });
    const over = openRawSocket(base, user.accessToken);
    expect(await over.outcome).toMatchObject({ ack: false, code: 4429, reason: expect.stringMatching(/sockets/i) });

    const other = await registerUser(t);
    const theirs = openRawSocket(base, other.accessToken);
    expect(await theirs.outcome).toEqual({ ack: true });

    sockets[0].socket.close();
    await sockets[0].closed;
    const again = openRawSocket(base, user.accessToken);
    expect(await again.outcome).toEqual({ ack: true });
    for (const { socket } of [...sockets, theirs, again]) socket.close();
  });

  it('refuses a browser Origin that is not allowed at the handshake; allowed origins and clients without one connect', async () => {
    const user = await registerUser(t);
    const refused = openRawSocket(base, user.accessToken, { origin: 'https://evil.example.com' });
    expect(await refused.outcome).toEqual({ ack: false, status: 403 });
    for (const origin of [CONSOLE_ORIGIN, new URL(base).origin, null]) {
      const allowed = openRawSocket(base, user.accessToken, origin ? { origin } : {});
      expect(await allowed.outcome).toEqual({ ack: true });
      allowed.socket.close();
    }
  });

  it('gives back every listener when the server shuts down', async () => {
    const user = await registerUser(t);
    const second = buildApp(t.deps);
    await new Promise<void>((resolve) => second.server.listen(0, '127.0.0.1', resolve));
    const address = second.server.address() as { port: number };
    const client = connectWs(`http://127.0.0.1:${address.port}`, user.accessToken);
    const before = listeners();
    const subscriptions = Array.from({ length: 5 }, () => collect(client, MY_JOBS));
    await waitForListeners(before + 5, subscriptions);
    await second.close();
    await waitForListeners(before);
    await client.dispose();
  });
});
