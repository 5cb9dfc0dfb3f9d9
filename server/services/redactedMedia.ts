/**
 * The audio a redacted reader hears: a job's media or a live session's audio with the redacted words
 * silenced (Ogg/Opus for playback, FLAC for dataset exports), made on first request and kept in
 * storage beside the source (one file per job or session and format, with a digest of the ranges it
 * silences beside it: a correction or a policy change that moves them replaces the file).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createReadStream } from 'node:fs';
import type { CoreDeps } from '../context.ts';
import { AppError } from '../errors.ts';
import { isMissingObject } from '../storage/index.ts';
import { encodeSilenced, type SilencedFormat, type TimeRange } from '../media/silence.ts';
import { mediaToolsFromEnv } from '../media/run.ts';
import { sniffMedia } from '../media/sniff.ts';

/** The playback routes' redacted audio (format `ogg`). */
export const REDACTED_MEDIA_TYPE = 'audio/ogg';
const CONTENT_TYPES: Record<SilencedFormat, string> = { ogg: REDACTED_MEDIA_TYPE, flac: 'audio/flac' };

/**
 * The storage key of `sourceKey`'s audio with `ranges` silenced, in `format`, written first when
 * missing; kept under `prefix` (the job's or session's folder, e.g. `jobs/<id>/`), so it goes when
 * they go.
 */
export async function redactedMediaKey(
  deps: Pick<CoreDeps, 'storage' | 'env' | 'logger'>,
  media: { prefix: string; sourceKey: string | null },
  ranges: readonly TimeRange[],
  format: SilencedFormat = 'ogg',
): Promise<string | null> {
  if (!media.sourceKey) return null;
  const digest = createHash('sha256').update(JSON.stringify(ranges)).digest('hex');
  const key = `${media.prefix}redacted.${format}`;
  // The Ogg's digest keeps the name it had before other formats existed, so no stored one is orphaned.
  const digestKey = format === 'ogg' ? `${media.prefix}redacted.ranges` : `${key}.ranges`;
  if ((await storedText(deps, digestKey)) === digest && (await deps.storage.exists(key))) return key;
  const workDir = path.join(os.tmpdir(), 'parlance-redacted', randomUUID());
  try {
    await mkdir(workDir, { recursive: true });
    const source = path.join(workDir, 'source');
    const output = path.join(workDir, `redacted.${format}`);
    await deps.storage.download(media.sourceKey, source);
    const result = await encodeSilenced(
      { path: source, container: await sniffMedia(source) },
      output,
      ranges,
      format,
      mediaToolsFromEnv(deps.env),
      { timeoutMs: deps.env.FFMPEG_TIMEOUT_MS },
    );
    if (result.exitCode !== 0) {
      deps.logger.error({ key, stderr: result.stderr }, 'could not write the redacted audio');
      throw new AppError('UNAVAILABLE', 'The redacted audio could not be made.');
    }
    // The audio first, then its digest: a reader never takes older audio for these ranges.
    await deps.storage.put(key, createReadStream(output), { contentType: CONTENT_TYPES[format] });
    await deps.storage.put(digestKey, Buffer.from(digest));
    return key;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

async function storedText(deps: Pick<CoreDeps, 'storage'>, key: string): Promise<string | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await deps.storage.get(key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if (isMissingObject(error)) return null;
    throw error;
  }
}
