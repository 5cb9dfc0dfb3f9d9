import type { Db } from './db.ts';

/** For an API process without its own runner: the graphile-worker schema is installed and answers. */
export async function workerSchemaReady(db: Db): Promise<boolean> {
  const rows = await db.$queryRaw<{ ok: boolean }[]>`
    SELECT to_regclass('graphile_worker._private_jobs') IS NOT NULL AS ok`;
  return rows[0]?.ok === true;
}
