import type { CoreDeps } from '../context.ts';
import type { Prisma } from '../db/db.ts';

interface JobStatsShape {
  total: number;
  queued: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  successRate: number;
  audioSeconds: number;
}

/**
 * With a range, a job belongs to the range it finished in (`completedAt`), or, while unfinished, the
 * one it was created in. A completed job's usage record carries its `completedAt`, so over the same
 * range `completed` and `audioSeconds` equal the `jobs` and `audioSeconds` of the owner's file-job
 * usage records (for jobs not deleted since).
 */
function jobRangeWhere(range: { from?: Date | null; to?: Date | null }): Prisma.JobWhereInput {
  if (!range.from && !range.to) return {};
  const within = { ...(range.from ? { gte: range.from } : {}), ...(range.to ? { lt: range.to } : {}) };
  return { OR: [{ completedAt: within }, { completedAt: null, createdAt: within }] };
}

/** Counts by status and the audio seconds of completed jobs, for one owner or for everyone. */
export async function jobStats(
  deps: Pick<CoreDeps, 'db'>,
  filter: Prisma.JobWhereInput,
  range: { from?: Date | null; to?: Date | null } = {},
): Promise<JobStatsShape> {
  const where: Prisma.JobWhereInput = { AND: [filter, jobRangeWhere(range)] };
  const [byStatus, audio] = await Promise.all([
    deps.db.job.groupBy({ by: ['status'], where, _count: { _all: true } }),
    deps.db.job.aggregate({ where: { AND: [where, { status: 'COMPLETED' }] }, _sum: { mediaDurationSeconds: true } }),
  ]);
  const count = (status: string) => byStatus.find((row) => row.status === status)?._count._all ?? 0;
  const completed = count('COMPLETED');
  const failed = count('FAILED');
  return {
    total: byStatus.reduce((sum, row) => sum + row._count._all, 0),
    queued: count('QUEUED'),
    processing: count('PROCESSING'),
    completed,
    failed,
    cancelled: count('CANCELLED'),
    successRate: completed + failed === 0 ? 0 : completed / (completed + failed),
    audioSeconds: audio._sum.mediaDurationSeconds ?? 0,
  };
}
