// A live session's received audio made into its two stored files in one ffmpeg pass.
import { ffmpegCommand, fileUrl, runFfmpeg, type FfmpegResult } from './ffmpeg.ts';
import type { MediaTools } from './run.ts';
import type { MediaContainer } from './sniff.ts';

/** Bitrate of the small web-playback file (Opus in Ogg, mono). */
const LIGHT_BITRATE = '32k';

/**
 * Writes `main` (lossless FLAC, mono, at `mainRate`) and `light` (Ogg/Opus for web playback, mono)
 * from `source`, read with its demuxer forced. Answers ffmpeg's result; the caller judges it.
 */
export function encodeSessionAudio(
  source: { path: string; container: MediaContainer },
  outputs: { main: string; mainRate: number; light: string },
  tools: MediaTools,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<FfmpegResult> {
  const mono = ['-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1'];
  const command = ffmpegCommand(source.path, source.container)
    .output(fileUrl(outputs.main))
    .outputOptions([...mono, '-ar', String(outputs.mainRate), '-c:a', 'flac', '-map_metadata', '-1', '-f', 'flac'])
    .output(fileUrl(outputs.light))
    .outputOptions([...mono, '-ar', '48000', '-c:a', 'libopus', '-b:a', LIGHT_BITRATE, '-application', 'voip', '-map_metadata', '-1', '-f', 'ogg']);
  return runFfmpeg(command, tools, options);
}
