import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/generated/client.ts';

export type Db = PrismaClient;
export { Prisma } from '../prisma/generated/client.ts';
export type * from '../prisma/generated/client.ts';

export function createDb(databaseUrl: string, poolSize: number): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: poolSize });
  return new PrismaClient({ adapter });
}

/** True when `error` is Prisma's unique-constraint violation. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'P2002';
}
