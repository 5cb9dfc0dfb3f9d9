/**
 * Storage on S3 or an S3-compatible service (MinIO, Ceph RGW, R2, Garage, …). Uploads of unknown
 * length go through lib-storage's Upload: the body is cut into parts (one part in memory per
 * concurrent request, never the whole object), sent as a multipart upload, and a failed upload is
 * aborted, so no object appears unless the whole body arrived. Small bodies go up in a single
 * PutObject.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { notFound } from '../errors.ts';
import type { ByteRange, Storage } from './index.ts';
import { assertValidKey, assertValidPrefix } from './keys.ts';

export interface S3StorageConfig {
  bucket: string;
  region: string;
  /** For S3-compatible services, e.g. "http://minio:9000"; unset for AWS. */
  endpoint?: string;
  /** Both or neither; when neither, the SDK's default credential chain applies. */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (endpoint/bucket/key), which most self-hosted services need. */
  forcePathStyle: boolean;
}

export interface S3StorageOptions {
  /** Multipart part size in bytes (S3 minimum 5 MiB, the default). */
  partSize?: number;
  /** Parts uploaded concurrently per put (default 4). Memory per put is about (queueSize + 1) × partSize. */
  queueSize?: number;
  /** Extra S3Client settings (e.g. a request handler or retry policy), applied over the config. */
  clientConfig?: Partial<S3ClientConfig>;
}

const errorName = (error: unknown): string | undefined => (error as { name?: string } | null)?.name;
/** GetObject answers NoSuchKey; HeadObject has no body to name the error, so the SDK says NotFound. */
const isMissingObject = (error: unknown) => errorName(error) === 'NoSuchKey' || errorName(error) === 'NotFound';

/** S3 accepts at most 1000 keys per DeleteObjects, and lists at most 1000 per page. */
const DELETE_BATCH = 1000;

export class S3Storage implements Storage {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly partSize?: number;
  private readonly queueSize?: number;

  constructor(config: S3StorageConfig, options: S3StorageOptions = {}) {
    if (!config.bucket) throw new Error('S3 storage needs a bucket.');
    if (Boolean(config.accessKeyId) !== Boolean(config.secretAccessKey)) {
      throw new Error('S3 storage: give both the access key id and the secret access key, or neither.');
    }
    this.bucket = config.bucket;
    this.partSize = options.partSize;
    this.queueSize = options.queueSize;
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint,
      forcePathStyle: config.forcePathStyle,
      credentials:
        config.accessKeyId && config.secretAccessKey
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
          : undefined,
      ...options.clientConfig,
    });
  }

  async put(key: string, body: Readable | Buffer, options: { contentType?: string } = {}): Promise<number> {
    assertValidKey(key);
    let bytes = 0;
    let source: Readable | Buffer;
    if (Buffer.isBuffer(body)) {
      bytes = body.length;
      source = body;
    } else {
      source = Readable.from(
        (async function* count() {
          for await (const chunk of body as AsyncIterable<Buffer | string>) {
            const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
            bytes += data.length;
            yield data;
          }
        })(),
        { objectMode: false },
      );
    }
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: source, ContentType: options.contentType },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // lib-storage stops reading when a request fails; release the caller's stream (and its file or socket).
      if (!Buffer.isBuffer(body) && !body.destroyed) body.destroy();
      if (source instanceof Readable && !source.destroyed) source.destroy();
      throw error;
    }
    return bytes;
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key);
    let body: unknown;
    try {
      ({ Body: body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      ));
    } catch (error) {
      if (isMissingObject(error)) throw notFound('Stored object');
      throw error;
    }
    if (!(body instanceof Readable)) throw new Error(`S3 GetObject for ${key} returned no readable body.`);
    return body;
  }

  async download(key: string, toPath: string): Promise<void> {
    const body = await this.get(key);
    try {
      await mkdir(path.dirname(path.resolve(toPath)), { recursive: true });
      await pipeline(body, createWriteStream(toPath));
    } catch (error) {
      body.destroy();
      await rm(toPath, { force: true }).catch(() => {});
      throw error;
    }
  }

  async size(key: string): Promise<number> {
    assertValidKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isMissingObject(error)) throw notFound('Stored object');
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertValidKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<void> {
    assertValidPrefix(prefix);
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ContinuationToken: continuationToken,
          MaxKeys: DELETE_BATCH,
        }),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      if (keys.length > 0) {
        const result = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = result.Errors ?? [];
        if (failed.length > 0) {
          const first = failed[0];
          throw new Error(
            `S3 could not delete ${failed.length} object(s) under "${prefix}", e.g. ${first.Key}: ${first.Code} ${first.Message ?? ''}`.trim(),
          );
        }
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  /** Keys under `prefix` last modified before `before` (for pruning leftovers by age). */
  async keysModifiedBefore(prefix: string, before: Date): Promise<string[]> {
    assertValidPrefix(prefix);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: continuationToken, MaxKeys: DELETE_BATCH }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified && object.LastModified < before) keys.push(object.Key);
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return keys;
  }

  /** Closes the client's pooled connections. */
  close(): void {
    this.client.destroy();
  }
}
