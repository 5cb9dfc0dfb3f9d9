/**
 * Fan-out: one job's transcript chunks to 1,000 graphql-ws subscribers (`transcriptChunks(jobId:)`,
 * each on its own socket, all the same user) through the whole path (NOTIFY from the publisher ->
 * the process's LISTEN connection -> each subscription re-reads the row (shared read) -> the shared
 * result's graphql-ws `next` message, serialised once (http/wsNextMessages.ts), written to each
 * socket with its operation id), against a raw `ws` server broadcasting the same bytes to 1,000 plain
 * sockets. The subscribers run in a child process (this file, forked), so the server's memory is
 * its own. Both sides' clients parse every message.
 *
 * Both sides stay connected (2,000 sockets) and are measured in alternating rounds (ROUNDS each),
 * so both see the same machine; each figure is the median of its rounds, with the load average.
 * Every subscriber is one user, as a popular job's audience would be many; the visibility check and
 * the execution are shared per event (pubsub/eventShare.ts, http/sharedSubscriptionResults.ts).
 *
 * - deliveries/s: 30 events published at once; deliveries / (last receipt - first publish).
 *   Goal: at least 0.5x the raw broadcast.
 * - publish-to-receive: 20 events 100 ms apart; from the publish call to each subscriber's receipt.
 *   Goal: p95 at most 2x the raw broadcast's p95 (ours also pays for the NOTIFY round trip and the
 *   reads each event needs, which raw ws does not).
 * - server CPU per delivery (info): this process's CPU time (user + system) over a round's 50 events,
 *   divided by its deliveries, ours vs the raw broadcast; it moves less with the machine's load than
 *   the wall-clock figures above.
 * - memory per idle connection: the server process's RSS (and heap, after GC) before and after the
 *   1,000 sockets connected and subscribed, divided by 1,000. Goal: <= 64 KiB.
 *
 * `npm run bench -- fanout`, or on its own: `npx tsx tests/bench/fanout.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createClient, type Client } from 'graphql-ws';
import WebSocket, { WebSocketServer } from 'ws';
import { buildApp } from '../../server/app.ts';
import { newId } from '../../server/ids.ts';
import { topics } from '../../server/pubsub/pubsub.ts';
import { register } from '../../server/services/accounts.ts';
import { createBenchDeps } from './lib/app.ts';
import { benchPostgres, stopBenchPostgres } from './lib/database.ts';
import { BenchReport, fmt } from './lib/report.ts';
import { median, quantile, sleep, waitUntil } from './lib/stats.ts';

export const name = 'fanout';
export const description = "one job's chunks to 1,000 graphql-ws subscribers vs a raw ws broadcast of the same bytes";

const SUBSCRIBERS = 1000;
const LATENCY_EVENTS = 20;
const THROUGHPUT_EVENTS = 30;
const ROUNDS = 3;
const CHILD_FLAG = 'PARLANCE_FANOUT_CHILD';
/** What a live-captions client asks for; the second selection adds per-word timings (info only). */
const SELECTIONS = {
  captions: 'jobId isFinal segment { index start end text }',
  words: 'jobId isFinal segment { index start end text words { word start end confidence } }',
} as const;
type Selection = keyof typeof SELECTIONS;
const subscriptionFor = (selection: Selection) => `subscription ($id: ID) { transcriptChunks(jobId: $id) { ${SELECTIONS[selection]} } }`;

/** Monotonic milliseconds, comparable between processes on one machine (CLOCK_MONOTONIC). */
const clock = () => Number(process.hrtime.bigint()) / 1e6;

type ToChild =
  | { cmd: 'graphql'; url: string; token: string; jobId: string; n: number; selection: Selection }
  | { cmd: 'raw'; url: string; n: number }
  | { cmd: 'reset' }
  | { cmd: 'status' }
  | { cmd: 'report' }
  | { cmd: 'close' };

type FromChild =
  | { type: 'connected'; clients: number }
  | { type: 'status'; clientsWithEvents: number; deliveries: number }
  | { type: 'report'; received: Record<number, number[]> }
  | { type: 'closed' }
  | { type: 'error'; message: string };

