import type { Env } from '../env.ts';
import { probeMedia } from '../media/probe.ts';
import { mediaToolsFromEnv } from '../media/run.ts';
import { sniffMedia } from '../media/sniff.ts';

/**
 * The checks every piece of media passes before ffmpeg transcodes it: magic bytes first (so
 * playlists, concat lists and text never reach ffmpeg), then ffprobe for an audio stream and a
 * duration within MAX_MEDIA_SECONDS. Throws UNSUPPORTED_MEDIA or PAYLOAD_TOO_LARGE with a reason.
 */
export async function inspectMedia(path: string, env: Pick<Env, 'MAX_MEDIA_SECONDS' | 'FFMPEG_PATH' | 'FFPROBE_PATH'>) {
  const container = await sniffMedia(path);
  return probeMedia(path, { maxSeconds: env.MAX_MEDIA_SECONDS, container, tools: mediaToolsFromEnv(env) });
}
