import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, LocalStorage, S3Storage, type Storage } from '../server/storage/index.ts';
import { startFakeS3, type FakeS3Server } from './fakes/s3Server.ts';

const MiB = 1024 * 1024;
const BUCKET = 'parlance-test';

/** A stream of `size` random bytes in 64 KiB chunks, and the sha256 of what it produced. */
function generated(size: number) {
  const hash = createHash('sha256');
  async function* chunks() {
    for (let sent = 0; sent < size; ) {
      const chunk = randomBytes(Math.min(64 * 1024, size - sent));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), digest: () => hash.digest('hex') };
}

/** Yields `before` bytes, then fails. */
function failing(before: number, message = 'source exploded') {
  async function* chunks() {
    for (let sent = 0; sent < before; sent += 64 * 1024) yield randomBytes(Math.min(64 * 1024, before - sent));
    throw new Error(message);
  }
  return Readable.from(chunks(), { objectMode: false });
}

async function sha256Of(stream: Readable): Promise<{ digest: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), bytes };
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

interface Driver {
  name: 'local' | 's3';
  storage: Storage;
  /** What the backend holds, as sorted keys (local: files, including stray temp files). */
  listAll(): Promise<string[]>;
  /** Multipart uploads left open (S3 only). */
  pendingUploads(): number;
  close(): Promise<void>;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'parlance-storage-test-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const drivers: { name: 'local' | 's3'; make: () => Promise<Driver> }[] = [
  {
    name: 'local',
    async make() {
      const dir = path.join(scratch, `local-${randomBytes(4).toString('hex')}`);
      const storage = createStorage({ driver: 'local', dir });
      return {
        name: 'local',
        storage,
        listAll: () => filesUnder(dir),
        pendingUploads: () => 0,
        close: async () => {},
      };
    },
  },
  {
    name: 's3',
    async make() {
      // Small list pages, so deletePrefix has to follow continuation tokens.
      const fake = await startFakeS3({ buckets: [BUCKET], listPageLimit: 3 });
      const storage = createStorage({
        driver: 's3',
        dir: '/nonexistent',
        s3: {
          bucket: BUCKET,
          region: fake.region,
          endpoint: fake.endpoint,
          accessKeyId: fake.credentials.accessKeyId,
          secretAccessKey: fake.credentials.secretAccessKey,
          forcePathStyle: true,
        },
      });
      return {
        name: 's3',
        storage,
        listAll: async () => fake.keys(BUCKET),
        pendingUploads: () => fake.pendingUploads().length,
        close: async () => {
          (storage as S3Storage).close();
          await fake.close();
        },
      };
    },
  },
];

