/**
 * Who may see and change a transcription job. Queries, `node(id)`, the job subscriptions, the
 * transcript download and the job services all ask here.
 */
import type { Viewer } from '../../context.ts';
import type pg from 'pg';
import type { Db, Job, Prisma } from '../../db/db.ts';
import { readJobById } from '../../db/jobRows.ts';
import { forbidden, notFound } from '../../errors.ts';
import { canSeeOwned, mayChangeOwned, ownedOrMemberWhere } from './ownedRows.ts';

type Reader = Pick<Db, 'job' | 'projectMember'>;

/**
 * Jobs the viewer may see: their own, those of projects they are a member of, and every one for
 * admins acting with admin power. (An `OR` filter: combine it with other filters through `AND`.)
 */
export function visibleJobWhere(viewer: Viewer): Prisma.JobWhereInput {
  return ownedOrMemberWhere(viewer);
}

/** visibleJobWhere for one loaded job (its project's membership is read when it matters). */
export const canSeeJob: (db: Reader, viewer: Viewer, job: { ownerId: string; projectId: string | null }) => Promise<boolean> = canSeeOwned;

/** Cancel, retry, retry its translation, delete, correct its transcript and name its speakers: the job's owner, or an admin. */
const mayChangeJob: (viewer: Viewer, job: { ownerId: string }) => boolean = mayChangeOwned;

/**
 * One job by its key, or null when the viewer may not see it: read by `id` alone and judged with
 * canSeeJob (a unique-key read costs far less than the same row behind visibleJobWhere's relation
 * filter, and the owner's own job needs no second read). Without related rows in Pothos' planned
 * `query`, the row is read with pg alone (db/jobRows.ts): the hot path of `job(id)` and of each
 * subscriber's re-read.
 */
export async function visibleJobById(
  deps: { db: Reader; pool: pg.Pool },
  viewer: Viewer,
  id: string,
  query: { include?: Prisma.JobInclude } = {},
): Promise<Job | null> {
  const job = query.include ? await deps.db.job.findUnique({ include: query.include, where: { id } }) : await readJobById(deps.pool, id);
  return job && (await canSeeJob(deps.db, viewer, job)) ? job : null;
}

export async function findVisibleJob(deps: { db: Reader }, viewer: Viewer, id: string): Promise<Job> {
  const job = await deps.db.job.findUnique({ where: { id } });
  if (!job || !(await canSeeJob(deps.db, viewer, job))) throw notFound('Job');
  return job;
}

/** A job the viewer may change; NOT_FOUND when they cannot see it, FORBIDDEN when it is a project member's. */
export async function findChangeableJob(deps: { db: Reader }, viewer: Viewer, id: string): Promise<Job> {
  const job = await findVisibleJob(deps, viewer, id);
  if (!mayChangeJob(viewer, job)) throw forbidden("Only the job's owner can change it.");
  return job;
}
