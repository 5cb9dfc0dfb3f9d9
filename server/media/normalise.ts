// Decodes the first audio stream to 16 kHz mono 16-bit PCM WAV, the one format the engines get
// (a WAV already in that format is copied, without ffmpeg).
import { rm, stat } from 'node:fs/promises';
import { mediaError } from './mediaError.ts';
import { copyEngineWav, isEngineFormat, readPlainPcmWav } from './pcmWav.ts';
import { ffmpegCommand, fileUrl, runFfmpeg } from './ffmpeg.ts';
import { assertWithinCap } from './probe.ts';
import { defaultMediaTools, scrubPaths, type MediaTools } from './run.ts';
import { sniffMedia, type MediaContainer } from './sniff.ts';
import { readMonoPcmInfo, SAMPLE_RATE } from './wav.ts';

export { assertAudible, measureLevels } from './audible.ts';

export interface NormaliseOptions {
  /** ffmpeg is killed after this long (env FFMPEG_TIMEOUT_MS). */
  timeoutMs: number;
  /** Aborting kills ffmpeg and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Seconds of audio decoded so far, about twice a second. */
  onProgress?: (seconds: number) => void;
  /** The container from sniffMedia/probeMedia, when already known (it is sniffed otherwise). */
  container?: MediaContainer;
  /** Defence in depth against headers that understate the duration: decoding stops just past it. */
  maxSeconds?: number;
  tools?: MediaTools;
}

export interface NormaliseResult {
  /** Duration of the written audio. */
  durationSeconds: number;
  /** Size of the WAV file, header included. */
  bytes: number;
}

export async function normaliseAudio(
  inputPath: string,
  outputWavPath: string,
  options: NormaliseOptions,
): Promise<NormaliseResult> {
  const container = options.container ?? (await sniffMedia(inputPath));
  const plain = container === 'wav' ? await readPlainPcmWav(inputPath) : null;
  if (plain && isEngineFormat(plain)) {
    options.signal?.throwIfAborted();
    if (options.maxSeconds !== undefined) assertWithinCap(plain.durationSeconds, options.maxSeconds);
    try {
      await copyEngineWav(inputPath, plain, outputWavPath);
    } catch (error) {
      await rm(outputWavPath, { force: true });
      throw error;
    }
    options.onProgress?.(plain.durationSeconds);
    return { durationSeconds: plain.durationSeconds, bytes: (await stat(outputWavPath)).size };
  }
  const tools = options.tools ?? defaultMediaTools;
  const command = ffmpegCommand(inputPath, container)
    .output(fileUrl(outputWavPath))
    .outputOptions([
      '-map', '0:a:0', '-vn', '-sn', '-dn',
      '-ac', '1', '-ar', String(SAMPLE_RATE), '-c:a', 'pcm_s16le',
      '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact',
      ...(options.maxSeconds !== undefined ? ['-t', String(options.maxSeconds + 1)] : []),
      '-f', 'wav',
    ]);
  let result;
  try {
    result = await runFfmpeg(command, tools, { timeoutMs: options.timeoutMs, signal: options.signal, onProgress: options.onProgress });
  } catch (error) {
    await rm(outputWavPath, { force: true });
    throw error;
  }
  if (result.timedOut || result.exitCode !== 0) {
    await rm(outputWavPath, { force: true });
    if (result.timedOut) {
      throw mediaError('UNSUPPORTED_MEDIA', 'TIMEOUT', 'Converting the audio took too long.', {
        detail: `ffmpeg timed out after ${options.timeoutMs} ms`,
      });
    }
    throw mediaError('UNSUPPORTED_MEDIA', 'UNREADABLE', 'The audio could not be decoded; the file may be damaged or truncated.', {
      detail: scrubPaths(result.stderr, inputPath, outputWavPath),
    });
  }
  const info = await readMonoPcmInfo(outputWavPath);
  try {
    if (info.samples === 0) {
      throw mediaError('UNSUPPORTED_MEDIA', 'NO_AUDIO', 'The file contains no decodable audio.');
    }
    if (options.maxSeconds !== undefined) assertWithinCap(info.durationSeconds, options.maxSeconds, true);
  } catch (error) {
    await rm(outputWavPath, { force: true });
    throw error;
  }
  const { size } = await stat(outputWavPath);
  return { durationSeconds: info.durationSeconds, bytes: size };
}
