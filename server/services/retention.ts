/**
 * Retention: finished jobs and live sessions older than their project's `retentionDays` (else the
 * server's RETENTION_DAYS; neither set: kept forever) are deleted with their transcripts and stored
 * media, each with an audit row. A legal hold on the job or on its project keeps it. Usage records
 * stay (they do not reference the rows).
 */
import type { CoreDeps, Viewer } from '../context.ts';
import type { Job, Prisma, Project } from '../db/db.ts';
import { removeJobs } from '../db/queue.ts';
import { badInput, forbidden, notFound } from '../errors.ts';
import { typeOfId } from '../ids.ts';
import { recordAudit } from './audit.ts';
import { jobKey, publishJobChange } from './jobs.ts';
import { aggregateJobKey } from './liveSessions.ts';

/** Rows handled per statement; a sweep goes on until nothing expired is left (or MAX_PER_SWEEP). */
const BATCH = 100;
const MAX_PER_SWEEP = 10_000;

interface RetentionResult {
  expiredJobs: number;
  expiredSessions: number;
}

export async function expireRetainedData(deps: CoreDeps, now: Date): Promise<RetentionResult> {
  const defaultDays = deps.env.RETENTION_DAYS ?? null;
  let expiredJobs = 0;
  let expiredSessions = 0;
  while (expiredJobs < MAX_PER_SWEEP) {
    const ids = await expiredJobIds(deps.db, now, defaultDays);
    for (const id of ids) expiredJobs += (await expireJob(deps, id, now, defaultDays)) ? 1 : 0;
    if (ids.length < BATCH) break;
  }
  while (expiredSessions < MAX_PER_SWEEP) {
    const ids = await expiredSessionIds(deps.db, now, defaultDays);
    for (const id of ids) expiredSessions += (await expireSession(deps, id, now, defaultDays)) ? 1 : 0;
    if (ids.length < BATCH) break;
  }
  return { expiredJobs, expiredSessions };
}

/** The one rule: finished, past the retention that applies, and held neither itself nor by its project. */
async function expiredJobIds(db: Prisma.TransactionClient, now: Date, defaultDays: number | null, onlyId?: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT j.id FROM jobs j LEFT JOIN projects p ON p.id = j.project_id
    WHERE j.status IN ('COMPLETED', 'FAILED', 'CANCELLED')
      AND NOT j.legal_hold AND NOT coalesce(p.legal_hold, false)
      AND coalesce(p.retention_days, ${defaultDays}::int) IS NOT NULL
      AND coalesce(j.completed_at, j.updated_at) < ${now}::timestamptz - make_interval(days => coalesce(p.retention_days, ${defaultDays}::int))
      AND (${onlyId ?? null}::text IS NULL OR j.id = ${onlyId ?? null}::text)
    ORDER BY j.id LIMIT ${BATCH}
    FOR UPDATE OF j SKIP LOCKED`;
  return rows.map((row) => row.id);
}

async function expiredSessionIds(db: Prisma.TransactionClient, now: Date, defaultDays: number | null, onlyId?: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT s.id FROM live_sessions s LEFT JOIN projects p ON p.id = s.project_id
    WHERE s.status IN ('READY', 'FAILED')
      AND NOT coalesce(p.legal_hold, false)
      AND coalesce(p.retention_days, ${defaultDays}::int) IS NOT NULL
      AND coalesce(s.processed_at, s.ended_at, s.updated_at) < ${now}::timestamptz - make_interval(days => coalesce(p.retention_days, ${defaultDays}::int))
      AND (${onlyId ?? null}::text IS NULL OR s.id = ${onlyId ?? null}::text)
    ORDER BY s.id LIMIT ${BATCH}
    FOR UPDATE OF s SKIP LOCKED`;
  return rows.map((row) => row.id);
}

/** Deletes one job if it is still expired when locked (a hold set meanwhile wins), then its files. */
async function expireJob(deps: CoreDeps, id: string, now: Date, defaultDays: number | null): Promise<boolean> {
  const job = await deps.db.$transaction(async (tx) => {
    if ((await expiredJobIds(tx, now, defaultDays, id)).length === 0) return null;
    const row = await tx.job.findUniqueOrThrow({ where: { id } });
    await removeJobs(tx, [jobKey(id)]);
    await tx.job.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: null,
      action: 'job.expired',
      targetType: 'Job',
      targetId: id,
      details: { ownerId: row.ownerId, projectId: row.projectId, status: row.status, finishedAt: row.completedAt?.toISOString() ?? null },
    });
    return row;
  });
  if (!job) return false;
  await deps.storage
    .deletePrefix(`jobs/${id}/`)
    .catch((error: unknown) => deps.logger.warn({ err: error, jobId: id }, 'could not delete the media of an expired job'));
  await publishJobChange(deps, job);
  return true;
}

async function expireSession(deps: CoreDeps, id: string, now: Date, defaultDays: number | null): Promise<boolean> {
  const session = await deps.db.$transaction(async (tx) => {
    if ((await expiredSessionIds(tx, now, defaultDays, id)).length === 0) return null;
    const row = await tx.liveSession.findUniqueOrThrow({ where: { id } });
    await removeJobs(tx, [aggregateJobKey(id)]);
    await tx.liveSession.delete({ where: { id } });
    await recordAudit(tx, {
      actorId: null,
      action: 'session.expired',
      targetType: 'LiveSession',
      targetId: id,
      details: { ownerId: row.ownerId, projectId: row.projectId, status: row.status },
    });
    return row;
  });
  if (!session) return false;
  await deps.storage
    .deletePrefix(`sessions/${id}/`)
    .catch((error: unknown) => deps.logger.warn({ err: error, sessionId: id }, 'could not delete the audio of an expired session'));
  return true;
}

/** Site admins only: holds (or releases) a job or a project, so retention leaves it (and, for a project, its jobs and sessions). */
export async function setLegalHold(deps: CoreDeps, viewer: Viewer, id: string, hold: boolean): Promise<Job | Project> {
  if (!viewer.isAdmin) throw forbidden('Only site admins set legal holds.');
  const type = typeOfId(id);
  if (type !== 'Job' && type !== 'Project') throw badInput('A legal hold applies to a Job or a Project id.', 'id');
  return deps.db.$transaction(async (tx) => {
    const updated =
      type === 'Job'
        ? await tx.job.updateMany({ where: { id }, data: { legalHold: hold } })
        : await tx.project.updateMany({ where: { id }, data: { legalHold: hold } });
    if (updated.count === 0) throw notFound(type);
    await recordAudit(tx, {
      actorId: viewer.user.id,
      action: hold ? 'legalHold.set' : 'legalHold.released',
      targetType: type,
      targetId: id,
    });
    return type === 'Job' ? tx.job.findUniqueOrThrow({ where: { id } }) : tx.project.findUniqueOrThrow({ where: { id } });
  });
}

const MAX_RETENTION_DAYS = 36_500;

/** A project's retention setting: whole days from 1 to MAX_RETENTION_DAYS, or null for the server's default. */
export function retentionDaysSetting(value: number | null): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > MAX_RETENTION_DAYS) {
    throw badInput(`retentionDays must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or null for the server default.`, 'retentionDays');
  }
  return value;
}
