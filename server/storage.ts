/**
 * Where media and transcripts live: a local directory by default, S3-compatible storage when
 * configured. Keys are relative paths like "jobs/<jobId>/source". Bodies are streamed, never
 * held whole in memory.
 */
import type { Readable } from 'node:stream';

export interface Storage {
  /** Streams `body` to `key`, replacing what is there; resolves with the number of bytes written. */
  put(key: string, body: Readable | Buffer, options?: { contentType?: string }): Promise<number>;
  /** A stream of the object; rejects with a NOT_FOUND-coded error when it is missing. */
  get(key: string): Promise<Readable>;
  /** Copies the object to a local file (for ffmpeg), creating parent folders. */
  download(key: string, toPath: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Removes one object; missing is fine. */
  delete(key: string): Promise<void>;
  /** Removes every object under a prefix ("jobs/<id>/"); missing is fine. */
  deletePrefix(prefix: string): Promise<void>;
}
