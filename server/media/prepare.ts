// The worker's whole media step: sniff, probe, normalise, refuse silence.
import { assertAudible } from './audible.ts';
import { normaliseAudio, type NormaliseResult } from './normalise.ts';
import { probeMedia, type ProbeResult } from './probe.ts';
import type { MediaTools } from './run.ts';
import { sniffMedia } from './sniff.ts';

export interface PrepareOptions {
  maxSeconds: number;
  /** For the ffmpeg decode (env FFMPEG_TIMEOUT_MS). */
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (seconds: number) => void;
  tools?: MediaTools;
}

export async function prepareAudio(
  inputPath: string,
  outputWavPath: string,
  options: PrepareOptions,
): Promise<{ probe: ProbeResult; wav: NormaliseResult }> {
  const container = await sniffMedia(inputPath);
  const { maxSeconds, signal, tools } = options;
  const probe = await probeMedia(inputPath, { maxSeconds, container, signal, tools });
  const wav = await normaliseAudio(inputPath, outputWavPath, { ...options, container });
  await assertAudible(outputWavPath);
  return { probe, wav };
}
