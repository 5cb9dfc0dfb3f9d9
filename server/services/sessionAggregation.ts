/**
 * Turns an ENDED live session into files: the source audio as received (a WAV for PCM, the
 * WebM/Ogg stream as it is), a lossless FLAC (the source's rate, mono), a small Ogg/Opus for web
 * playback, and WebVTT from the final segments, all under sessions/<id>/ in storage. A session
 * recorded into a project also becomes a Recording in its review queue, with the checks measured
 * here, in the same transaction that marks it READY. The session ends READY with its duration, or
 * FAILED with a reason (aggregationFailure); the stored chunks are deleted after success.
 * Idempotent: a READY session only has leftover chunks removed; files are overwritten.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { CoreDeps } from '../context.ts';
import type { LiveSession } from '../db/db.ts';
import { diskSpaceShortage } from '../media/diskSpace.ts';
import { probeMedia } from '../media/probe.ts';
import { measureRecordingLevels } from '../media/recordingLevels.ts';
import { mediaToolsFromEnv, scrubPaths } from '../media/run.ts';
import { encodeSessionAudio } from '../media/sessionAudio.ts';
import type { MediaContainer } from '../media/sniff.ts';
import { wavHeader } from '../media/wav.ts';
import type { Segment } from '../providers/types.ts';
import { renderVtt } from '../transcripts/formats.ts';
import { segmentFromStored } from '../transcripts/storedSegments.ts';
import { computeChecks, type RecordingChecks } from './recordingChecks.ts';
import { submitRecording } from './recordings.ts';
import { FinalTaskError, finalReason, type FailureRecord } from './workFailure.ts';
import { roundTo } from '../rounding.ts';

const BATCH = 64;

/** A reason the session cannot be aggregated; retrying does not help. */
class AggregationError extends FinalTaskError {}

interface Outputs {
  sourceKey: string;
  mainKey: string;
  lightKey: string;
  vttKey: string;
  durationSeconds: number;
}

/** What a session recorded into a project adds: the review queue's measurements. */
interface Submission {
  recognisedText: string;
  checks: RecordingChecks;
}

