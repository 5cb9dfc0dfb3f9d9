// Plain 16-bit PCM WAV needs no ffprobe and, at 16 kHz mono, no ffmpeg: its header says all, and
// its samples are already what the engines take. Recorders and scripts send exactly that, and each
// external process start costs ~100 ms on a small machine.
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { readWavInfo, SAMPLE_RATE, wavHeader, type WavInfo } from './wav.ts';

/** The header of a 16-bit integer PCM WAV with audio in it (1 to 8 channels), or null for anything else. */
export async function readPlainPcmWav(path: string): Promise<WavInfo | null> {
  try {
    const info = await readWavInfo(path);
    const plain = info.bitsPerSample === 16 && info.channels >= 1 && info.channels <= 8 && info.sampleRate >= 1000 && info.sampleRate <= 384_000;
    return plain && info.samples > 0 ? info : null;
  } catch {
    return null;
  }
}

/** Whether the WAV's samples are already the engines' format (16 kHz mono 16-bit). */
export function isEngineFormat(info: WavInfo): boolean {
  return info.sampleRate === SAMPLE_RATE && info.channels === 1 && info.bitsPerSample === 16;
}

/** Writes the samples of an engine-format WAV behind a canonical header (dropping other chunks). */
export async function copyEngineWav(inputPath: string, info: WavInfo, outputPath: string): Promise<void> {
  async function* body() {
    yield wavHeader(info.dataBytes);
    yield* createReadStream(inputPath, { start: info.dataOffset, end: info.dataOffset + info.dataBytes - 1 });
  }
  await pipeline(body, createWriteStream(outputPath));
}
