import type { AppDeps, Viewer } from '../context.ts';
import type { Prisma, Project, Provider } from '../db/db.ts';
import { removeJobs } from '../db/queue.ts';
import { badInput } from '../errors.ts';
import { newId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import { exportJobKey } from './datasetExports.ts';
import { jobKey, publishJobChange } from './jobs.ts';
import { aggregateJobKey } from './liveSessions.ts';
import { requireProject } from './projectAccess.ts';
import { engineList } from './providerRouting.ts';
import { addFounder } from './projectMembers.ts';
import { retentionDaysSetting } from './retention.ts';
import { requireName } from './validation.ts';

const MAX_DESCRIPTION = 2000;

function projectName(raw: string): string {
  const name = requireName(raw, 'name', 100);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badInput('name must be one line of text.', 'name');
  return name;
}

function projectDescription(raw: string | null | undefined): string | null {
  const description = raw?.trim() || null;
  if (description && description.length > MAX_DESCRIPTION) {
    throw badInput(`description must be at most ${MAX_DESCRIPTION} characters.`, 'description');
  }
  return description;
}

/** Any signed-in user may create a project; they become its OWNER. */
export async function createProject(
  deps: AppDeps,
  viewer: Viewer,
  input: { name: string; description?: string | null },
): Promise<Project> {
  const name = projectName(input.name);
  const description = projectDescription(input.description);
  return deps.db.$transaction(async (tx) => {
    const project = await tx.project.create({
      data: { id: newId('Project'), name, description, createdBy: viewer.user.id },
    });
    await addFounder(deps, tx, project.id, viewer.user.id);
    return project;
  });
}

/**
 * Settings: name, description, retention and the default engine order (OWNER/ADMIN). A field left out stays; a null
 * description clears it; a null retentionDays falls back to the server's RETENTION_DAYS (audited).
 */
export async function updateProject(
  deps: AppDeps,
  viewer: Viewer,
  id: string,
  input: { name?: string | null; description?: string | null; retentionDays?: number | null; providerOrder?: Provider[] | null },
): Promise<Project> {
  const { project } = await requireProject(deps.db, viewer, id, 'manageSettings');
  const data: Prisma.ProjectUpdateInput = {};
  if (input.name !== undefined && input.name !== null) data.name = projectName(input.name);
  if (input.description !== undefined) data.description = projectDescription(input.description);
  if (input.providerOrder !== undefined) data.providerOrder = engineList(deps, input.providerOrder ?? [], 'providerOrder', true);
  if (input.retentionDays === undefined || input.retentionDays === project.retentionDays) {
    return deps.db.project.update({ where: { id }, data });
  }
  data.retentionDays = retentionDaysSetting(input.retentionDays);
  return deps.db.$transaction(async (tx) => {
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'project.retentionChanged',
      targetType: 'Project',
      targetId: id,
      details: { previous: project.retentionDays, retentionDays: data.retentionDays },
    });
    return tx.project.update({ where: { id }, data });
  });
}

/**
 * Everything the project owns outside its rows, collected before they go: the stored media of its
 * jobs, live sessions (and so recordings) and dataset exports, and the queued work on them.
 */
async function projectMedia(tx: Prisma.TransactionClient, projectId: string) {
  const jobs = await tx.job.findMany({ where: { projectId }, select: { id: true, ownerId: true } });
  const sessions = await tx.liveSession.findMany({ where: { projectId }, select: { id: true } });
  const exports = await tx.datasetExport.findMany({ where: { projectId }, select: { id: true } });
  return {
    jobs,
    sessions: sessions.map((session) => session.id),
    prefixes: [
      ...jobs.map((job) => `jobs/${job.id}/`),
      ...sessions.map((session) => `sessions/${session.id}/`),
      ...exports.map((row) => `exports/${row.id}/`),
    ],
    queueKeys: [
      ...jobs.map((job) => jobKey(job.id)),
      ...sessions.map((session) => aggregateJobKey(session.id)),
      ...exports.map((row) => exportJobKey(row.id)),
    ],
  };
}

/**
 * OWNER only, and only when `confirmName` repeats the project's name. Removes the project with its
 * members, invitations, prompts, jobs, live sessions, recordings and exports (rows cascade; queued
 * work is taken off the queue), then the stored media. Usage records already written stay.
 */
export async function deleteProject(
  deps: AppDeps,
  viewer: Viewer,
  id: string,
  confirmName: string | null | undefined,
): Promise<boolean> {
  const { project } = await requireProject(deps.db, viewer, id, 'delete');
  if ((confirmName ?? '').trim() !== project.name) {
    throw badInput('To delete the project, repeat its name exactly in confirmName.', 'confirmName');
  }
  const media = await deps.db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM projects WHERE id = ${id} FOR UPDATE`;
    const owned = await projectMedia(tx, id);
    await removeJobs(tx, owned.queueKeys);
    await tx.project.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: 'project.deleted',
      targetType: 'Project',
      targetId: id,
      details: { name: project.name, jobs: owned.jobs.length, sessions: owned.sessions.length },
    });
    return owned;
  });
  for (const prefix of media.prefixes) {
    await deps.storage
      .deletePrefix(prefix)
      .catch((error: unknown) => deps.logger.warn({ err: error, prefix }, 'could not delete stored media of a deleted project'));
  }
  for (const job of media.jobs) await publishJobChange(deps, { ...job, status: 'CANCELLED', progress: 0 });
  deps.logger.info({ projectId: id, jobs: media.jobs.length, actorId: viewer.user.id }, 'project deleted');
  return true;
}
