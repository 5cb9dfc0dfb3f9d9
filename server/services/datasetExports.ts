/**
 * Dataset exports: an archive of a project's approved recordings (audio plus a JSONL manifest),
 * written by the exportDataset task (jobs/tasks/exportDataset.ts, the archive by writeDatasetExport below) and downloaded by the project's
 * OWNERs and ADMINs (and site admins).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { DatasetExport } from '../db/db.ts';
import { addJob, taskJobKey, type TaskName } from '../db/queue.ts';
import { AppError, forbidden } from '../errors.ts';
import { newId } from '../ids.ts';
import { diskSpaceShortage } from '../media/diskSpace.ts';
import { isMissingObject } from '../storage/index.ts';
import { TarWriter } from '../storage/tar.ts';
import { mayExport } from './access/projectContent.ts';
import { requireProject } from './projectAccess.ts';
import { speakerPseudonym } from './recordings.ts';
import { FinalTaskError, finalReason, type FailureRecord } from './workFailure.ts';
import { projectRedactionPolicy } from './access/redaction.ts';
import { redactText, type RedactionKind } from '../transcripts/redaction/index.ts';
import { redactedRanges } from './redaction.ts';
import { redactedMediaKey } from './redactedMedia.ts';

const EXPORT_DATASET_TASK = 'exportDataset' satisfies TaskName;
const EXPORT_MAX_ATTEMPTS = 3;
export const exportJobKey = (exportId: string) => taskJobKey(EXPORT_DATASET_TASK, exportId);
const exportArchiveKey = (exportId: string) => `exports/${exportId}/dataset.tar`;

/** OWNERs and ADMINs of the project start and download exports, and so do site admins (operators hand datasets over). */

/**
 * exportDataset: OWNER/ADMIN of the project, or a site admin. Refuses a project without approved
 * recordings. An export already queued or running for the project is answered instead of a second.
 */
