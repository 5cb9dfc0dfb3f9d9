// A media file's audio with stretches of it silenced (redacted words): for web playback, or lossless for dataset exports.
import { ffmpegCommand, fileUrl, runFfmpeg, type FfmpegResult } from './ffmpeg.ts';
import type { MediaTools } from './run.ts';
import type { MediaContainer } from './sniff.ts';

/** Each range is widened by this much on both sides: word times are estimates, and speech starts before a recogniser says. */
const PAD_SECONDS = 0.1;
/** At most this many ranges go into one filter (a command line has limits); closer ones are merged first. */
const MAX_RANGES = 2000;

export interface TimeRange {
  start: number;
  end: number;
}

/**
 * What encodeSilenced writes: `ogg` Opus at 48 kHz, as the web-playback files are; `flac` lossless at
 * the source's rate and sample format, every sample outside the ranges as it was (dataset exports).
 */
export type SilencedFormat = 'ogg' | 'flac';

/** The volume filter that mutes `ranges` (seconds): volume=0 while t is in any of them. */
export function silenceFilter(ranges: readonly TimeRange[], format: SilencedFormat = 'ogg'): string {
  const padded = ranges.map((range) => ({ start: Math.max(0, range.start - PAD_SECONDS), end: range.end + PAD_SECONDS }));
  const terms = withinLimit(padded).map((range) => `between(t,${range.start.toFixed(3)},${range.end.toFixed(3)})`);
  if (terms.length === 0) return 'anull';
  const mute = `volume=enable='${terms.join('+')}':volume=0`;
  // `enable` switches per frame: 5 ms frames (240 samples at 48 kHz) put the edges within 5 ms. FLAC keeps
  // the source's rate (80-sample frames: 5 ms at 16 kHz, less above) and, with fixed precision, its integer
  // samples: frames outside the ranges pass through untouched.
  return format === 'ogg' ? `aresample=48000,asetnsamples=n=240:p=0,${mute}` : `asetnsamples=n=80:p=0,${mute}:precision=fixed`;
}

/** Merges the closest neighbours until few enough are left: more silence, never less. */
function withinLimit(ranges: readonly TimeRange[]): TimeRange[] {
  let merged = [...ranges].sort((a, b) => a.start - b.start).map((range) => ({ ...range }));
  for (let gap = 0.5; merged.length > MAX_RANGES; gap *= 2) {
    const next: TimeRange[] = [];
    for (const range of merged) {
      const previous = next.at(-1);
      if (previous && range.start - previous.end <= gap) previous.end = Math.max(previous.end, range.end);
      else next.push(range);
    }
    merged = next;
  }
  return merged;
}

const ENCODINGS: Record<SilencedFormat, string[]> = {
  ogg: ['-ar', '48000', '-c:a', 'libopus', '-b:a', '48k', '-map_metadata', '-1', '-f', 'ogg'],
  flac: ['-c:a', 'flac', '-map_metadata', '-1', '-f', 'flac'],
};

/** Writes `output` (mono, in `format`) from `source` with `ranges` silenced. */
export function encodeSilenced(
  source: { path: string; container: MediaContainer },
  output: string,
  ranges: readonly TimeRange[],
  format: SilencedFormat,
  tools: MediaTools,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<FfmpegResult> {
  const command = ffmpegCommand(source.path, source.container)
    .output(fileUrl(output))
    .outputOptions([...['-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-af', silenceFilter(ranges, format)], ...ENCODINGS[format]]);
  return runFfmpeg(command, tools, options);
}
