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

/** Prisma over a pg pool we hold, so the pool's use can be measured (metrics). */
export function createDbWithPool(databaseUrl: string, poolSize: number): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  return { db: new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }), pool };
}

/** True when `error` is Prisma's unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}