// ---- parent -------------------------------------------------------------------------------------

class ChildClients {
  readonly #child: ChildProcess;
  #waiting: ((message: FromChild) => void) | null = null;

  constructor() {
    this.#child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [CHILD_FLAG]: '1' },
      execArgv: process.execArgv,
      serialization: 'advanced',
    });
    this.#child.on('message', (message: FromChild) => {
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.(message);
    });
  }

  ask(message: ToChild, timeoutMs = 120_000): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the client process did not answer ${message.cmd}`)), timeoutMs);
      this.#waiting = (answer) => {
        clearTimeout(timer);
        if (answer.type === 'error') reject(new Error(answer.message));
        else resolve(answer);
      };
      this.#child.send(message);
    });
  }

  async stop(): Promise<void> {
    await this.ask({ cmd: 'close' }, 30_000).catch(() => {});
    this.#child.kill();
  }
}

function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

interface Phases {
  /** This (the server's) process's CPU microseconds per delivery over both phases. */
  cpuPerDelivery: number;
  deliveriesPerSecond: number;
  delivered: number;
  expected: number;
  latencies: number[];
}

/** Latency phase (events 0..19, 100 ms apart), then throughput phase (20..49, back to back). */
async function measure(clients: ChildClients, publish: (index: number) => Promise<void> | void): Promise<Phases> {
  await clients.ask({ cmd: 'reset' });
  const cpuBefore = process.cpuUsage();
  const publishedAt = new Map<number, number>();
  for (let index = 0; index < LATENCY_EVENTS; index++) {
    publishedAt.set(index, clock());
    await publish(index);
    await sleep(100);
  }
  // Every latency event received before the throughput phase starts (or a minute gone).
  const latencyDeadline = Date.now() + 60_000;
  while (Date.now() < latencyDeadline) {
    const status = (await clients.ask({ cmd: 'status' })) as Extract<FromChild, { type: 'status' }>;
    if (status.deliveries >= SUBSCRIBERS * LATENCY_EVENTS) break;
    await sleep(50);
  }
  const first = (await clients.ask({ cmd: 'report' })) as Extract<FromChild, { type: 'report' }>;
  const latencies: number[] = [];
  for (const [index, times] of Object.entries(first.received)) {
    for (const time of times) latencies.push(time - publishedAt.get(Number(index))!);
  }

  await clients.ask({ cmd: 'reset' });
  const start = clock();
  // All at once: in production a worker process publishes, so a publish never waits for the API
  // process's event loop to finish delivering the previous event (here both share one process).
  await Promise.all(Array.from({ length: THROUGHPUT_EVENTS }, (_, i) => publish(LATENCY_EVENTS + i)));
  const expected = SUBSCRIBERS * THROUGHPUT_EVENTS;
  const deadline = Date.now() + 60_000;
  let delivered = 0;
  while (Date.now() < deadline) {
    const status = (await clients.ask({ cmd: 'status' })) as Extract<FromChild, { type: 'status' }>;
    delivered = status.deliveries;
    if (delivered >= expected) break;
    await sleep(50);
  }
  const second = (await clients.ask({ cmd: 'report' })) as Extract<FromChild, { type: 'report' }>;
  const last = Math.max(...Object.values(second.received).flat());
  const cpu = process.cpuUsage(cpuBefore);
  const cpuPerDelivery = (cpu.user + cpu.system) / (latencies.length + delivered);
  return { cpuPerDelivery, deliveriesPerSecond: (delivered / (last - start)) * 1000, delivered, expected, latencies };
}

export async function run(report: BenchReport): Promise<void> {
  const gc = exposeGc();
  const pg = await benchPostgres();
  const databaseUrl = await pg.createDatabase('fanout');
  // All subscribers are one user (each on its own socket), above the per-user socket cap.
  const bench = await createBenchDeps(databaseUrl, { MAX_SOCKETS_PER_USER: String(SUBSCRIBERS) }, { subscriptions: true });
  const { deps } = bench;
  const app = buildApp(deps, { jobRunnerReady: () => true });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const base = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  const raw = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => raw.once('listening', () => resolve()));
  const clients = new ChildClients();
  try {
    const session = await register(deps, { email: `fanout${process.pid}@example.com`, username: `fanout${process.pid}`, password: 'a long enough bench password' });
    const jobId = newId('Job');
    await deps.db.job.create({ data: { id: jobId, ownerId: session.user.id, provider: 'LOCAL', status: 'PROCESSING', filename: 'fanout.wav' } });
    const text = 'the quick brown fox jumps over the lazy dog and runs into the forest';
    const segments = Array.from({ length: LATENCY_EVENTS + THROUGHPUT_EVENTS }, (_, idx) => ({
      jobId,
      idx,
      chunkIndex: 0,
      startSeconds: idx * 5,
      endSeconds: idx * 5 + 4.5,
      text,
      words: text.split(' ').map((word, i) => ({ word, start: idx * 5 + i * 0.3, end: idx * 5 + i * 0.3 + 0.25, confidence: 0.9 })),
    }));
    await deps.db.transcriptSegment.createMany({ data: segments });

    // The same bytes graphql-ws sends each subscriber, for the raw broadcast.
    const message = (index: number, selection: Selection) => {
      const segment = segments[index];
      const chunk = { index, start: segment.startSeconds, end: segment.endSeconds, text: segment.text };
      return JSON.stringify({
        id: '00000000-0000-4000-8000-000000000000',
        type: 'next',
        payload: {
          data: {
            transcriptChunks: { jobId, isFinal: true, segment: selection === 'words' ? { ...chunk, words: segment.words } : chunk },
          },
        },
      });
    };
    const publish = (index: number) => deps.publisher.publish(topics.jobChunks(jobId), { jobId, index, isFinal: true });

    interface Side {
      cpuPerDelivery: number;
      deliveriesPerSecond: number;
      p50: number;
      p95: number;
      max: number;
      delivered: string;
    }
    const summarise = (rounds: Phases[]): Side => ({
      cpuPerDelivery: median(rounds.map((round) => round.cpuPerDelivery)),
      deliveriesPerSecond: median(rounds.map((round) => round.deliveriesPerSecond)),
      p50: median(rounds.map((round) => quantile(round.latencies, 0.5))),
      p95: median(rounds.map((round) => quantile(round.latencies, 0.95))),
      max: Math.max(...rounds.map((round) => Math.max(...round.latencies))),
      delivered: rounds.map((round) => `${round.delivered}/${round.expected}`).join(','),
    });
    const results: Record<Selection, { ours: Side; bare: Side; loads: number[]; heapPerConnection: number; rssPerConnection: number }> = {} as never;
    let rawHeapPerConnection = 0;
    let rawRssPerConnection = 0;
    for (const selection of ['captions', 'words'] as const) {
      // ---- ours: graphql-ws subscribers
      gc();
      const before = process.memoryUsage();
      const connected = await clients.ask({ cmd: 'graphql', url: base, token: session.accessToken, jobId, n: SUBSCRIBERS, selection }, 300_000);
      if (connected.type !== 'connected' || connected.clients !== SUBSCRIBERS) throw new Error(`only ${JSON.stringify(connected)} connected`);
      // Subscriptions start asynchronously: probe until every subscriber has received an event.
      const probeDeadline = Date.now() + 60_000;
      for (;;) {
        await publish(0);
        await sleep(300);
        const status = (await clients.ask({ cmd: 'status' })) as Extract<FromChild, { type: 'status' }>;
        if (status.clientsWithEvents >= SUBSCRIBERS) break;
        if (Date.now() > probeDeadline) throw new Error(`only ${status.clientsWithEvents} subscribers are receiving events`);
      }
      await sleep(500);
      gc();
      const after = process.memoryUsage();

      // ---- bare: raw ws broadcast of the same bytes, to sockets of its own
      gc();
      const rawBefore = process.memoryUsage();
      await clients.ask({ cmd: 'raw', url: `ws://127.0.0.1:${(raw.address() as AddressInfo).port}`, n: SUBSCRIBERS }, 120_000);
      await waitUntil(() => raw.clients.size >= SUBSCRIBERS, 30_000, 'raw clients');
      await sleep(500);
      gc();
      const rawAfter = process.memoryUsage();
      rawHeapPerConnection = (rawAfter.heapUsed + rawAfter.external - rawBefore.heapUsed - rawBefore.external) / SUBSCRIBERS;
      rawRssPerConnection = (rawAfter.rss - rawBefore.rss) / SUBSCRIBERS;
      const broadcast = (index: number) => {
        const bytes = message(index, selection);
        for (const socket of raw.clients) socket.send(bytes);
      };

      const oursRounds: Phases[] = [];
      const bareRounds: Phases[] = [];
      const loads: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        loads.push(os.loadavg()[0]);
        oursRounds.push(await measure(clients, publish));
        bareRounds.push(await measure(clients, broadcast));
      }
      await clients.ask({ cmd: 'close' }, 60_000);
      await waitUntil(() => raw.clients.size === 0, 30_000, 'raw clients to close');
      results[selection] = {
        ours: summarise(oursRounds),
        bare: summarise(bareRounds),
        loads,
        heapPerConnection: (after.heapUsed + after.external - before.heapUsed - before.external) / SUBSCRIBERS,
        rssPerConnection: (after.rss - before.rss) / SUBSCRIBERS,
      };
    }

    const { captions, words } = results;
    report.info('setup', {
      subscribers: SUBSCRIBERS,
      latency_events: LATENCY_EVENTS,
      throughput_events: THROUGHPUT_EVENTS,
      captions_message_bytes: Buffer.byteLength(message(0, 'captions')),
      words_message_bytes: Buffer.byteLength(message(0, 'words')),
    });
    report.note(`captions selection: ${SELECTIONS.captions}\nwords selection: ${SELECTIONS.words}`);
    const loadText = (loads: number[]) => loads.map((load) => load.toFixed(2)).join(',');
    report.info('delivered', { rounds: ROUNDS, ours: captions.ours.delivered, bare: captions.bare.delivered });
    report.ratio('deliveries_per_s', captions.ours.deliveriesPerSecond, captions.bare.deliveriesPerSecond, { min: 0.5, label: 'raw_ws' });
    report.ratio('publish_to_receive_p95', captions.ours.p95, captions.bare.p95, { unit: ' ms', max: 2, label: 'raw_ws' });
    report.info('publish_to_receive', {
      ours_p50_ms: captions.ours.p50,
      ours_p95_ms: captions.ours.p95,
      ours_max_ms: captions.ours.max,
      raw_p50_ms: captions.bare.p50,
      raw_p95_ms: captions.bare.p95,
      raw_max_ms: captions.bare.max,
      load_average_1m_per_round: loadText(captions.loads),
    });
    report.ratio('server_cpu_us_per_delivery', captions.ours.cpuPerDelivery, captions.bare.cpuPerDelivery, { unit: ' us', label: 'raw_ws' });
    report.ratio('server_cpu_us_per_delivery_with_words', words.ours.cpuPerDelivery, words.bare.cpuPerDelivery, { unit: ' us', label: 'raw_ws' });
    report.ratio('deliveries_per_s_with_words', words.ours.deliveriesPerSecond, words.bare.deliveriesPerSecond, { label: 'raw_ws' });
    report.info('publish_to_receive_with_words', {
      ours_p50_ms: words.ours.p50,
      ours_p95_ms: words.ours.p95,
      raw_p95_ms: words.bare.p95,
      load_average_1m_per_round: loadText(words.loads),
    });
    report.absolute('memory_per_idle_connection', captions.heapPerConnection / 1024, { unit: ' KiB', max: 64 });
    report.info('memory_per_idle_connection_detail', {
      heap_kib: captions.heapPerConnection / 1024,
      rss_kib: captions.rssPerConnection / 1024,
      raw_ws_heap_kib: rawHeapPerConnection / 1024,
      raw_ws_rss_kib: rawRssPerConnection / 1024,
    });
    report.note('memory: the server process after GC, heap (JS heap + external) per socket with one subscription; RSS also counts allocator and V8 page slack.');
  } finally {
    await clients.stop();
    await new Promise<void>((resolve) => raw.close(() => resolve()));
    await app.close();
    await bench.close();
  }
}

