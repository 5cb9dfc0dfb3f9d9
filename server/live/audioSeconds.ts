import type { AudioEncoding } from '../db/db.ts';

/** How a live session's audio arrives. */
export interface AudioFormat {
  encoding: AudioEncoding;
  sampleRate: number;
}

/** Bytes per second assumed for Opus (128 kbit/s: generous for speech). */
const OPUS_BYTES_PER_SECOND = 16_000;

/** Seconds of audio in a chunk, for the pace, the session's length and the quota: exact for PCM, an upper estimate for Opus. */
export function chunkSeconds(format: AudioFormat, bytes: number): number {
  return format.encoding === 'PCM_S16LE' ? pcmSeconds(format, bytes) : bytes / OPUS_BYTES_PER_SECOND;
}

/** Exact seconds of received PCM; 0 for Opus, whose length is known only once the decoder has read it. */
export function receivedPcmSeconds(format: AudioFormat, bytes: number): number {
  return format.encoding === 'PCM_S16LE' ? pcmSeconds(format, bytes) : 0;
}

const pcmSeconds = (format: AudioFormat, bytes: number) => bytes / 2 / format.sampleRate;
