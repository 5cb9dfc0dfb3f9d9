import type { Logger } from 'pino';
import type { Db } from '../db/db.ts';
import type { Env } from '../env.ts';
import { createPublisher, createSubscriber, type Publisher, type Subscriber } from './pubsub.ts';
import { createRedisPublisher, createRedisSubscriber } from './redisTransport.ts';

/** The configured transport's publisher (PUBSUB): NOTIFY through the process's Prisma client, or Redis. */
export async function openPublisher(env: Env, db: Db, logger: Logger): Promise<Publisher> {
  if (env.PUBSUB === 'redis') return createRedisPublisher(env.REDIS_URL!, logger);
  return createPublisher({
    notify: async (channel, payload) => {
      await db.$executeRaw`SELECT pg_notify(${channel}, ${payload})`;
    },
    // The rows of unnest come in the array's order, and each pg_notify queues its message as its
    // row is read: subscribers receive them in this order, at this statement's commit.
    notifyAll: async (channel, payloads) => {
      await db.$executeRaw`SELECT pg_notify(${channel}, message) FROM unnest(${[...payloads]}::text[]) AS message`;
    },
  });
}

/** The configured transport's subscriber: one LISTEN connection, or one Redis subscription. */
export async function openSubscriber(env: Env, databaseUrl: string, logger: Logger): Promise<Subscriber> {
  if (env.PUBSUB === 'redis') return createRedisSubscriber(env.REDIS_URL!, logger);
  return createSubscriber(databaseUrl, logger);
}