/** Runs the benchmark on its own and prints its lines. */
export default async function fanout(): Promise<void> {
  console.log(`\n== ${name}: ${description}`);
  const report = new BenchReport(name);
  try {
    await run(report);
  } catch (error) {
    report.error('run', error);
  }
}

// ---- child: the subscribers ---------------------------------------------------------------------

function childMain(): void {
  let graphqlClients: Client[] = [];
  let rawClients: WebSocket[] = [];
  let received = new Map<number, number[]>();
  let deliveries = 0;
  const clientsWithEvents = new Set<number>();
  const send = (message: FromChild) => process.send!(message);

  const record = (client: number, index: number) => {
    const now = clock();
    deliveries += 1;
    clientsWithEvents.add(client);
    let list = received.get(index);
    if (!list) received.set(index, (list = []));
    list.push(now);
  };

  async function openGraphql(message: Extract<ToChild, { cmd: 'graphql' }>): Promise<void> {
    for (let batch = 0; batch < message.n; batch += 100) {
      const opened: Promise<void>[] = [];
      for (let i = batch; i < Math.min(message.n, batch + 100); i++) {
        opened.push(
          new Promise<void>((resolve, reject) => {
            const client = createClient({
              url: message.url,
              webSocketImpl: WebSocket,
              connectionParams: { authorization: `Bearer ${message.token}` },
              lazy: false,
              retryAttempts: 0,
              on: { connected: () => resolve(), closed: (event) => reject(new Error(`socket ${i} closed: ${JSON.stringify(event)}`)) },
            });
            graphqlClients.push(client);
            client.subscribe<{ transcriptChunks: { segment: { index: number } } }>(
              { query: subscriptionFor(message.selection), variables: { id: message.jobId } },
              {
                next: (result) => {
                  if (result.data) record(i, result.data.transcriptChunks.segment.index);
                },
                error: () => {},
                complete: () => {},
              },
            );
          }),
        );
      }
      await Promise.all(opened);
    }
  }

  async function openRaw(message: Extract<ToChild, { cmd: 'raw' }>): Promise<void> {
    for (let batch = 0; batch < message.n; batch += 100) {
      const opened: Promise<void>[] = [];
      for (let i = batch; i < Math.min(message.n, batch + 100); i++) {
        const socket = new WebSocket(message.url);
        rawClients.push(socket);
        socket.on('message', (data) => {
          const parsed = JSON.parse(data.toString()) as { payload: { data: { transcriptChunks: { segment: { index: number } } } } };
          record(i, parsed.payload.data.transcriptChunks.segment.index);
        });
        opened.push(new Promise((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        }));
      }
      await Promise.all(opened);
    }
  }

  process.on('message', (message: ToChild) => {
    void (async () => {
      try {
        switch (message.cmd) {
          case 'graphql':
            await openGraphql(message);
            return send({ type: 'connected', clients: graphqlClients.length });
          case 'raw':
            await openRaw(message);
            return send({ type: 'connected', clients: rawClients.length });
          case 'reset':
            received = new Map();
            deliveries = 0;
            clientsWithEvents.clear();
            return send({ type: 'status', clientsWithEvents: 0, deliveries: 0 });
          case 'status':
            return send({ type: 'status', clientsWithEvents: clientsWithEvents.size, deliveries });
          case 'report':
            return send({ type: 'report', received: Object.fromEntries(received) });
          case 'close':
            await Promise.all(graphqlClients.map((client) => client.dispose()));
            for (const socket of rawClients) socket.terminate();
            graphqlClients = [];
            rawClients = [];
            received = new Map();
            deliveries = 0;
            clientsWithEvents.clear();
            return send({ type: 'closed' });
        }
      } catch (error) {
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
}

if (process.env[CHILD_FLAG] === '1') {
  childMain();
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  fanout()
    .finally(() => stopBenchPostgres())
    .then(() => process.exit(0));
}
