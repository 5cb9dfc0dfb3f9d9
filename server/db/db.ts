import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../prisma/generated/client.ts';
import type { Prisma } from '../../prisma/generated/client.ts';

export type Db = PrismaClient;

/**
 * Joining the caller's transaction, one convention: a service whose writes belong to its caller's
 * change takes the caller's `tx` (from `db.$transaction(async (tx) => ...)`) as a `tx: Tx`
 * parameter and writes through it only; a caller without a transaction passes `deps.db` (a
 * PrismaClient is a Tx). An optional trailing `tx?: Tx`, falling back to `deps.db`, only where the
 * call also stands alone in normal use (emitEvent, the quota check).
 */
export type Tx = Prisma.TransactionClient;
export { Prisma } from '../../prisma/generated/client.ts';
export type * from '../../prisma/generated/client.ts';

export function createDb(databaseUrl: string, poolSize: number): Db {
  return createDbWithPool(databaseUrl, poolSize).db;
}

/**
 * Prisma over a pg pool we hold, so the pool's use can be measured (metrics). `onUserWrite` hears of
 * every write to users through this client, before and after it runs (the user id when the write
 * names one, else null): the API's user cache (services/userCache.ts) forgets the row at once.
 */
export function createDbWithPool(
  databaseUrl: string,
  poolSize: number,
  options: { onUserWrite?: (userId: string | null) => void } = {},
): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return { db: options.onUserWrite ? announceUserWrites(client, options.onUserWrite) : client, pool };
}

const userWrites = new Set(['update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);

function announceUserWrites(client: PrismaClient, onUserWrite: (userId: string | null) => void): Db {
  const extended = client.$extends({
    query: {
      user: {
        async $allOperations({ operation, args, query }) {
          if (!userWrites.has(operation)) return query(args);
          const where = (args as { where?: { id?: unknown } }).where;
          const userId = typeof where?.id === 'string' ? where.id : null;
          onUserWrite(userId);
          try {
            return await query(args);
          } finally {
            // Again after: a read that began before the write must not keep the old row.
            onUserWrite(userId);
          }
        },
      },
    },
  });
  // The extension only adds behaviour; the client's shape is unchanged.
  return extended as unknown as Db;
}

/** True when `error` is Prisma's unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}
