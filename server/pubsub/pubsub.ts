/**
 * Events that cross processes: through PostgreSQL LISTEN/NOTIFY (the default), or through Redis
 * pub/sub with PUBSUB=redis (redisTransport.ts). A worker process publishes ("job X changed",
 * "segment 7 of job X stored"); every API process listening relays it to its subscribers, who
 * re-read rows through Prisma with the same authorization as queries. Payloads carry ids and small
 * values only: NOTIFY refuses payloads of 8000 bytes or more, and Redis is held to the same limit.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

export const CHANNEL = 'parlance_events';
const MAX_PAYLOAD_BYTES = 7900;

export type EventPayload = Record<string, string | number | boolean | null>;

export interface TopicEvent {
  topic: string;
  payload: EventPayload;
}

export const topics = {
  job: (jobId: string) => `job:${jobId}`,
  userJobs: (userId: string) => `user-jobs:${userId}`,
  jobChunks: (jobId: string) => `job-chunks:${jobId}`,
  sessionChunks: (sessionId: string) => `session-chunks:${sessionId}`,
} as const;

/** Anything that can run one SQL statement with parameters: a pg pool, or Prisma's raw API. */
interface Notifier {
  notify(channel: string, payload: string): Promise<void>;
  /** Several messages in this order, in one round trip (one statement, one Redis pipeline). */
  notifyAll(channel: string, payloads: readonly string[]): Promise<void>;
}

export interface Publisher {
  publish(topic: string, payload: EventPayload): Promise<void>;
  /**
   * Several events, delivered in this order, sent in one round trip: what one committed change
   * announces (a job's two topics, the segments it stored). An event too large to publish is left
   * out and reported; the others go.
   */
  publishAll(events: readonly TopicEvent[]): Promise<void>;
  /** Releases the transport's own connection, when it has one (Redis). */
  close?(): Promise<void>;
}

export function createPublisher(notifier: Notifier, close?: () => Promise<void>): Publisher {
  return {
    publish: async (topic, payload) => {
      await notifier.notify(CHANNEL, encodeEvent(topic, payload));
    },
    publishAll: async (events) => {
      const messages: string[] = [];
      const errors: unknown[] = [];
      for (const { topic, payload } of events) {
        try {
          messages.push(encodeEvent(topic, payload));
        } catch (error) {
          errors.push(error);
        }
      }
      if (messages.length === 1) await notifier.notify(CHANNEL, messages[0]);
      else if (messages.length > 1) await notifier.notifyAll(CHANNEL, messages);
      if (errors.length > 0) throw errors[0];
    },
    close,
  };
}

/** One event as the wire carries it, on either transport. */
export function encodeEvent(topic: string, payload: EventPayload): string {
  const message = JSON.stringify({ t: topic, d: payload });
  if (Buffer.byteLength(message) > MAX_PAYLOAD_BYTES) {
    throw new Error(`Event for ${topic} is too large to publish; publish ids and re-read rows.`);
  }
  return message;
}

export interface Subscriber {
  /** Events for `topic` from the moment of this call on, until `signal` aborts. */
  subscribe(topic: string, signal: AbortSignal): AsyncGenerator<EventPayload>;
  /** Events of several topics in one stream, in the order they arrived, each with its topic. */
  subscribeMany(topics: readonly string[], signal: AbortSignal): AsyncGenerator<TopicEvent>;
  /** How many topic listeners are attached now: one per topic of every open stream. */
  listenerCount(): number;
  /** Ends every open stream (server shutdown) and the LISTEN connection. */
  close(): Promise<void>;
}

/**
 * One LISTEN connection per process, fanned out in memory. It reconnects after a dropped
 * connection; events published while it was down are lost, which is why clients read current
 * state through queries and subscriptions carry only what changes next.
 */
export async function createSubscriber(connectionString: string, logger: Logger): Promise<Subscriber> {
  const fanOut = localFanOut(logger);
  let client: pg.Client | null = null;
  let closed = false;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel === CHANNEL && message.payload) fanOut.deliver(message.payload);
    });
    next.on('error', (error) => {
      logger.warn({ err: error }, 'event listener connection lost; reconnecting');
      client = null;
      next.end().catch(() => {});
      if (!closed) setTimeout(() => void connect().catch(() => {}), 1_000).unref();
    });
    await next.connect();
    await next.query(`LISTEN ${CHANNEL}`);
    client = next;
  };
  await connect();
  return fanOut.subscriber(async () => {
    closed = true;
    await client?.end().catch(() => {});
  });
}

/**
 * The in-process half every transport shares: one connection delivers the wire messages of all
 * topics (`deliver`), and they fan out in memory to the open streams.
 */
export function localFanOut(logger: Logger) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  /** Ends each open stream; closing the subscriber (server shutdown) ends them all. */
  const open = new Set<() => void>();
  return {
    deliver(message: string): void {
      try {
        const { t, d } = JSON.parse(message) as { t: string; d: EventPayload };
        emitter.emit(t, d);
      } catch (error) {
        logger.warn({ err: error }, 'ignoring malformed event');
      }
    },
    subscriber(closeTransport: () => Promise<void>): Subscriber {
      return {
        // Listening starts now, not at the first read, so nothing published after this call is
        // missed while the caller still reads current state (e.g. whether a job already finished).
        subscribe: (topic, signal) => payloadsOf(listen(emitter, open, [topic], signal)),
        subscribeMany: (topics, signal) => listen(emitter, open, topics, signal),
        listenerCount: () => emitter.eventNames().reduce((sum, name) => sum + emitter.listenerCount(name), 0),
        close: async () => {
          for (const end of [...open]) end();
          await closeTransport();
        },
      };
    },
  };
}

/**
 * The events of some topics as one async generator. The listeners are added at once and removed
 * when the generator finishes, `signal` aborts or the subscriber closes; removal on abort is
 * synchronous, so a stream ended through `abortable` (abortableStream.ts) frees them at once.
 * A plain array queues the events: `events.on()` allocates two 2048-slot queues (about 32 KiB)
 * per call, which a thousand idle subscriptions feel.
 */
function listen(
  emitter: EventEmitter,
  open: Set<() => void>,
  topics: readonly string[],
  signal: AbortSignal,
): AsyncGenerator<TopicEvent> {
  const queue: TopicEvent[] = [];
  let wake: (() => void) | null = null;
  const handlers = topics.map((topic) => {
    const onEvent = (payload: EventPayload) => {
      queue.push({ topic, payload });
      wake?.();
    };
    return [topic, onEvent] as const;
  });
  let ended = signal.aborted;
  const onAbort = () => {
    ended = true;
    stop();
    wake?.();
  };
  const stop = () => {
    for (const [topic, onEvent] of handlers) emitter.off(topic, onEvent);
    signal.removeEventListener('abort', onAbort);
    open.delete(onAbort);
  };
  if (!ended) {
    for (const [topic, onEvent] of handlers) emitter.on(topic, onEvent);
    signal.addEventListener('abort', onAbort, { once: true });
    open.add(onAbort);
  }
  return (async function* () {
    try {
      for (;;) {
        if (ended) return;
        if (queue.length > 0) {
          yield queue.shift()!;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      stop();
    }
  })();
}

async function* payloadsOf(events: AsyncGenerator<TopicEvent>): AsyncGenerator<EventPayload> {
  for await (const event of events) yield event.payload;
}
