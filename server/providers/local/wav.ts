/**
 * Reads the PCM data of a RIFF/WAVE file, walking its chunks (ffmpeg writes a LIST chunk before
 * `data`; WAVE_FORMAT_EXTENSIBLE headers are accepted).
 */
import { readFile } from 'node:fs/promises';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** The bytes of the data chunk (a view into the file's buffer). */
  data: Buffer;
}

/** The file is not a PCM WAV file this engine can read. */
export class WavFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavFormatError';
  }
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Parses a WAV file held in memory. @throws WavFormatError */
export function parseWav(file: Buffer): WavAudio {
  if (file.length < 12 || file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let format: Omit<WavAudio, 'data'> | null = null;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const declared = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    // Streamed WAVs may declare 0 or 0xFFFFFFFF for `data`: take the rest of the file.
    const size = Math.min(declared, file.length - body);
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError('fmt chunk too short');
      let tag = file.readUInt16LE(body);
      if (tag === WAVE_FORMAT_EXTENSIBLE && size >= 26) tag = file.readUInt16LE(body + 24);
      if (tag !== WAVE_FORMAT_PCM) throw new WavFormatError(`WAV format ${tag} is not integer PCM`);
      format = {
        channels: file.readUInt16LE(body + 2),
        sampleRate: file.readUInt32LE(body + 4),
        bitsPerSample: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw new WavFormatError('data chunk before fmt chunk');
      const length = declared === 0 || declared === 0xffffffff ? file.length - body : size;
      return { ...format, data: file.subarray(body, body + length) };
    }
    offset = body + size + (size % 2); // chunks are padded to an even length
  }
  throw new WavFormatError(format ? 'no data chunk' : 'no fmt chunk');
}

/** Reads and parses a WAV file. @throws WavFormatError */
export async function readWav(path: string): Promise<WavAudio> {
  return parseWav(await readFile(path));
}
