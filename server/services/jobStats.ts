import type { CoreDeps } from '../context.ts';
import type { Prisma } from '../db.ts';

export interface JobStatsShape {
  total: number;
  queued: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  successRate: number;
  audioSeconds: number;
}

/** Counts by status and the audio seconds of completed jobs, for one owner or for everyone. */
export async function jobStats(deps: Pick<CoreDeps, 'db'>, where: Prisma.JobWhereInput): Promise<JobStatsShape> {
  const [byStatus, audio] = await Promise.all([
    deps.db.job.groupBy({ by: ['status'], where, _count: { _all: true } }),
    deps.db.job.aggregate({ where: { ...where, status: 'COMPLETED' }, _sum: { mediaDurationSeconds: true } }),
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
