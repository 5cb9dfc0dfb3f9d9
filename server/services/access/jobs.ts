/**
 * Who may see and change a transcription job. Queries, `node(id)`, the job subscriptions, the
 * transcript download and the job services all ask here.
 */
import type { Viewer } from '../../context.ts';
import type { Db, Job, Prisma } from '../../db/db.ts';
import { forbidden, notFound } from '../../errors.ts';
import { canSeeProject, memberOfProjectWhere } from '../projectAccess.ts';

type Reader = Pick<Db, 'job' | 'projectMember'>;

/**
 * Jobs the viewer may see: their own, those of projects they are a member of, and every one for
 * admins acting with admin power. (An `OR` filter: combine it with other filters through `AND`.)
 */
export function visibleJobWhere(viewer: Viewer): Prisma.JobWhereInput {
  return viewer.isAdmin ? {} : { OR: [{ ownerId: viewer.user.id }, { project: memberOfProjectWhere(viewer) }] };
}

/** visibleJobWhere for one loaded job (its project's membership is read when it matters). */
export async function canSeeJob(db: Reader, viewer: Viewer, job: Pick<Job, 'ownerId' | 'projectId'>): Promise<boolean> {
  return mayChangeJob(viewer, job) || (job.projectId !== null && (await canSeeProject(db, viewer, job.projectId)));
}

/** Cancel, retry, retry its translation, delete: the job's owner, or an admin. */
export function mayChangeJob(viewer: Viewer, job: Pick<Job, 'ownerId'>): boolean {
  return viewer.isAdmin || job.ownerId === viewer.user.id;
}

export async function findVisibleJob(deps: { db: Reader }, viewer: Viewer, id: string): Promise<Job> {
  const job = await deps.db.job.findFirst({ where: { AND: [{ id }, visibleJobWhere(viewer)] } });
  if (!job) throw notFound('Job');
  return job;
}

/** A job the viewer may change; NOT_FOUND when they cannot see it, FORBIDDEN when it is a project member's. */
export async function findChangeableJob(deps: { db: Reader }, viewer: Viewer, id: string): Promise<Job> {
  const job = await findVisibleJob(deps, viewer, id);
  if (!mayChangeJob(viewer, job)) throw forbidden("Only the job's owner can change it.");
  return job;
}
