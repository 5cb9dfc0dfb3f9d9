// Loudness and silence of a recording, measured by one ffmpeg pass (silencedetect + volumedetect).
import { ffmpegCommand, runFfmpeg } from './ffmpeg.ts';
import type { MediaTools } from './run.ts';
import { sniffMedia, type MediaContainer } from './sniff.ts';
import { roundTo } from '../rounding.ts';

/** Quieter than this for at least SILENCE_MIN_SECONDS counts as silence. */
const SILENCE_THRESHOLD_DB = -40;
const SILENCE_MIN_SECONDS = 0.3;

export interface RecordingLevels {
  /** Seconds of silence (as silencedetect finds it), trailing silence included. */
  silenceSeconds: number;
  /** Mean and peak level in dBFS (volumedetect says about -91 for digital silence); null when not reported. */
  meanVolumeDb: number | null;
  maxVolumeDb: number | null;
  /** Share of samples within 1 dB of full scale (volumedetect's histogram_0db): clipping. */
  clippedRatio: number;
}

/**
 * Measures `file` (any audio ffmpeg reads; local files only; its demuxer forced from `container`, sniffed when not given). `durationSeconds` closes a silence
 * still open at the end. Throws when ffmpeg fails: the caller decides whether that is fatal.
 */
export async function measureRecordingLevels(
  file: string,
  durationSeconds: number,
  tools: MediaTools,
  timeoutMs: number,
  options: { container?: MediaContainer; signal?: AbortSignal } = {},
): Promise<RecordingLevels> {
  const container = options.container ?? (await sniffMedia(file));
  const { signal } = options;
  const command = ffmpegCommand(file, container, 'info')
    .output('-')
    .outputOptions(['-map', '0:a:0', '-af', `silencedetect=noise=${SILENCE_THRESHOLD_DB}dB:duration=${SILENCE_MIN_SECONDS},volumedetect`, '-f', 'null']);
  const result = await runFfmpeg(command, tools, { timeoutMs, signal, stderrKeepBytes: 1024 * 1024 });
  if (result.exitCode !== 0 || result.timedOut) throw new Error(`ffmpeg could not measure the recording (exit ${result.exitCode})`);
  return parseLevels(result.stderr, durationSeconds);
}

/** Reads silencedetect and volumedetect lines from ffmpeg's log. */
export function parseLevels(log: string, durationSeconds: number): RecordingLevels {
  let silenceSeconds = 0;
  let openSilence: number | null = null;
  let samples = 0;
  let fullScale = 0;
  let meanVolumeDb: number | null = null;
  let maxVolumeDb: number | null = null;
  for (const line of log.split('\n')) {
    let match = /silence_start: (-?[\d.]+)/.exec(line);
    if (match) openSilence = Math.max(0, Number(match[1]));
    match = /silence_end: (-?[\d.]+)/.exec(line);
    if (match && openSilence !== null) {
      silenceSeconds += Math.max(0, Number(match[1]) - openSilence);
      openSilence = null;
    }
    match = /n_samples: (\d+)/.exec(line);
    if (match) samples = Number(match[1]);
    match = /mean_volume: (-?[\d.]+|-inf) dB/.exec(line);
    if (match) meanVolumeDb = match[1] === '-inf' ? null : Number(match[1]);
    match = /max_volume: (-?[\d.]+|-inf) dB/.exec(line);
    if (match) maxVolumeDb = match[1] === '-inf' ? null : Number(match[1]);
    match = /histogram_0db: (\d+)/.exec(line);
    if (match) fullScale = Number(match[1]);
  }
  if (openSilence !== null) silenceSeconds += Math.max(0, durationSeconds - openSilence);
  return {
    silenceSeconds: Math.min(durationSeconds, roundTo(silenceSeconds, 3)),
    meanVolumeDb,
    maxVolumeDb,
    clippedRatio: samples > 0 ? fullScale / samples : 0,
  };
}

