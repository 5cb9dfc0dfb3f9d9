/**
 * Where media and transcripts live: a local directory by default, S3-compatible storage when
 * configured. Keys are relative paths like "jobs/<jobId>/source". Bodies are streamed, never
 * held whole in memory.
 */
import type { Readable } from 'node:stream';
import { LocalStorage } from './localStorage.ts';
import { S3Storage, type S3StorageConfig } from './s3Storage.ts';

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface Storage {
  /** Streams `body` to `key`, replacing what is there; resolves with the number of bytes written. */
  put(key: string, body: Readable | Buffer, options?: { contentType?: string }): Promise<number>;
  /**
   * A stream of the object, or of the bytes `range.start` to `range.end` (inclusive) of it; rejects
   * with a NOT_FOUND-coded error when it is missing.
   */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** The object's size in bytes; NOT_FOUND-coded error when it is missing. */
  size(key: string): Promise<number>;
  /** Copies the object to a local file (for ffmpeg), creating parent folders. */
  download(key: string, toPath: string): Promise<void>;
  /**
   * Drivers that keep each object in a local file (LocalStorage): that file, to be read in place
   * instead of downloading a copy; never written, moved or removed by the caller. NOT_FOUND-coded
   * error when it is missing.
   */
  localFile?(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  /** Removes one object; missing is fine. */
  delete(key: string): Promise<void>;
  /** Removes every object under a prefix ("jobs/<id>/"); missing is fine. */
  deletePrefix(prefix: string): Promise<void>;
}

/** True for the error `get` and `download` reject with when the object is missing. */
export function isMissingObject(error: unknown): boolean {
  return (error as { extensions?: { code?: string } } | null)?.extensions?.code === 'NOT_FOUND';
}

export { LocalStorage } from './localStorage.ts';
export { S3Storage, type S3StorageConfig, type S3StorageOptions } from './s3Storage.ts';

interface StorageConfig {
  driver: 'local' | 's3';
  /** The root folder of the local driver (env.storageDir). */
  dir: string;
  /** Required when driver is "s3". */
  s3?: S3StorageConfig;
}

/** The configured driver. Plain configuration in; reading the environment is the caller's job. */
export function createStorage(config: StorageConfig): Storage {
  switch (config.driver) {
    case 'local':
      return new LocalStorage(config.dir);
    case 's3':
      if (!config.s3?.bucket) throw new Error('STORAGE_DRIVER=s3 needs an S3 bucket (S3_BUCKET).');
      return new S3Storage(config.s3);
    default:
      throw new Error(`Unknown storage driver: ${String((config as { driver: unknown }).driver)}`);
  }
}
