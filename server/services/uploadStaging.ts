import { access, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { DataStore } from '@tus/server';
import type { CoreDeps } from '../context.ts';
import type { Env } from '../env.ts';
import { S3Storage } from '../storage/index.ts';

/**
 * Where resumable (tus) uploads wait until a job takes them. With STORAGE_DRIVER=local: files in
 * DATA_DIR/uploads (one process, or processes sharing that folder). With STORAGE_DRIVER=s3: objects
 * under "uploads/" in the bucket, written part by part as an S3 multipart upload by @tus/s3-store,
 * so any API process can take any PATCH of an upload (no sticky routing).
 */
export interface UploadStaging {
  /** What @tus/server writes through. */
  readonly datastore: DataStore;
  /** The datastore's id of an upload ("uploads/<id>" on S3), and back (undefined for anything else). */
  storeIdOf(uploadId: string): string;
  uploadIdOf(storeId: string): string | undefined;
  /** Whether the finished upload's bytes are there (not terminated, not pruned). */
  exists(uploadId: string): Promise<boolean>;
  /** A local file with the upload's bytes: the staged file itself, or a copy made in `workDir`. */
  localFile(uploadId: string, workDir: string): Promise<string>;
  /** Removes the upload's bytes and tus's bookkeeping, finished or not; missing is fine. */
  discard(uploadId: string): Promise<void>;
  /** Removes staged uploads older than `before` that `isKnown` does not claim (crash leftovers). */
  pruneOrphans(before: Date, isKnown: (uploadIds: string[]) => Promise<Set<string>>): Promise<number>;
}

const S3_PREFIX = 'uploads/';

const cache = new WeakMap<object, UploadStaging>();

/** The process's staging for the configured storage (one per storage instance). */
export function uploadStaging(deps: Pick<CoreDeps, 'env' | 'storage'>): UploadStaging {
  let staging = cache.get(deps.storage);
  if (!staging) {
    staging = deps.storage instanceof S3Storage ? s3Staging(deps.env, deps.storage) : localStaging(deps.env);
    cache.set(deps.storage, staging);
  }
  return staging;
}

/** The folder of local staging (STORAGE_DRIVER=local). */
export function uploadsDir(deps: Pick<CoreDeps, 'env'>): string {
  return path.join(deps.env.dataDir, 'uploads');
}

const expiryMs = (env: Env) => env.UPLOAD_EXPIRY_HOURS * 3_600_000;

function localStaging(env: Env): UploadStaging {
  const directory = uploadsDir({ env });
  const file = (uploadId: string) => path.join(directory, uploadId);
  const removeFiles = async (uploadId: string) => {
    await Promise.all([rm(file(uploadId), { force: true }), rm(`${file(uploadId)}.json`, { force: true })]);
  };
  return {
    datastore: new FileStore({ directory, expirationPeriodInMilliseconds: expiryMs(env) }),
    storeIdOf: (uploadId) => uploadId,
    uploadIdOf: (storeId) => storeId,
    exists: (uploadId) => access(file(uploadId)).then(() => true, () => false),
    localFile: async (uploadId) => file(uploadId),
    discard: removeFiles,
    pruneOrphans: async (before, isKnown) => {
      const names = await readdir(directory).catch(() => [] as string[]);
      const ids = [...new Set(names.map((name) => name.replace(/\.json$/, '')))];
      const known = await isKnown(ids);
      let removed = 0;
      for (const id of ids) {
        if (known.has(id)) continue;
        const info = await stat(`${file(id)}.json`).catch(() => stat(file(id)).catch(() => null));
        if (!info || info.mtime >= before) continue;
        await removeFiles(id);
        removed += 1;
      }
      return removed;
    },
  };
}

function s3Staging(env: Env, storage: S3Storage): UploadStaging {
  const store = new StagingS3Store({
    s3ClientConfig: {
      bucket: storage.bucket,
      region: env.S3_REGION,
      endpoint: env.S3_ENDPOINT,
      forcePathStyle: env.S3_FORCE_PATH_STYLE,
      credentials:
        env.S3_ACCESS_KEY_ID && env.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY }
          : undefined,
    },
    expirationPeriodInMilliseconds: expiryMs(env),
    // Object tags are not offered by every S3-compatible service; housekeeping prunes by age instead.
    useTags: false,
    // No cache of upload metadata: another process may have terminated or finished the upload since,
    // and a stale entry would answer HEAD for a terminated upload as a finished one.
    cache: { get: async () => undefined, set: async () => {}, delete: async () => {}, list: async () => [] },
  });
  const storeIdOf = (uploadId: string) => `${S3_PREFIX}${uploadId}`;
  const uploadIdOf = (storeId: string) => {
    const id = storeId.startsWith(S3_PREFIX) ? storeId.slice(S3_PREFIX.length) : '';
    return /^[A-Za-z0-9_-]+$/.test(id) ? id : undefined;
  };
  const discard = async (uploadId: string) => {
    const id = storeIdOf(uploadId);
    // An unfinished upload holds an open multipart upload; tus's remove aborts it (its .info names it).
    await store.remove(id).catch(() => {});
    await Promise.all([id, `${id}.info`, `${id}.part`].map((key) => storage.delete(key)));
  };
  return {
    datastore: store,
    storeIdOf,
    uploadIdOf,
    exists: (uploadId) => storage.exists(storeIdOf(uploadId)),
    localFile: async (uploadId, workDir) => {
      const local = path.join(workDir, 'upload');
      await storage.download(storeIdOf(uploadId), local);
      return local;
    },
    discard,
    pruneOrphans: async (before, isKnown) => {
      // Multipart uploads begun before `before` (their .info and .part go with them), then finished objects.
      const stale = new Map<string, string[]>();
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      do {
        const page = await storage.client.send(
          new ListMultipartUploadsCommand({ Bucket: storage.bucket, Prefix: S3_PREFIX, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        );
        for (const upload of page.Uploads ?? []) {
          const id = upload.Key ? uploadIdOf(upload.Key) : undefined;
          if (id && upload.UploadId && upload.Initiated && upload.Initiated < before) stale.set(id, [...(stale.get(id) ?? []), upload.UploadId]);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
        uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
      } while (keyMarker);
      for (const id of await storage.keysModifiedBefore(S3_PREFIX, before)) {
        const uploadId = uploadIdOf(id.replace(/\.(info|part)$/, ''));
        if (uploadId && !stale.has(uploadId)) stale.set(uploadId, []);
      }
      const known = await isKnown([...stale.keys()]);
      let removed = 0;
      for (const [uploadId, multipartIds] of stale) {
        if (known.has(uploadId)) continue;
        for (const UploadId of multipartIds) {
          await storage.client.send(new AbortMultipartUploadCommand({ Bucket: storage.bucket, Key: storeIdOf(uploadId), UploadId })).catch(() => {});
        }
        await discard(uploadId);
        removed += 1;
      }
      return removed;
    },
  };
}

/** tus's S3 store, whose termination also removes a held-back tail (".part") under the part minimum. */
class StagingS3Store extends S3Store {
  override async remove(id: string): Promise<void> {
    await super.remove(id);
    await this.client.deleteObject({ Bucket: this.bucket, Key: `${id}.part` });
  }
}