describe.each(drivers)('$name storage', ({ make }) => {
  let d: Driver;
  let storage: Storage;
  beforeAll(async () => {
    d = await make();
    storage = d.storage;
  });
  afterAll(async () => {
    await d?.close();
  });

  it('round-trips a 20 MB stream without changing a byte', async () => {
    const source = generated(20 * MiB + 12_345);
    const written = await storage.put('jobs/big/source', source.stream, { contentType: 'audio/wav' });
    expect(written).toBe(20 * MiB + 12_345);
    const back = await sha256Of(await storage.get('jobs/big/source'));
    expect(back).toEqual({ digest: source.digest(), bytes: written });
    expect(d.pendingUploads()).toBe(0);
  });

  it('stores Buffers and empty bodies, and replaces what was there', async () => {
    expect(await storage.put('jobs/small/transcript.json', Buffer.from('{"v":1}'))).toBe(7);
    expect(await text(await storage.get('jobs/small/transcript.json'))).toBe('{"v":1}');
    expect(await storage.put('jobs/small/transcript.json', Readable.from([Buffer.from('{"v":2}')]))).toBe(7);
    expect(await text(await storage.get('jobs/small/transcript.json'))).toBe('{"v":2}');
    expect(await storage.put('jobs/small/empty', Buffer.alloc(0))).toBe(0);
    expect(await text(await storage.get('jobs/small/empty'))).toBe('');
    expect(await storage.put('jobs/small/empty-stream', Readable.from([]))).toBe(0);
    expect(await storage.exists('jobs/small/empty-stream')).toBe(true);
  });

  it('answers exists for present and missing keys', async () => {
    await storage.put('jobs/exists/a', Buffer.from('a'));
    expect(await storage.exists('jobs/exists/a')).toBe(true);
    expect(await storage.exists('jobs/exists/b')).toBe(false);
    // A "folder" is not an object.
    expect(await storage.exists('jobs/exists')).toBe(false);
  });

  it('reads sizes and byte ranges', async () => {
    await storage.put('jobs/range/a', Buffer.from('0123456789'));
    expect(await storage.size('jobs/range/a')).toBe(10);
    const read = async (range: { start: number; end: number }) => Buffer.concat(await (await storage.get('jobs/range/a', range)).toArray()).toString();
    expect(await read({ start: 2, end: 5 })).toBe('2345');
    expect(await read({ start: 9, end: 9 })).toBe('9');
    expect(await read({ start: 0, end: 9 })).toBe('0123456789');
    await expect(storage.size('jobs/range/missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rejects a missing key with NOT_FOUND', async () => {
    await expect(storage.get('jobs/missing/source')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(storage.download('jobs/missing/source', path.join(scratch, 'never', 'here'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(existsSync(path.join(scratch, 'never', 'here'))).toBe(false);
  });

  it('downloads to a file, creating its folders', async () => {
    const source = generated(6 * MiB);
    await storage.put('jobs/dl/source', source.stream);
    const target = path.join(scratch, `dl-${randomBytes(4).toString('hex')}`, 'nested', 'media.bin');
    await storage.download('jobs/dl/source', target);
    expect((await stat(target)).size).toBe(6 * MiB);
    expect(createHash('sha256').update(await readFile(target)).digest('hex')).toBe(source.digest());
  });

  it('deletes one object; deleting a missing one is fine', async () => {
    await storage.put('jobs/del/a', Buffer.from('a'));
    await storage.put('jobs/del/b', Buffer.from('b'));
    await storage.delete('jobs/del/a');
    expect(await storage.exists('jobs/del/a')).toBe(false);
    expect(await storage.exists('jobs/del/b')).toBe(true);
    await storage.delete('jobs/del/a');
    await storage.delete('jobs/never/was');
  });

  it('deletes everything under a prefix and nothing else', async () => {
    const keys = ['jobs/p1/a', 'jobs/p1/b', 'jobs/p1/sub/c', 'jobs/p1/sub/deeper/d', 'jobs/p1/e', 'jobs/p10/f', 'jobs/p2/g'];
    for (const key of keys) await storage.put(key, Buffer.from(key));
    await storage.deletePrefix('jobs/p1/');
    for (const key of keys.slice(0, 5)) expect(await storage.exists(key)).toBe(false);
    expect(await storage.exists('jobs/p10/f')).toBe(true);
    expect(await storage.exists('jobs/p2/g')).toBe(true);
    expect((await d.listAll()).filter((key) => key.startsWith('jobs/p1/'))).toEqual([]);
    await storage.deletePrefix('jobs/p1/');
    await storage.deletePrefix('jobs/never-existed/');
    // Without a trailing slash a prefix matches names, as on S3.
    await storage.put('jobs/q-1/a', Buffer.from('x'));
    await storage.put('jobs/q-12', Buffer.from('x'));
    await storage.put('jobs/r', Buffer.from('x'));
    await storage.deletePrefix('jobs/q-1');
    expect(await storage.exists('jobs/q-1/a')).toBe(false);
    expect(await storage.exists('jobs/q-12')).toBe(false);
    expect(await storage.exists('jobs/r')).toBe(true);
  });

  it('leaves nothing behind when the input stream fails early', async () => {
    const before = await d.listAll();
    await expect(storage.put('jobs/fail-early/source', failing(100 * 1024))).rejects.toThrow('source exploded');
    expect(await storage.exists('jobs/fail-early/source')).toBe(false);
    expect(await d.listAll()).toEqual(before);
    expect(d.pendingUploads()).toBe(0);
  });

  it('leaves nothing behind when the input stream fails mid-way through a large upload', async () => {
    const before = await d.listAll();
    await expect(storage.put('jobs/fail-late/source', failing(12 * MiB))).rejects.toThrow('source exploded');
    expect(await storage.exists('jobs/fail-late/source')).toBe(false);
    expect(await d.listAll()).toEqual(before);
    expect(d.pendingUploads()).toBe(0);
  });

  it('keeps the previous object when a replacement fails', async () => {
    await storage.put('jobs/keep/source', Buffer.from('original'));
    await expect(storage.put('jobs/keep/source', failing(7 * MiB))).rejects.toThrow('source exploded');
    expect(await text(await storage.get('jobs/keep/source'))).toBe('original');
  });

  it('refuses invalid keys', async () => {
    const bad = ['', '../escape', 'jobs/../../escape', '/etc/passwd', 'jobs/a\0b', 'jobs/a b', 'jobs//a', 'jobs/./a', 'jobs/a/', 'jobs\\a', 'jobs/ü'];
    for (const key of bad) {
      await expect(storage.put(key, Buffer.from('x')), key).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(storage.get(key), key).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(storage.exists(key), key).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(storage.delete(key), key).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    for (const prefix of ['', '/', '../', 'jobs/../', '/jobs/']) {
      await expect(storage.deletePrefix(prefix), prefix).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});

describe('createStorage', () => {
  it('builds the configured driver', () => {
    expect(createStorage({ driver: 'local', dir: scratch })).toBeInstanceOf(LocalStorage);
    const s3 = createStorage({
      driver: 's3',
      dir: scratch,
      s3: { bucket: 'b', region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true },
    });
    expect(s3).toBeInstanceOf(S3Storage);
    (s3 as S3Storage).close();
    expect(() => createStorage({ driver: 's3', dir: scratch })).toThrow(/bucket/);
    expect(() =>
      createStorage({ driver: 's3', dir: scratch, s3: { bucket: 'b', region: 'us-east-1', accessKeyId: 'x', forcePathStyle: false } }),
    ).toThrow(/both/);
  });
});

describe('local storage specifics', () => {
  let root: string;
  let storage: LocalStorage;
  beforeAll(async () => {
    root = path.join(scratch, 'local-specific', 'root');
    storage = new LocalStorage(root);
  });

  it('maps keys to files under the root and never writes outside it', async () => {
    await storage.put('jobs/1/source', Buffer.from('hello'));
    expect(await readFile(path.join(root, 'jobs', '1', 'source'), 'utf8')).toBe('hello');
    await expect(storage.put('../outside', Buffer.from('x'))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(existsSync(path.join(root, '..', 'outside'))).toBe(false);
  });

  it('never shows a half-written object, and removes the temp file when the stream fails', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield Buffer.alloc(1024, 1);
      await gate;
      throw new Error('cut off');
    }
    const pending = storage.put('jobs/2/source', Readable.from(slow(), { objectMode: false }));
    // Wait for the first bytes to land in the temp file, not for time.
    await expect.poll(async () => (await readdir(path.join(root, 'jobs', '2')).catch(() => [])).length, { timeout: 10_000 }).toBe(1);
    expect(await storage.exists('jobs/2/source')).toBe(false);
    const during = await readdir(path.join(root, 'jobs', '2'));
    expect(during).toHaveLength(1);
    expect(during[0]).toMatch(/^\.tmp~/);
    release();
    await expect(pending).rejects.toThrow('cut off');
    expect(await readdir(path.join(root, 'jobs', '2'))).toEqual([]);
  });

  it('deletePrefix removes the folder', async () => {
    await storage.put('jobs/3/a', Buffer.from('a'));
    await storage.put('jobs/3/b/c', Buffer.from('c'));
    await storage.deletePrefix('jobs/3/');
    expect(existsSync(path.join(root, 'jobs', '3'))).toBe(false);
    expect(existsSync(path.join(root, 'jobs'))).toBe(true);
  });
});

describe('fake S3 server', () => {
  let fake: FakeS3Server;
  let client: S3Client;
  beforeAll(async () => {
    fake = await startFakeS3({ buckets: [BUCKET] });
    client = new S3Client({
      region: fake.region,
      endpoint: fake.endpoint,
      forcePathStyle: true,
      credentials: fake.credentials,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await fake?.close();
  });

  it('uses multipart uploads for large streams and single puts for small ones', async () => {
    const storage = new S3Storage({
      bucket: BUCKET,
      region: fake.region,
      endpoint: fake.endpoint,
      forcePathStyle: true,
      ...fake.credentials,
    });
    const from = fake.requests.length;
    await storage.put('big', generated(11 * MiB).stream, { contentType: 'audio/ogg' });
    await storage.put('small', Buffer.from('tiny'), { contentType: 'text/plain' });
    storage.close();
    const operations = fake.requests.slice(from).map((request) => request.operation);
    expect(operations.filter((op) => op === 'CreateMultipartUpload')).toHaveLength(1);
    expect(operations.filter((op) => op === 'UploadPart')).toHaveLength(3);
    expect(operations.filter((op) => op === 'CompleteMultipartUpload')).toHaveLength(1);
    expect(operations.filter((op) => op === 'PutObject')).toHaveLength(1);
    const big = fake.objects(BUCKET).get('big')!;
    expect(big).toMatchObject({ contentType: 'audio/ogg', partCount: 3 });
    expect(big.etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(fake.objects(BUCKET).get('small')).toMatchObject({ contentType: 'text/plain' });
  });

  it('decodes aws-chunked streaming bodies the SDK sends for streams', async () => {
    const source = generated(300 * 1024);
    const from = fake.requests.length;
    await client.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: 'chunked', Body: source.stream, ContentLength: 300 * 1024 }),
    );
    const request = fake.requests.slice(from).find((r) => r.operation === 'PutObject')!;
    expect(request.awsChunked).toBe(true);
    expect(request.headers['x-amz-content-sha256']).toMatch(/^STREAMING-/);
    const object = fake.objects(BUCKET).get('chunked')!;
    expect(object.body.length).toBe(300 * 1024);
    expect(createHash('sha256').update(object.body).digest('hex')).toBe(source.digest());
    expect(object.contentEncoding).toBeUndefined();
    expect(Object.keys(object.checksums)).toEqual(['crc32']);
  });

  it('refuses requests without an Authorization header', async () => {
    const response = await fetch(`${fake.endpoint}/${BUCKET}/chunked`);
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('answers a missing key with NoSuchKey', async () => {
    await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' }))).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('rejects a body whose checksum does not match', async () => {
    await expect(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bad', Body: Buffer.from('abc'), ChecksumCRC32: 'AAAAAA==' })),
    ).rejects.toMatchObject({ name: 'BadDigest' });
    expect(fake.objects(BUCKET).has('bad')).toBe(false);
  });

  it('lists with prefix, delimiter, max-keys and continuation tokens, and deletes in bulk', async () => {
    const keys = ['list/a', 'list/b', 'list/c/1', 'list/c/2', 'list/d', 'other/x'];
    for (const key of keys) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }),
      );
      pages += 1;
      seen.push(...(page.Contents ?? []).map((object) => object.Key!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    expect(seen).toEqual(keys.slice(0, 5));
    expect(pages).toBe(3);
    const rolled = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', Delimiter: '/' }));
    expect(rolled.Contents?.map((object) => object.Key)).toEqual(['list/a', 'list/b', 'list/d']);
    expect(rolled.CommonPrefixes?.map((common) => common.Prefix)).toEqual(['list/c/']);
    const result = await client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: seen.map((Key) => ({ Key })) } }),
    );
    expect(result.Deleted?.map((deleted) => deleted.Key).sort()).toEqual(seen);
    expect(fake.keys(BUCKET).filter((key) => key.startsWith('list/'))).toEqual([]);
    expect(fake.keys(BUCKET)).toContain('other/x');
  });

  it('aborts the multipart upload when the input stream fails', async () => {
    const storage = new S3Storage({ bucket: BUCKET, region: fake.region, endpoint: fake.endpoint, forcePathStyle: true, ...fake.credentials });
    const from = fake.requests.length;
    await expect(storage.put('stream-fails', failing(16 * MiB))).rejects.toThrow('source exploded');
    storage.close();
    const operations = fake.requests.slice(from).map((request) => request.operation);
    expect(operations).toContain('UploadPart');
    expect(operations.at(-1)).toBe('AbortMultipartUpload');
    expect(fake.pendingUploads()).toEqual([]);
    expect(fake.objects(BUCKET).has('stream-fails')).toBe(false);
  });

  it('returns stored checksums, so the client notices a corrupted object', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'rot', Body: Buffer.from('pristine bytes') }));
    fake.objects(BUCKET).get('rot')!.body = Buffer.from('pristine bytez');
    const { Body } = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'rot' }));
    await expect(text(Body as Readable)).rejects.toThrow(/checksum/i);
  });

  it('aborts the multipart upload when a part fails', async () => {
    const storage = new S3Storage({
      bucket: BUCKET,
      region: fake.region,
      endpoint: fake.endpoint,
      forcePathStyle: true,
      ...fake.credentials,
    }, { clientConfig: { maxAttempts: 1 } });
    fake.fail({ operation: 'UploadPart', key: 'part-fails', status: 400, code: 'InvalidArgument' });
    await expect(storage.put('part-fails', generated(12 * MiB).stream)).rejects.toMatchObject({ name: 'InvalidArgument' });
    storage.close();
    expect(fake.pendingUploads()).toEqual([]);
    expect(fake.objects(BUCKET).has('part-fails')).toBe(false);
  });
});
