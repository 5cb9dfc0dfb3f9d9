// The worker's whole media step: sniff, probe (unless done at submission) while decoding, refuse silence.
import { rm } from 'node:fs/promises';
import { assertAudible } from './audible.ts';
import { normaliseAudio, type NormaliseResult } from './normalise.ts';
import { probeMedia, type ProbeResult } from './probe.ts';
import type { MediaTools } from './run.ts';
import { sniffMedia, type MediaContainer } from './sniff.ts';

export interface PrepareOptions {
  maxSeconds: number;
  /** For the ffmpeg decode (env FFMPEG_TIMEOUT_MS). */
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (seconds: number) => void;
  tools?: MediaTools;
  /** The same bytes were probed already (at submission): no second ffprobe. */
  probed?: boolean;
  /** Runs with the probe's result while the decode goes on (a quota check, say); a throw stops the decode. */
  afterProbe?: (probe: ProbeResult) => Promise<void>;
}

/**
 * Sniffs the container, then probes and decodes at once: the probe (mostly process start-up) costs
 * no wall time next to a long decode; whichever of the two refuses the media first stops the other.
 * The WAV is removed on any failure.
 */
export async function prepareAudio(
  inputPath: string,
  outputWavPath: string,
  options: PrepareOptions,
): Promise<{ container: MediaContainer; probe: ProbeResult | null; wav: NormaliseResult }> {
  const container = await sniffMedia(inputPath);
  const { maxSeconds, tools } = options;
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  const decoding = normaliseAudio(inputPath, outputWavPath, { ...options, container, signal });
  // Handled at once: a decode that fails while the probe still runs (media over the cap, a busy
  // machine) stops the probe instead of becoming an unhandled rejection. It is still awaited below.
  decoding.catch((error: unknown) => stop.abort(error));
  let probe: ProbeResult | null = null;
  try {
    if (!options.probed) {
      probe = await probeMedia(inputPath, { maxSeconds, container, signal, tools });
      await options.afterProbe?.(probe);
    }
  } catch (error) {
    stop.abort(error);
    await decoding.catch(() => {});
    await rm(outputWavPath, { force: true });
    throw error;
  }
  const wav = await decoding;
  try {
    await assertAudible(outputWavPath);
  } catch (error) {
    await rm(outputWavPath, { force: true });
    throw error;
  }
  return { container, probe, wav };
}