export async function aggregateSession(
  deps: CoreDeps,
  sessionId: string,
  options: { signal?: AbortSignal; info?: (message: string) => void } = {},
): Promise<void> {
  const session = await deps.db.liveSession.findUnique({ where: { id: sessionId } });
  if (!session) return;
  if (session.status === 'READY') {
    await deps.db.liveAudioChunk.deleteMany({ where: { sessionId } });
    return;
  }
  if (session.status !== 'ENDED' && session.status !== 'PROCESSING') return;
  await deps.db.liveSession.updateMany({
    where: { id: sessionId, status: { in: ['ENDED', 'PROCESSING'] } },
    data: { status: 'PROCESSING', error: null },
  });
  const workDir = path.join(os.tmpdir(), 'parlance-sessions', sessionId);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    const { outputs, submission } = await aggregate(deps, session, workDir, options.signal);
    const count = await deps.db.$transaction(async (tx) => {
      const updated = await tx.liveSession.updateMany({
        where: { id: sessionId, status: 'PROCESSING' },
        data: { status: 'READY', ...outputs, processedAt: new Date() },
      });
      if (updated.count > 0 && submission) await submitRecording(deps, tx, session, { durationSeconds: outputs.durationSeconds, ...submission });
      return updated.count;
    });
    if (count > 0) await deps.db.liveAudioChunk.deleteMany({ where: { sessionId } });
    options.info?.(`session ${sessionId}: aggregated, ${outputs.durationSeconds.toFixed(2)} s`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** A session that cannot be aggregated ends FAILED with the reason (retried first when unexpected). */
export function aggregationFailure(deps: CoreDeps, sessionId: string): FailureRecord {
  return {
    fail: async (error) => {
      const message = finalReason(error, 'Aggregation failed unexpectedly.', () =>
        deps.logger.error({ err: error, sessionId }, 'aggregation failed unexpectedly'),
      );
      await deps.db.liveSession.updateMany({
        where: { id: sessionId, status: 'PROCESSING' },
        data: { status: 'FAILED', error: message, processedAt: new Date() },
      });
    },
  };
}

async function aggregate(
  deps: CoreDeps,
  session: LiveSession,
  workDir: string,
  signal: AbortSignal | undefined,
): Promise<{ outputs: Outputs; submission: Submission | null }> {
  const { db, storage, env } = deps;
  const tools = mediaToolsFromEnv(env);
  const format = sourceFormat(session);
  const source = path.join(workDir, `source.${format.extension}`);
  const [{ bytes, chunks }] = await db.$queryRaw<{ bytes: number; chunks: number }[]>`
    SELECT COALESCE(SUM(length(bytes)), 0)::float8 AS bytes, COUNT(*)::int AS chunks
    FROM live_audio_chunks WHERE session_id = ${session.id} AND seq < ${session.nextSeq}::int`;
  if (chunks === 0 || bytes === 0) throw new AggregationError('No audio was received.');
  await assertAggregationSpace(deps, session, workDir, bytes);

  async function* body() {
    if (session.encoding === 'PCM_S16LE') yield wavHeader(bytes - (bytes % 2), session.sampleRate, 1);
    let written = 0;
    for (let from = 0; from < session.nextSeq; ) {
      const rows = await db.$queryRaw<{ seq: number; bytes: Uint8Array }[]>`
        SELECT seq, bytes FROM live_audio_chunks
        WHERE session_id = ${session.id} AND seq >= ${from}::int AND seq < ${session.nextSeq}::int ORDER BY seq LIMIT ${BATCH}::int`;
      if (rows.length === 0) break;
      for (const row of rows) {
        let chunk = Buffer.from(row.bytes);
        // A WAV holds whole samples: an odd byte at the very end is dropped.
        if (session.encoding === 'PCM_S16LE' && written + chunk.length > bytes - (bytes % 2)) chunk = chunk.subarray(0, bytes - (bytes % 2) - written);
        written += chunk.length;
        yield chunk;
      }
      from = rows[rows.length - 1].seq + 1;
    }
  }
  await pipeline(body, createWriteStream(source));

  const main = path.join(workDir, 'main.flac');
  const light = path.join(workDir, 'light.ogg');
  const mainRate = session.encoding === 'PCM_S16LE' ? session.sampleRate : 48_000;
  const result = await encodeSessionAudio({ path: source, container: format.container }, { main, mainRate, light }, tools, {
    timeoutMs: env.FFMPEG_TIMEOUT_MS,
    signal,
  });
  if (result.timedOut) throw new AggregationError('Converting the audio took too long.');
  if (result.exitCode !== 0) {
    deps.logger.warn({ sessionId: session.id, detail: scrubPaths(result.stderr, source, main, light) }, 'ffmpeg could not aggregate a session');
    throw new AggregationError('The received audio could not be decoded; it may be damaged or not in the declared encoding.');
  }
  const durationSeconds = await flacDuration(main, tools, signal);
  if (!(durationSeconds > 0)) throw new AggregationError('The received audio holds no sound.');

  const segments: Segment[] = (await db.liveSegment.findMany({ where: { sessionId: session.id }, orderBy: { idx: 'asc' } })).map(segmentFromStored);
  const vtt = renderVtt(segments);

  const prefix = `sessions/${session.id}/`;
  const outputs: Outputs = {
    sourceKey: `${prefix}source.${format.extension}`,
    mainKey: `${prefix}main.flac`,
    lightKey: `${prefix}light.ogg`,
    vttKey: `${prefix}subtitles.vtt`,
    durationSeconds,
  };
  await storage.put(outputs.sourceKey, createReadStream(source), { contentType: format.contentType });
  await storage.put(outputs.mainKey, createReadStream(main), { contentType: 'audio/flac' });
  await storage.put(outputs.lightKey, createReadStream(light), { contentType: 'audio/ogg' });
  await storage.put(outputs.vttKey, Buffer.from(vtt, 'utf8'), { contentType: 'text/vtt; charset=utf-8' });
  deps.logger.debug(
    { sessionId: session.id, sourceBytes: (await stat(source)).size, mainBytes: (await stat(main)).size, lightBytes: (await stat(light)).size },
    'session files stored',
  );
  return { outputs, submission: session.projectId ? await measureSubmission(deps, session, main, durationSeconds, segments, signal) : null };
}

/** The FLAC's duration to the millisecond, through the one probe (0 when it cannot be read). */
async function flacDuration(file: string, tools: ReturnType<typeof mediaToolsFromEnv>, signal: AbortSignal | undefined): Promise<number> {
  try {
    const probe = await probeMedia(file, { maxSeconds: Infinity, container: 'flac', tools, signal });
    return roundTo(probe.durationSeconds, 3);
  } catch (error) {
    if (signal?.aborted) throw error;
    return 0;
  }
}

/**
 * The source as received, its lossless FLAC (at most the size of a 16-bit WAV of the source's rate)
 * and the small Opus file must fit with the reserve to spare. A compressed source's duration is
 * not known before the decode: the session's wall time bounds it.
 */
async function assertAggregationSpace(deps: CoreDeps, session: LiveSession, workDir: string, receivedBytes: number): Promise<void> {
  const pcmBytesPerSecond = (session.encoding === 'PCM_S16LE' ? session.sampleRate : 48_000) * 2;
  const seconds =
    session.encoding === 'PCM_S16LE'
      ? receivedBytes / pcmBytesPerSecond
      : Math.max(0, ((session.endedAt ?? new Date()).getTime() - session.createdAt.getTime()) / 1000);
  const lightBytesPerSecond = 4_000;
  const shortage = await diskSpaceShortage({
    dir: workDir,
    neededBytes: Math.ceil(receivedBytes + seconds * (pcmBytesPerSecond + lightBytesPerSecond)),
    reserveBytes: deps.env.MIN_FREE_DISK_BYTES,
    readFree: deps.freeDiskBytes,
    purpose: 'aggregate this live session',
  });
  if (shortage) throw new AggregationError(shortage);
}

async function measureSubmission(
  deps: CoreDeps,
  session: LiveSession,
  main: string,
  durationSeconds: number,
  segments: Segment[],
  signal: AbortSignal | undefined,
): Promise<Submission> {
  const levels = await measureRecordingLevels(main, durationSeconds, mediaToolsFromEnv(deps.env), deps.env.FFMPEG_TIMEOUT_MS, {
    container: 'flac',
    signal,
  });
  const prompt = session.promptId ? await deps.db.prompt.findUnique({ where: { id: session.promptId }, select: { text: true } }) : null;
  const recognisedText = segments.map((segment) => segment.text.trim()).filter(Boolean).join(' ');
  return { recognisedText, checks: computeChecks({ durationSeconds, levels, promptText: prompt?.text ?? null, recognisedText }) };
}

function sourceFormat(session: Pick<LiveSession, 'encoding'>): { extension: string; container: MediaContainer; contentType: string } {
  switch (session.encoding) {
    case 'PCM_S16LE':
      return { extension: 'wav', container: 'wav', contentType: 'audio/wav' };
    case 'WEBM_OPUS':
      return { extension: 'webm', container: 'webm', contentType: 'audio/webm' };
    case 'OGG_OPUS':
      return { extension: 'ogg', container: 'ogg', contentType: 'audio/ogg' };
  }
}
