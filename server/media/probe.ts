// ffprobe, with the demuxer forced from the sniffed container and only the file protocol allowed;
// a plain 16-bit PCM WAV is read from its header instead.
import { formatDuration, mediaError } from './mediaError.ts';
import { readPlainPcmWav } from './pcmWav.ts';
import { defaultMediaTools, runTool, scrubPaths, type MediaTools } from './run.ts';
import { ffmpegCommand, fileUrl, inputOptions, runFfmpeg } from './ffmpeg.ts';
import { sniffMedia, type MediaContainer } from './sniff.ts';

export interface ProbeOptions {
  /** Longest accepted duration; longer media is refused with PAYLOAD_TOO_LARGE. */
  maxSeconds: number;
  /** The container from sniffMedia, when already known (it is sniffed otherwise). */
  container?: MediaContainer;
  timeoutMs?: number;
  signal?: AbortSignal;
  tools?: MediaTools;
}

export interface ProbeResult {
  container: MediaContainer;
  durationSeconds: number;
  /** A real video track (cover art in audio files does not count). */
  hasVideo: boolean;
  /** The first audio stream, the one normaliseAudio decodes. */
  audio: { codec: string; sampleRate: number; channels: number };
}

const DEFAULT_PROBE_TIMEOUT_MS = 60_000;

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { duration?: string };
}

/** ffprobe's input: the options every media command reads with (./ffmpeg.ts), then the file. */
const probeInputArgs = (path: string, container: MediaContainer) => [...inputOptions(container), '-i', fileUrl(path)];

const unreadable = (detail: string) =>
  mediaError('UNSUPPORTED_MEDIA', 'UNREADABLE', 'The file could not be read as audio or video; it may be damaged or truncated.', {
    detail,
  });

export async function probeMedia(path: string, options: ProbeOptions): Promise<ProbeResult> {
  const container = options.container ?? (await sniffMedia(path));
  const plain = container === 'wav' ? await readPlainPcmWav(path) : null;
  if (plain) {
    assertWithinCap(plain.durationSeconds, options.maxSeconds);
    return {
      container,
      durationSeconds: plain.durationSeconds,
      hasVideo: false,
      audio: { codec: 'pcm_s16le', sampleRate: plain.sampleRate, channels: plain.channels },
    };
  }
  const tools = options.tools ?? defaultMediaTools;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const result = await runTool(
    tools.ffprobePath,
    ['-v', 'error', '-hide_banner', ...probeInputArgs(path, container), '-print_format', 'json', '-show_format', '-show_streams'],
    { timeoutMs, signal: options.signal, maxStdoutBytes: 4 * 1024 * 1024 },
  );
  if (result.timedOut) {
    throw mediaError('UNSUPPORTED_MEDIA', 'TIMEOUT', 'Reading the media took too long.', { detail: `ffprobe timed out after ${timeoutMs} ms` });
  }
  if (result.exitCode !== 0) throw unreadable(scrubPaths(result.stderr, path));
  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(result.stdout) as FfprobeOutput;
  } catch {
    throw unreadable('ffprobe printed no JSON');
  }
  const streams = parsed.streams ?? [];
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (!audio) throw mediaError('UNSUPPORTED_MEDIA', 'NO_AUDIO', 'The file has no audio stream.');
  const sampleRate = Number(audio.sample_rate);
  const channels = audio.channels ?? 0;
  if (!audio.codec_name || audio.codec_name === 'none' || !(sampleRate > 0) || !(channels > 0)) {
    throw mediaError('UNSUPPORTED_MEDIA', 'UNSUPPORTED_CODEC', 'The audio codec is not supported.', {
      detail: `codec ${audio.codec_name ?? 'unknown'}, ${audio.sample_rate ?? '?'} Hz, ${channels} channels`,
    });
  }
  const hasVideo = streams.some((stream) => stream.codec_type === 'video' && !stream.disposition?.attached_pic);

  let durationSeconds = positive(parsed.format?.duration) ?? maxOf(streams.map((stream) => positive(stream.duration)));
  if (durationSeconds === undefined) {
    // Live recordings (MediaRecorder webm, piped output) carry no duration: read the packets to find it.
    durationSeconds = await readDuration(path, container, tools, options.maxSeconds, timeoutMs, options.signal);
    assertWithinCap(durationSeconds, options.maxSeconds, true);
  }
  assertWithinCap(durationSeconds, options.maxSeconds);
  return {
    container,
    durationSeconds,
    hasVideo,
    audio: { codec: audio.codec_name, sampleRate, channels },
  };
}

/**
 * PAYLOAD_TOO_LARGE when over the cap. `lowerBound` when decoding stopped early, so the true length is
 * unknown beyond "longer than".
 */
export function assertWithinCap(durationSeconds: number, maxSeconds: number, lowerBound = false): void {
  if (durationSeconds <= maxSeconds) return;
  const message = lowerBound
    ? `The media is longer than the limit of ${formatDuration(maxSeconds)}.`
    : `The media is ${formatDuration(durationSeconds)} long; the limit is ${formatDuration(maxSeconds)}.`;
  throw mediaError('PAYLOAD_TOO_LARGE', 'TOO_LONG', message, {
    extra: lowerBound ? { maxSeconds } : { durationSeconds, maxSeconds },
  });
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : undefined;
}

function maxOf(values: (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined);
  return defined.length ? Math.max(...defined) : undefined;
}

/** Demuxes the first audio stream (no decoding) to its end, stopping just past the cap. */
async function readDuration(
  path: string,
  container: MediaContainer,
  tools: MediaTools,
  maxSeconds: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  let outTimeUs = 0;
  const command = ffmpegCommand(path, container)
    .output('-')
    .outputOptions(['-map', '0:a:0', '-c', 'copy', '-t', String(maxSeconds + 1), '-f', 'null']);
  const result = await runFfmpeg(command, tools, {
    timeoutMs,
    signal,
    onProgress: (seconds) => {
      outTimeUs = Math.max(outTimeUs, Math.round(seconds * 1e6));
    },
  });
  if (result.timedOut) {
    throw mediaError('UNSUPPORTED_MEDIA', 'TIMEOUT', 'Reading the media took too long.', { detail: `ffmpeg timed out after ${timeoutMs} ms` });
  }
  if (result.exitCode !== 0 || outTimeUs <= 0) throw unreadable(scrubPaths(result.stderr, path) || 'no packets');
  return outTimeUs / 1e6;
}
