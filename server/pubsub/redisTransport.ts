/**
 * Events through Redis pub/sub (PUBSUB=redis). Like LISTEN/NOTIFY, one channel carries every topic
 * and each process holds one subscription, taken at startup and awaited, so a stream sees every
 * event published after its subscribe() call; unlike NOTIFY, publishing takes no lock in
 * PostgreSQL's commit path (tests/bench/pubsub.ts measures where that matters).
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { CHANNEL, createPublisher, localFanOut, type Publisher, type Subscriber } from './pubsub.ts';

/** REDIS_URL: redis://[user:password@]host:port[/db], rediss://… (TLS), or a unix socket path. */
function connect(url: string, logger: Logger, role: string): Redis {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  // ioredis reconnects (and re-subscribes) by itself; errors are reported, never thrown unhandled.
  client.on('error', (error: Error) => logger.warn({ err: error, role }, 'redis connection error; reconnecting'));
  return client;
}

export async function createRedisPublisher(url: string, logger: Logger): Promise<Publisher> {
  const client = connect(url, logger, 'publish');
  await client.connect();
  return createPublisher(
    {
      notify: async (channel, message) => {
        await client.publish(channel, message);
      },
      notifyAll: async (channel, messages) => {
        const pipeline = client.pipeline();
        for (const message of messages) pipeline.publish(channel, message);
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([error]) => error);
        if (failed) throw failed[0];
      },
    },
    async () => {
      await client.quit().catch(() => client.disconnect());
    },
  );
}

export async function createRedisSubscriber(url: string, logger: Logger): Promise<Subscriber> {
  const client = connect(url, logger, 'subscribe');
  await client.connect();
  const fanOut = localFanOut(logger);
  // This target only listens (publishing goes through createRedisPublisher's client); messages stay
  // text, and the fan-out decodes them as it does NOTIFY payloads.
  const target = createRedisEventTarget<CustomEvent<string>>({
    publishClient: client,
    subscribeClient: client,
    serializer: { parse: (text: string) => text, stringify: (value: unknown) => String(value) },
  });
  const onMessage = (event: CustomEvent<string>) => fanOut.deliver(event.detail);
  target.addEventListener(CHANNEL, onMessage);
  // Commands on one connection complete in order: this resolves once the target's SUBSCRIBE has.
  await client.subscribe(CHANNEL);
  return fanOut.subscriber(async () => {
    target.removeEventListener(CHANNEL, onMessage);
    await client.quit().catch(() => client.disconnect());
  });
}
