// WAV headers and streamed PCM reads for the pipeline's own 16-bit PCM files (16 kHz mono).
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';

export const SAMPLE_RATE = 16_000;
export const BYTES_PER_SAMPLE = 2;
export const WAV_HEADER_BYTES = 44;

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  /** Bytes of sample data actually present in the file (whole frames only). */
  dataBytes: number;
  /** Sample frames (one per channel group). */
  samples: number;
  durationSeconds: number;
}

/** A canonical 44-byte header for 16-bit PCM. */
export function wavHeader(dataBytes: number, sampleRate = SAMPLE_RATE, channels = 1): Buffer {
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  const blockAlign = channels * BYTES_PER_SAMPLE;
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(Math.min(36 + dataBytes, 0xffffffff), 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(Math.min(dataBytes, 0xffffffff), 40);
  return header;
}

/** Reads up to `length` bytes at `position` (fewer at the end of the file). */
export async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Parses the RIFF chunks of a PCM WAV file (plain or WAVE_FORMAT_EXTENSIBLE). */
export async function readWavInfo(path: string): Promise<WavInfo> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const riff = await readAt(fh, 0, 12);
    if (riff.length < 12 || riff.toString('ascii', 0, 4) !== 'RIFF' || riff.toString('ascii', 8, 12) !== 'WAVE') {
      throw new Error(`Not a RIFF/WAVE file: ${path}`);
    }
    let position = 12;
    let format: { audioFormat: number; channels: number; sampleRate: number; bitsPerSample: number } | undefined;
    while (position + 8 <= size) {
      const chunk = await readAt(fh, position, 8);
      if (chunk.length < 8) break;
      const id = chunk.toString('ascii', 0, 4);
      const chunkSize = chunk.readUInt32LE(4);
      const body = position + 8;
      if (id === 'fmt ') {
        const fmt = await readAt(fh, body, Math.min(chunkSize, 40));
        if (fmt.length < 16) break;
        let audioFormat = fmt.readUInt16LE(0);
        if (audioFormat === 0xfffe && fmt.length >= 26) audioFormat = fmt.readUInt16LE(24); // extensible: sub-format GUID
        format = {
          audioFormat,
          channels: fmt.readUInt16LE(2),
          sampleRate: fmt.readUInt32LE(4),
          bitsPerSample: fmt.readUInt16LE(14),
        };
      } else if (id === 'data') {
        if (!format) throw new Error(`WAV data before its format chunk: ${path}`);
        if (format.audioFormat !== 1) throw new Error(`WAV is not integer PCM (format ${format.audioFormat}): ${path}`);
        const blockAlign = format.channels * (format.bitsPerSample / 8);
        // Streaming writers leave 0 or 0xFFFFFFFF here; trust the file size then (and when it is shorter).
        const available = size - body;
        const declared = chunkSize === 0 || chunkSize === 0xffffffff ? available : Math.min(chunkSize, available);
        const dataBytes = declared - (declared % blockAlign);
        const samples = dataBytes / blockAlign;
        return { ...format, dataOffset: body, dataBytes, samples, durationSeconds: samples / format.sampleRate };
      }
      position = body + chunkSize + (chunkSize % 2);
    }
    throw new Error(`WAV file has no data chunk: ${path}`);
  } finally {
    await fh.close();
  }
}

/** readWavInfo, insisting on mono 16-bit PCM (what normaliseAudio writes). */
export async function readMonoPcmInfo(path: string): Promise<WavInfo> {
  const info = await readWavInfo(path);
  if (info.channels !== 1 || info.bitsPerSample !== 16) {
    throw new Error(`Expected mono 16-bit PCM, got ${info.channels} channel(s) of ${info.bitsPerSample}-bit: ${path}`);
  }
  return info;
}

const bigEndianHost = os.endianness() === 'BE';

/**
 * Streams the samples [startSample, endSample) of a mono 16-bit WAV in blocks. Each yielded array is a
 * view on one reused buffer: use it before asking for the next block.
 */
export async function* readPcmBlocks(
  path: string,
  info: WavInfo,
  options: { startSample?: number; endSample?: number; blockSamples?: number } = {},
): AsyncGenerator<Int16Array> {
  const start = Math.max(0, options.startSample ?? 0);
  const end = Math.min(info.samples, options.endSample ?? info.samples);
  const blockSamples = options.blockSamples ?? 32_768;
  if (end <= start) return;
  // allocUnsafeSlow: never a slice of the shared pool, so the offset is 0 and Int16Array views are aligned.
  const buffer = Buffer.allocUnsafeSlow(Math.min(blockSamples, end - start) * BYTES_PER_SAMPLE);
  const fh = await open(path, 'r');
  try {
    let sample = start;
    while (sample < end) {
      const want = Math.min(end - sample, buffer.length / BYTES_PER_SAMPLE) * BYTES_PER_SAMPLE;
      let filled = 0;
      while (filled < want) {
        const { bytesRead } = await fh.read(buffer, filled, want - filled, info.dataOffset + sample * 2 + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      const count = Math.floor(filled / BYTES_PER_SAMPLE);
      if (count === 0) return;
      if (bigEndianHost) buffer.subarray(0, count * 2).swap16();
      yield new Int16Array(buffer.buffer, buffer.byteOffset, count);
      sample += count;
      if (filled < want) return;
    }
  } finally {
    await fh.close();
  }
}
