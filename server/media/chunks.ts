// Splits long normalised audio into chunks for the engines, cutting in the quietest spot near each
// boundary. Only the search windows are read, so planning hours of audio reads a few megabytes.
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { BYTES_PER_SAMPLE, readAt, readMonoPcmInfo, readPcmBlocks, WAV_HEADER_BYTES, wavHeader, type WavInfo } from './wav.ts';

export interface Chunk {
  index: number;
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
}

export interface PlanOptions {
  /** Longest chunk. */
  targetSeconds: number;
  /** How far back from each boundary to look for a quiet place to cut (less than targetSeconds). */
  searchSeconds: number;
}

const FRAMES_PER_SECOND = 100; // 10 ms energy frames
const WINDOW_FRAMES = 10; // the quiet window is 100 ms; the cut goes in its middle

/**
 * Chunks covering the whole audio in order, each at most `targetSeconds` long. Every cut sits in the
 * middle of the quietest 100 ms window within the last `searchSeconds` before the boundary (the latest
 * such window on ties). Cuts fall on 10 ms steps.
 */
export async function planChunks(wavPath: string, options: PlanOptions): Promise<Chunk[]> {
  const { targetSeconds, searchSeconds } = options;
  if (!(targetSeconds >= WINDOW_FRAMES / FRAMES_PER_SECOND)) throw new RangeError('targetSeconds must be at least 0.1');
  if (!(searchSeconds >= 0 && searchSeconds < targetSeconds)) {
    throw new RangeError('searchSeconds must be at least 0 and less than targetSeconds');
  }
  const info = await readMonoPcmInfo(wavPath);
  const frame = Math.round(info.sampleRate / FRAMES_PER_SECOND);
  const target = Math.floor((targetSeconds * info.sampleRate) / frame) * frame;
  const search = Math.floor((searchSeconds * info.sampleRate) / frame) * frame;
  const toSeconds = (sample: number) => sample / info.sampleRate;

  const chunks: Chunk[] = [];
  let start = 0;
  while (info.samples - start > target) {
    const boundary = start + target;
    const windowStart = Math.max(start, boundary - search);
    const cut =
      boundary - windowStart >= WINDOW_FRAMES * frame
        ? await quietestCut(wavPath, info, windowStart, boundary, frame)
        : boundary;
    chunks.push({ index: chunks.length, start: toSeconds(start), end: toSeconds(cut) });
    start = cut;
  }
  chunks.push({ index: chunks.length, start: toSeconds(start), end: toSeconds(info.samples) });
  return chunks;
}

async function quietestCut(path: string, info: WavInfo, from: number, to: number, frame: number): Promise<number> {
  const frames = Math.floor((to - from) / frame);
  // prefix[k] = energy of frames 0..k-1; integer-valued, exact in float64 for these lengths.
  const prefix = new Float64Array(frames + 1);
  let index = 0;
  let inFrame = 0;
  let energy = 0;
  for await (const block of readPcmBlocks(path, info, { startSample: from, endSample: from + frames * frame })) {
    for (let i = 0; i < block.length; i++) {
      energy += block[i] * block[i];
      if (++inFrame === frame) {
        prefix[index + 1] = prefix[index] + energy;
        index++;
        inFrame = 0;
        energy = 0;
      }
    }
  }
  for (; index < frames; index++) prefix[index + 1] = prefix[index]; // short read: treat as silence
  let best = Infinity;
  let bestFrame = frames - WINDOW_FRAMES;
  for (let first = 0; first + WINDOW_FRAMES <= frames; first++) {
    const sum = prefix[first + WINDOW_FRAMES] - prefix[first];
    if (sum <= best) {
      best = sum;
      bestFrame = first;
    }
  }
  return from + (bestFrame + WINDOW_FRAMES / 2) * frame;
}

/**
 * The WAV to hand the engine for one chunk: `wavPath` itself when the chunk is all of it and the file
 * is exactly what extractChunk would write (a canonical header, nothing after the samples), else the
 * chunk written to `outPath`. The caller removes `outPath` only when that is what came back.
 */
export async function chunkWav(wavPath: string, chunk: Pick<Chunk, 'start' | 'end'>, outPath: string): Promise<string> {
  const info = await readMonoPcmInfo(wavPath);
  const whole = Math.round(chunk.start * info.sampleRate) <= 0 && Math.round(chunk.end * info.sampleRate) >= info.samples;
  if (whole && info.dataOffset === WAV_HEADER_BYTES && (await isCanonicalWav(wavPath, info))) return wavPath;
  await writeChunk(wavPath, info, chunk, outPath);
  return outPath;
}

async function isCanonicalWav(wavPath: string, info: WavInfo): Promise<boolean> {
  const fh = await open(wavPath, 'r');
  try {
    const { size } = await fh.stat();
    if (size !== WAV_HEADER_BYTES + info.dataBytes) return false;
    return (await readAt(fh, 0, WAV_HEADER_BYTES)).equals(wavHeader(info.dataBytes, info.sampleRate, 1));
  } finally {
    await fh.close();
  }
}

/** Writes one chunk as its own WAV (a byte slice of the PCM behind a fresh header). */
export async function extractChunk(
  wavPath: string,
  chunk: Pick<Chunk, 'start' | 'end'>,
  outPath: string,
): Promise<{ durationSeconds: number; bytes: number }> {
  return writeChunk(wavPath, await readMonoPcmInfo(wavPath), chunk, outPath);
}

async function writeChunk(
  wavPath: string,
  info: WavInfo,
  chunk: Pick<Chunk, 'start' | 'end'>,
  outPath: string,
): Promise<{ durationSeconds: number; bytes: number }> {
  const first = Math.max(0, Math.round(chunk.start * info.sampleRate));
  const last = Math.min(info.samples, Math.round(chunk.end * info.sampleRate));
  if (last <= first) throw new RangeError(`Empty or out-of-range chunk ${chunk.start}-${chunk.end} s`);
  const dataBytes = (last - first) * BYTES_PER_SAMPLE;
  const begin = info.dataOffset + first * BYTES_PER_SAMPLE;
  async function* body() {
    yield wavHeader(dataBytes, info.sampleRate, 1);
    yield* createReadStream(wavPath, { start: begin, end: begin + dataBytes - 1 });
  }
  await pipeline(body, createWriteStream(outPath));
  return { durationSeconds: (last - first) / info.sampleRate, bytes: WAV_HEADER_BYTES + dataBytes };
}
