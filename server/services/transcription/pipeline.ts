import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { CoreDeps } from '../../context.ts';
import type { Job } from '../../db/db.ts';
import { AppError } from '../../errors.ts';
import { planChunks } from '../../media/chunks.ts';
import { diskSpaceShortage, mediaStagingBytes } from '../../media/diskSpace.ts';
import { prepareAudio } from '../../media/prepare.ts';
import { mediaToolsFromEnv } from '../../media/run.ts';
import { publishJobChange } from '../jobs.ts';
import { assertWithinQuota } from '../quotas.ts';
import { fetchToFile } from '../urlFetch.ts';
import { JobCancelledError } from '../workFailure.ts';
import { completeTranscription, isRecordNotFound } from './outcome.ts';
import { EngineRoute } from './engineRoute.ts';
import { transcribeChunks } from './chunkRunner.ts';
import { linkSpeakers } from './speakerLinking.ts';

/**
 * Turns one Job into a transcript: fetch or download the media, normalise it to 16 kHz mono,
 * cut it into chunks at quiet points, transcribe the chunks side by side and store them in order
 * (./chunkRunner.ts: each chunk's segments and the chunk counter are written in one transaction, so
 * a worker killed mid-job resumes after the last finished chunk with no duplicates; the utterances
 * of the chunk being decoded are stored and published as they come), then record usage and complete; a translation (translateTo)
 * follows as its own task (server/services/jobTranslation.ts). A job gone, completed or cancelled
 * is left alone. Errors are thrown for the failure policy (transcriptionFailure in ./outcome.ts).
 */
export async function transcribeJob(
  deps: CoreDeps,
  jobId: string,
  options: { signal: AbortSignal; debug?: (message: string) => void },
): Promise<void> {
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (!job || job.status === 'COMPLETED' || job.status === 'CANCELLED') return;
  const workDir = path.join(os.tmpdir(), 'parlance-jobs', jobId);
  try {
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    await run(deps, job, workDir, options.signal, options.debug ?? (() => {}));
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function run(deps: CoreDeps, initial: Job, workDir: string, signal: AbortSignal, debug: (message: string) => void): Promise<void> {
  // Conditional, so a cancel that came after the task read the row is not overwritten; the updated
  // row comes back from the same statement.
  const job = await deps.db.job
    .update({
      where: { id: initial.id, status: { in: ['QUEUED', 'PROCESSING'] } },
      data: {
        status: 'PROCESSING',
        startedAt: initial.startedAt ?? new Date(),
        attempts: { increment: 1 },
        error: null,
      },
    })
    .catch((error: unknown) => {
      if (isRecordNotFound(error)) throw new JobCancelledError();
      throw error;
    });
  await publishJobChange(deps, job);
  const chunkWork = new AbortController();
  const route = new EngineRoute(deps, job, AbortSignal.any([signal, chunkWork.signal]));

  // Uploaded media's size and duration are known: its staging is checked before the download. A
  // URL's are not: the reserve is checked now, and the decode's needs once the probe has answered.
  await assertStagingSpace(deps, workDir, mediaStagingBytes(Number(job.sourceBytes ?? 0), job.mediaDurationSeconds ?? 0));
  // Local storage's file is read where it is (the decode writes its own WAV); other drivers' is downloaded.
  let media = path.join(workDir, 'media');
  const inPlace = Boolean(job.sourceKey && deps.storage.localFile);
  if (job.sourceKey && deps.storage.localFile) {
    media = await deps.storage.localFile(job.sourceKey);
  } else if (job.sourceKey) {
    await deps.storage.download(job.sourceKey, media);
  } else if (job.sourceUrl) {
    const { bytes } = await fetchToFile(new URL(job.sourceUrl), media, {
      allowHosts: deps.env.URL_FETCH_ALLOW_HOSTS,
      maxBytes: deps.env.URL_FETCH_MAX_BYTES,
      timeoutMs: deps.env.URL_FETCH_TIMEOUT_MS,
      signal,
    });
    await deps.db.job.update({ where: { id: job.id }, data: { sourceBytes: BigInt(bytes) } });
  } else {
    throw new AppError('UNSUPPORTED_MEDIA', 'The job has no media.');
  }
  signal.throwIfAborted();
  const wav = path.join(workDir, 'audio.wav');
  // Uploaded media was probed at submission; a URL's is probed now, and its duration reserved
  // against the owner's quota (or the job fails) while the decode goes on.
  const { wav: decoded } = await prepareAudio(media, wav, {
    maxSeconds: deps.env.MAX_MEDIA_SECONDS,
    timeoutMs: deps.env.FFMPEG_TIMEOUT_MS,
    signal,
    tools: mediaToolsFromEnv(deps.env),
    probed: job.sourceKey !== null && job.mediaDurationSeconds !== null,
    afterProbe:
      job.mediaDurationSeconds === null
        ? async (probe) => {
            await assertStagingSpace(deps, workDir, mediaStagingBytes(0, probe.durationSeconds));
            await deps.db.$transaction(async (tx) => {
              await assertWithinQuota(deps, job.ownerId, probe.durationSeconds, { tx, excludeJobId: job.id });
              await tx.job.update({ where: { id: job.id }, data: { mediaDurationSeconds: probe.durationSeconds } });
            });
          }
        : undefined,
  });
  const { durationSeconds } = decoded;
  if (!inPlace) await rm(media, { force: true });
  const targetSeconds = Math.min(route.maxChunkSeconds, deps.env.CHUNK_SECONDS ?? Infinity);
  const chunks = await planChunks(wav, { targetSeconds, searchSeconds: Math.min(5, targetSeconds / 4) });
  // The decoded duration replaces the probed one (what quotas reserve) when they differ; the chunk
  // count also goes with every chunk's commit, so a job whose duration stands needs no write here.
  if (job.mediaDurationSeconds !== durationSeconds) {
    await deps.db.job.update({
      where: { id: job.id },
      data: { mediaDurationSeconds: durationSeconds, chunksTotal: chunks.length },
    });
  }

  signal.throwIfAborted();
  // Without speakers to link, nothing comes between the last chunk and completion: that chunk's
  // commit completes the job (one transaction and one round of events fewer).
  const completed = await transcribeChunks({ deps, job, route, wav, workDir, chunks, durationSeconds, signal, stop: chunkWork, debug, completes: !job.diarize });
  if (completed) return;
  await linkSpeakers(deps, job, wav, signal);
  await completeTranscription(deps, job, durationSeconds);
}

/** Fails the job (an AppError is not retried) when the disk cannot hold what it is about to write. */
async function assertStagingSpace(deps: CoreDeps, workDir: string, neededBytes: number): Promise<void> {
  const shortage = await diskSpaceShortage({
    dir: workDir,
    neededBytes,
    reserveBytes: deps.env.MIN_FREE_DISK_BYTES,
    readFree: deps.freeDiskBytes,
    purpose: 'process this media',
  });
  if (shortage) throw new AppError('UNAVAILABLE', shortage);
}
