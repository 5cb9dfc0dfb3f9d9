// Level checks on normalised PCM, read in a stream (no second ffmpeg run).
import { mediaError } from './mediaError.ts';
import { readMonoPcmInfo, readPcmBlocks } from './wav.ts';

const FULL_SCALE = 32768;

const toDb = (amplitude: number) => (amplitude > 0 ? 20 * Math.log10(amplitude / FULL_SCALE) : -Infinity);

/** Peak and RMS of a mono 16-bit WAV, in dBFS (-Infinity for digital silence). One full pass. */
export async function measureLevels(wavPath: string): Promise<{ peakDb: number; rmsDb: number; samples: number }> {
  const info = await readMonoPcmInfo(wavPath);
  let peak = 0;
  let sumSquares = 0;
  for await (const block of readPcmBlocks(wavPath, info)) {
    for (let i = 0; i < block.length; i++) {
      const sample = block[i];
      const magnitude = sample < 0 ? -sample : sample;
      if (magnitude > peak) peak = magnitude;
      sumSquares += sample * sample;
    }
  }
  const rms = info.samples ? Math.sqrt(sumSquares / info.samples) : 0;
  return { peakDb: toDb(peak), rmsDb: toDb(rms), samples: info.samples };
}

/**
 * Throws UNSUPPORTED_MEDIA "The audio is silent" when no sample rises above `thresholdDb` (default -60 dBFS).
 * Stops reading at the first sample that does, so ordinary recordings cost a few kilobytes of reading.
 */
export async function assertAudible(wavPath: string, options: { thresholdDb?: number } = {}): Promise<void> {
  const info = await readMonoPcmInfo(wavPath);
  const limit = FULL_SCALE * 10 ** ((options.thresholdDb ?? -60) / 20);
  for await (const block of readPcmBlocks(wavPath, info)) {
    for (let i = 0; i < block.length; i++) {
      const sample = block[i];
      if (sample > limit || -sample > limit) return;
    }
  }
  throw mediaError('UNSUPPORTED_MEDIA', 'SILENT', 'The audio is silent.');
}