export async function exportDataset(deps: AppDeps, viewer: Viewer, projectId: string): Promise<DatasetExport> {
  const { role } = await requireProject(deps.db, viewer, projectId, 'view');
  if (!mayExport(viewer, role)) throw forbidden('Only OWNERs and ADMINs of the project export its dataset.');
  return deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`export:${projectId}`}::text, 0))`;
    const running = await tx.datasetExport.findFirst({
      where: { projectId, status: { in: ['QUEUED', 'PROCESSING'] } },
      orderBy: { id: 'desc' },
    });
    if (running) return running;
    const approved = await tx.recording.count({ where: { projectId, reviewStatus: 'APPROVED' } });
    if (approved === 0) {
      throw new AppError('BAD_USER_INPUT', 'Nothing to export: the project has no approved recordings yet.', { field: 'projectId' });
    }
    const created = await tx.datasetExport.create({
      data: { id: newId('DatasetExport'), projectId, requestedBy: viewer.user.id, recordings: approved },
    });
    await addJob(tx, EXPORT_DATASET_TASK, { exportId: created.id }, { maxAttempts: EXPORT_MAX_ATTEMPTS, jobKey: exportJobKey(created.id) });
    return created;
  });
}

/**
 * Keeps the newest EXPORTS_KEPT_PER_PROJECT finished (completed or failed) exports of a project;
 * older ones go, rows first, then their archives. Returns how many went.
 */
async function pruneExports(deps: Pick<CoreDeps, 'db' | 'storage' | 'env' | 'logger'>, projectId: string): Promise<number> {
  const old = await deps.db.datasetExport.findMany({
    where: { projectId, status: { in: ['COMPLETED', 'FAILED'] } },
    orderBy: { id: 'desc' },
    skip: deps.env.EXPORTS_KEPT_PER_PROJECT,
    select: { id: true },
  });
  if (old.length === 0) return 0;
  await deps.db.datasetExport.deleteMany({ where: { id: { in: old.map((row) => row.id) } } });
  for (const row of old) {
    await deps.storage
      .deletePrefix(`exports/${row.id}/`)
      .catch((error: unknown) => deps.logger.warn({ err: error, exportId: row.id }, 'could not delete an old export archive'));
  }
  return old.length;
}

/** Export progress is written at most this often (and at the end). */
const PROGRESS_EVERY_MS = 500;

/** A reason the export cannot be written; retrying does not help. */
class ExportError extends FinalTaskError {}

/** One line of manifest.jsonl (README, "Dataset export"). */
interface ManifestEntry {
  file: string;
  recordingId: string;
  durationSeconds: number;
  sampleRate: number;
  promptId: string | null;
  prompt: string | null;
  recognisedText: string;
  speaker: string;
  checks: unknown;
  recordedAt: string;
  reviewedAt: string | null;
}

/**
 * Writes the archive of an export: manifest.jsonl first, then audio/<recording id>.flac for every
 * recording of the project approved when the task runs (lossless, as aggregated; with the redacted
 * words silenced when the text is redacted). The archive is a plain tar under exports/<id>/ in
 * storage. The export ends COMPLETED with its size, or FAILED with a reason (exportFailure); nothing
 * partial is left in storage.
 */
export async function writeDatasetExport(deps: CoreDeps, exportId: string, options: { info?: (message: string) => void } = {}): Promise<void> {
  const row = await deps.db.datasetExport.findUnique({ where: { id: exportId } });
  if (!row || (row.status !== 'QUEUED' && row.status !== 'PROCESSING')) return;
  await deps.db.datasetExport.update({
    where: { id: exportId },
    data: { status: 'PROCESSING', progress: 0, error: null },
  });
  const workDir = path.join(os.tmpdir(), 'parlance-exports', exportId);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    const written = await writeArchive(deps, row, workDir);
    await deps.db.datasetExport.updateMany({
      where: { id: exportId, status: 'PROCESSING' },
      data: {
        status: 'COMPLETED',
        progress: 1,
        recordings: written.recordings,
        archiveKey: exportArchiveKey(exportId),
        archiveBytes: BigInt(written.bytes),
        finishedAt: new Date(),
      },
    });
    options.info?.(`export ${exportId}: ${written.recordings} recordings, ${written.bytes} bytes`);
    await pruneExports(deps, row.projectId);
  } catch (error) {
    await deps.storage.delete(exportArchiveKey(exportId)).catch(() => {});
    throw error;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** An export that cannot be written ends FAILED with the reason (retried first when unexpected). */
export function exportFailure(deps: CoreDeps, exportId: string): FailureRecord {
  return {
    fail: async (error) => {
      const message = finalReason(error, 'The export failed unexpectedly.', () =>
        deps.logger.error({ err: error, exportId }, 'dataset export failed unexpectedly'),
      );
      await deps.db.datasetExport.updateMany({
        where: { id: exportId, status: 'PROCESSING' },
        data: { status: 'FAILED', error: message, finishedAt: new Date() },
      });
    },
  };
}

/** The archive holds every recording's audio: their sizes plus the reserve must be free before it is written. */
async function assertArchiveSpace(deps: CoreDeps, workDir: string, recordings: { id: string; session: { mainKey: string | null } }[]): Promise<void> {
  let neededBytes = 0;
  for (const recording of recordings) {
    if (!recording.session.mainKey) throw new ExportError(`The audio of recording ${recording.id} is missing.`);
    try {
      neededBytes += await deps.storage.size(recording.session.mainKey);
    } catch (error) {
      if (isMissingObject(error)) throw new ExportError(`The audio of recording ${recording.id} is missing from storage.`);
      throw error;
    }
  }
  const shortage = await diskSpaceShortage({
    dir: workDir,
    neededBytes,
    reserveBytes: deps.env.MIN_FREE_DISK_BYTES,
    readFree: deps.freeDiskBytes,
    purpose: 'write this export',
  });
  if (shortage) throw new ExportError(shortage);
}

async function writeArchive(deps: CoreDeps, row: DatasetExport, workDir: string): Promise<{ recordings: number; bytes: number }> {
  const { db, storage } = deps;
  const project = await db.project.findUnique({ where: { id: row.projectId }, select: { pseudonymKey: true } });
  if (!project) throw new ExportError('The project was deleted.');
  const recordings = await db.recording.findMany({
    where: { projectId: row.projectId, reviewStatus: 'APPROVED' },
    orderBy: { id: 'asc' },
    include: {
      prompt: { select: { text: true } },
      session: { select: { mainKey: true, encoding: true, sampleRate: true } },
    },
  });
  if (recordings.length === 0) throw new ExportError('No approved recordings are left to export.');
  // Exports leave the platform: they carry the redacted text whenever the project's policy names kinds.
  const redact = (await projectRedactionPolicy(db, row.projectId))?.redact ?? [];

  const entries: ManifestEntry[] = recordings.map((recording) => ({
    file: `audio/${recording.id}.flac`,
    recordingId: recording.id,
    durationSeconds: recording.durationSeconds,
    sampleRate: recording.session.encoding === 'PCM_S16LE' ? recording.session.sampleRate : 48_000,
    promptId: recording.promptId,
    prompt: recording.prompt?.text ?? null,
    recognisedText: redact.length > 0 ? redactText(recording.recognisedText, redact) : recording.recognisedText,
    speaker: speakerPseudonym(project.pseudonymKey, recording.speakerId),
    checks: recording.checks,
    recordedAt: recording.createdAt.toISOString(),
    reviewedAt: recording.reviewedAt?.toISOString() ?? null,
  }));
  await assertArchiveSpace(deps, workDir, recordings);
  const archivePath = path.join(workDir, 'dataset.tar');
  const tar = new TarWriter(createWriteStream(archivePath));
  await tar.addBuffer('manifest.jsonl', Buffer.from(entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n', 'utf8'));

  let reported = Date.now();
  for (const [index, recording] of recordings.entries()) {
    const local = path.join(workDir, 'audio.flac');
    try {
      await storage.download(await exportedAudioKey(deps, recording, redact), local);
    } catch (error) {
      if (isMissingObject(error)) {
        throw new ExportError(`The audio of recording ${recording.id} is missing from storage.`);
      }
      throw error;
    }
    await tar.addFile(entries[index].file, local, (await stat(local)).size, recording.createdAt);
    await rm(local, { force: true });
    if (Date.now() - reported >= PROGRESS_EVERY_MS) {
      reported = Date.now();
      // The upload after the last file takes the remaining 5%.
      await db.datasetExport.updateMany({
        where: { id: row.id, status: 'PROCESSING' },
        data: { progress: (0.95 * (index + 1)) / recordings.length },
      });
    }
  }
  await tar.finish();
  const bytes = await storage.put(exportArchiveKey(row.id), createReadStream(archivePath), { contentType: 'application/x-tar' });
  return { recordings: recordings.length, bytes };
}

/**
 * The stored FLAC a recording is exported as: the session's own, or, when `redact` (the kinds its
 * text is exported with) finds ranges in the session's words, that audio with them silenced (still
 * FLAC at the same rate and length, so the manifest holds; kept beside the session's files).
 */
async function exportedAudioKey(
  deps: CoreDeps,
  recording: { id: string; sessionId: string; session: { mainKey: string | null } },
  redact: readonly RedactionKind[],
): Promise<string> {
  const { mainKey } = recording.session;
  if (!mainKey) throw new ExportError(`The audio of recording ${recording.id} is missing.`);
  if (redact.length === 0) return mainKey;
  const rows = await deps.db.liveSegment.findMany({ where: { sessionId: recording.sessionId }, orderBy: { idx: 'asc' } });
  const ranges = redactedRanges(rows, redact);
  if (ranges.length === 0) return mainKey;
  try {
    return (await redactedMediaKey(deps, { prefix: `sessions/${recording.sessionId}/`, sourceKey: mainKey }, ranges, 'flac'))!;
  } catch (error) {
    if (error instanceof AppError && error.code === 'UNAVAILABLE') {
      throw new ExportError(`The audio of recording ${recording.id} could not be silenced where its text is redacted.`);
    }
    throw error;
  }
}
