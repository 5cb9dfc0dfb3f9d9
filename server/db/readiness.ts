import type { CoreDeps } from '../context.ts';

/**
 * For an API process without its own runner (`npm run api`): some job runner has sent a heartbeat
 * (jobs/runner.ts) within RUNNER_STALE_SECONDS. A stopped runner deletes its row; a killed one goes stale.
 */
export async function jobRunnersAlive(deps: Pick<CoreDeps, 'db' | 'env'>): Promise<boolean> {
  const rows = await deps.db.$queryRaw<{ alive: boolean }[]>`
    SELECT EXISTS (
      SELECT 1 FROM runner_heartbeats WHERE seen_at > now() - make_interval(secs => ${deps.env.RUNNER_STALE_SECONDS})
    ) AS alive`;
  return rows[0]?.alive === true;
}

/** The database answers a query (`/ready`). */
export async function databaseAnswers(deps: Pick<CoreDeps, 'db'>): Promise<boolean> {
  try {
    await deps.db.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
