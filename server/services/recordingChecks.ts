import type { RecordingLevels } from '../media/recordingLevels.ts';
import { normalizeWords, wordErrorRate } from '../transcripts/wer.ts';
import { roundTo } from '../rounding.ts';

/** The limits behind each check (README, "Recital and review"). */
export const checkLimits = {
  minSeconds: 1,
  maxSilenceRatio: 0.8,
  /** Peak level below this is too quiet. */
  quietPeakDb: -25,
  /** More than this share of samples within 1 dB of full scale is clipped. */
  clippedRatio: 0.001,
  /** Recognised text this far from the prompt is suspicious. */
  maxWordErrorRate: 0.5,
} as const;

/** What a reviewer sees of the measurements taken at submission (stored as `recordings.checks`). */
export interface RecordingChecks {
  tooShort: boolean;
  mostlySilence: boolean;
  tooQuiet: boolean;
  clipped: boolean;
  /** Set when the recording is of a prompt. */
  wordErrorRate: number | null;
  wordErrorRateHigh: boolean;
  silenceRatio: number;
  meanVolumeDb: number | null;
  maxVolumeDb: number | null;
  clippedRatio: number;
}

export function computeChecks(input: {
  durationSeconds: number;
  levels: RecordingLevels;
  promptText: string | null;
  recognisedText: string;
}): RecordingChecks {
  const { durationSeconds, levels } = input;
  const silenceRatio = durationSeconds > 0 ? Math.min(1, levels.silenceSeconds / durationSeconds) : 1;
  const wer =
    input.promptText !== null && normalizeWords(input.promptText).length > 0
      ? roundTo(wordErrorRate(input.promptText, input.recognisedText), 3)
      : null;
  return {
    tooShort: durationSeconds < checkLimits.minSeconds,
    mostlySilence: silenceRatio > checkLimits.maxSilenceRatio,
    tooQuiet: levels.maxVolumeDb === null || levels.maxVolumeDb < checkLimits.quietPeakDb,
    clipped: levels.clippedRatio > checkLimits.clippedRatio,
    wordErrorRate: wer,
    wordErrorRateHigh: wer !== null && wer > checkLimits.maxWordErrorRate,
    silenceRatio: roundTo(silenceRatio, 3),
    meanVolumeDb: levels.meanVolumeDb,
    maxVolumeDb: levels.maxVolumeDb,
    clippedRatio: roundTo(levels.clippedRatio, 6),
  };
}

/**
 * Orders the review queue: one point per failed check, plus the word error rate (capped at 1), so
 * a recording that fails checks comes before one that merely reads a little differently.
 */
export function suspicionOf(checks: RecordingChecks): number {
  const failed = [checks.tooShort, checks.mostlySilence, checks.tooQuiet, checks.clipped, checks.wordErrorRateHigh].filter(Boolean).length;
  return failed + Math.min(1, checks.wordErrorRate ?? 0);
}

export function isSuspicious(checks: RecordingChecks): boolean {
  return checks.tooShort || checks.mostlySilence || checks.tooQuiet || checks.clipped || checks.wordErrorRateHigh;
}
