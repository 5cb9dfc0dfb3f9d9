import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Task } from 'graphile-worker';
import type { CoreDeps } from '../../server/context.ts';
import type { LiveSession } from '../../server/db/db.ts';
import { diskSpaceShortage } from '../../server/media/diskSpace.ts';
import { measureRecordingLevels } from '../../server/media/recordingLevels.ts';
import { runTool, scrubPaths, mediaToolsFromEnv } from '../../server/media/run.ts';
import { wavHeader } from '../../server/media/wav.ts';
import type { Segment } from '../../server/providers/types.ts';
import { computeChecks, type RecordingChecks } from '../../server/services/recordingChecks.ts';
import { submitRecording } from '../../server/services/recordings.ts';
import { renderVtt } from '../../server/transcripts/formats.ts';
import { segmentFromStored } from '../../server/transcripts/storedSegments.ts';
import { assertAggregateSessionPayload } from '../payloads.ts';
import { FinalTaskError, finalFailureMessage } from '../taskFailure.ts';

/** Bitrate of the small web-playback file (Opus in Ogg, mono). */
const LIGHT_BITRATE = '32k';
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

/**
 * Turns an ENDED live session into files: the source audio as received (a WAV for PCM, the
 * WebM/Ogg stream as it is), a lossless FLAC (the source's rate, mono), a small Ogg/Opus for web
 * playback, and WebVTT from the final segments, all under sessions/<id>/ in storage. A session
 * recorded into a project also becomes a Recording in its review queue, with the checks measured
 * here, in the same transaction that marks it READY. The session ends READY with its duration, or
 * FAILED with a reason; the stored chunks are deleted after success. Idempotent: a READY session
 * only has leftover chunks removed; files are overwritten.
 */
export function createAggregateSessionTask(deps: CoreDeps): Task {
  return async (payload, helpers) => {
    const { sessionId } = assertAggregateSessionPayload(payload);
    const session = await deps.db.liveSession.findUnique({ where: { id: sessionId } });
    if (!session) return;
    if (session.status === 'READY') {
      await deps.db.liveAudioChunk.deleteMany({ where: { sessionId } });
      return;
    }
    if (session.status !== 'ENDED' && session.status !== 'PROCESSING') return;
    await deps.db.liveSession.updateMany({
      where: { id: sessionId, status: { in: ['ENDED', 'PROCESSING'] } },
      data: { status: 'PROCESSING', error: null, updatedAt: new Date() },
    });
    const workDir = path.join(os.tmpdir(), 'parlance-sessions', sessionId);
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    try {
      const { outputs, submission } = await aggregate(deps, session, workDir);
      const count = await deps.db.$transaction(async (tx) => {
        const updated = await tx.liveSession.updateMany({
          where: { id: sessionId, status: 'PROCESSING' },
          data: { status: 'READY', ...outputs, processedAt: new Date(), updatedAt: new Date() },
        });
        if (updated.count > 0 && submission) await submitRecording(deps, tx, session, { durationSeconds: outputs.durationSeconds, ...submission });
        return updated.count;
      });
      if (count > 0) await deps.db.liveAudioChunk.deleteMany({ where: { sessionId } });
      helpers.logger.info(`session ${sessionId}: aggregated, ${outputs.durationSeconds.toFixed(2)} s`);
    } catch (error) {
      const message = finalFailureMessage(error, helpers, 'Aggregation failed unexpectedly.', () =>
        deps.logger.error({ err: error, sessionId }, 'aggregation failed unexpectedly'),
      );
      await deps.db.liveSession.updateMany({
        where: { id: sessionId, status: 'PROCESSING' },
        data: {
          status: 'FAILED',
          error: message,
          processedAt: new Date(),
          updatedAt: new Date(),
        },
      });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

async function aggregate(deps: CoreDeps, session: LiveSession, workDir: string): Promise<{ outputs: Outputs; submission: Submission | null }> {
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
  const outputArgs = (file: string, codec: string[]) => ['-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', ...codec, '-map_metadata', '-1', '-y', `file:${file}`];
  const result = await runTool(
    tools.ffmpegPath,
    [
      '-nostdin', '-hide_banner', '-v', 'error',
      '-protocol_whitelist', 'file', '-format_whitelist', format.demuxer, '-f', format.demuxer, '-i', `file:${source}`,
      ...outputArgs(main, ['-ar', String(mainRate), '-c:a', 'flac', '-f', 'flac']),
      ...outputArgs(light, ['-ar', '48000', '-c:a', 'libopus', '-b:a', LIGHT_BITRATE, '-application', 'voip', '-f', 'ogg']),
    ],
    { timeoutMs: env.FFMPEG_TIMEOUT_MS },
  );
  if (result.timedOut) throw new AggregationError('Converting the audio took too long.');
  if (result.exitCode !== 0) {
    deps.logger.warn({ sessionId: session.id, detail: scrubPaths(result.stderr, source, main, light) }, 'ffmpeg could not aggregate a session');
    throw new AggregationError('The received audio could not be decoded; it may be damaged or not in the declared encoding.');
  }
  const durationSeconds = await probeDuration(tools.ffprobePath, main);
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
  return { outputs, submission: session.projectId ? await measureSubmission(deps, session, main, durationSeconds, segments) : null };
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
): Promise<Submission> {
  const levels = await measureRecordingLevels(main, durationSeconds, mediaToolsFromEnv(deps.env), deps.env.FFMPEG_TIMEOUT_MS);
  const prompt = session.promptId ? await deps.db.prompt.findUnique({ where: { id: session.promptId }, select: { text: true } }) : null;
  const recognisedText = segments.map((segment) => segment.text.trim()).filter(Boolean).join(' ');
  return { recognisedText, checks: computeChecks({ durationSeconds, levels, promptText: prompt?.text ?? null, recognisedText }) };
}

function sourceFormat(session: Pick<LiveSession, 'encoding'>): { extension: string; demuxer: string; contentType: string } {
  switch (session.encoding) {
    case 'PCM_S16LE':
      return { extension: 'wav', demuxer: 'wav', contentType: 'audio/wav' };
    case 'WEBM_OPUS':
      return { extension: 'webm', demuxer: 'matroska', contentType: 'audio/webm' };
    case 'OGG_OPUS':
      return { extension: 'ogg', demuxer: 'ogg', contentType: 'audio/ogg' };
  }
}

async function probeDuration(ffprobePath: string, file: string): Promise<number> {
  const result = await runTool(
    ffprobePath,
    ['-v', 'error', '-protocol_whitelist', 'file', '-show_entries', 'format=duration', '-of', 'default=noprint_wrappers=1:nokey=1', `file:${file}`],
    { timeoutMs: 60_000, maxStdoutBytes: 4096 },
  );
  const seconds = Number(result.stdout.trim());
  return result.exitCode === 0 && Number.isFinite(seconds) ? Math.round(seconds * 1000) / 1000 : 0;
}
