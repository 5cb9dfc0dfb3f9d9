// Resumable uploads with STORAGE_DRIVER=s3 (issue 18): tus writes S3 multipart uploads through
// @tus/s3-store, so two API processes on one database and bucket can each take any PATCH of one
// upload. The fake S3 enforces the 5 MiB part minimum, ETags and checksums like S3.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../server/services/housekeeping.ts';
import { fakeS3StorageEnv, startFakeS3, type FakeS3Server } from './fakes/s3Server.ts';
import { makeSilence } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';

const BUCKET = 'parlance-uploads';
const MiB = 1024 * 1024;
let s3: FakeS3Server;
let a: TestApp;
let b: TestApp;
let baseA: string;
let baseB: string;
let dir: string;
let media: Buffer;
let user: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  s3 = await startFakeS3({ buckets: [BUCKET] });
  const env = {
    ...fakeS3StorageEnv(s3, BUCKET),
    ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  };
  a = await createTestApp(env);
  b = await createTestApp(env, { databaseUrl: a.databaseUrl });
  baseA = await a.listen();
  baseB = await b.listen();
  user = await registerUser(a);
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-uploads-s3-'));
  // About 12.8 MB: a first full part (8 MiB), a held-back tail under 5 MiB in between, a last part.
  media = await readFile(await makeSilence(400, path.join(dir, 'long.wav')));
}, 120_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await s3?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const headers = (extra: Record<string, string> = {}) => ({ 'tus-resumable': '1.0.0', authorization: `Bearer ${user.accessToken}`, ...extra });

async function create(base: string, length: number): Promise<string> {
  const response = await fetch(`${base}/uploads`, {
    method: 'POST',
    headers: headers({ 'upload-length': String(length), 'upload-metadata': `filename ${Buffer.from('long.wav').toString('base64')}` }),
  });
  expect(response.status, await response.text()).toBe(201);
  return response.headers.get('location')!;
}

async function patch(base: string, location: string, offset: number, body: Buffer): Promise<number> {
  const response = await fetch(new URL(location, base), {
    method: 'PATCH',
    headers: headers({ 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
    body: new Uint8Array(body),
  });
  expect(response.status, await response.text()).toBe(204);
  return Number(response.headers.get('upload-offset'));
}

async function offsetOn(base: string, location: string): Promise<number> {
  const response = await fetch(new URL(location, base), { method: 'HEAD', headers: headers() });
  expect(response.status).toBe(200);
  return Number(response.headers.get('upload-offset'));
}

const uploadKeys = () => s3.keys(BUCKET).filter((key) => key.startsWith('uploads/'));

describe('resumable uploads on S3 across two API processes', () => {
  it('takes PATCHes of one upload on either process, and the finished upload becomes a job whose source is in the bucket', async () => {
    const location = await create(baseA, media.length);
    expect(location).toMatch(/^\/uploads\/[A-Za-z0-9_-]+$/);
    const id = location.split('/').pop()!;
    expect(s3.pendingUploads(BUCKET).map((u) => u.key)).toEqual([`uploads/${id}`]);

    let offset = await patch(baseA, location, 0, media.subarray(0, 4 * MiB));
    expect(offset).toBe(4 * MiB);
    // Under S3's part minimum: held back as uploads/<id>.part, and the other process counts it.
    expect(await offsetOn(baseB, location)).toBe(4 * MiB);
    offset = await patch(baseB, location, offset, media.subarray(4 * MiB, 9 * MiB));
    expect(offset).toBe(9 * MiB);
    expect(await offsetOn(baseA, location)).toBe(9 * MiB);
    offset = await patch(baseA, location, offset, media.subarray(9 * MiB));
    expect(offset).toBe(media.length);
    expect(s3.pendingUploads(BUCKET)).toEqual([]);
    expect(s3.objects(BUCKET).get(`uploads/${id}`)!.body.equals(media)).toBe(true);
    // Both processes wrote parts: PATCHes went to each.
    const partsWritten = s3.requests.filter((r) => r.operation === 'UploadPart' && r.key === `uploads/${id}` && r.status === 200);
    expect(partsWritten.length).toBe(2);
    expect((await a.deps.db.upload.findUniqueOrThrow({ where: { id } })).completedAt).not.toBeNull();

    const created = await b.gql<{ createTranscriptionJob: { id: string; filename: string } }>(
      `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id filename } }`,
      { input: { uploadId: id, provider: 'LOCAL' } },
      { token: user.accessToken },
    );
    expect(created.errors).toBeUndefined();
    const jobId = created.data!.createTranscriptionJob.id;
    expect(created.data!.createTranscriptionJob.filename).toBe('long.wav');
    expect(s3.objects(BUCKET).get(`jobs/${jobId}/source`)!.body.equals(media)).toBe(true);
    // The staged upload is gone; a second job from it is refused.
    expect(uploadKeys()).toEqual([]);
    const again = await a.gql(
      `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id } }`,
      { input: { uploadId: id } },
      { token: user.accessToken },
    );
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
  }, 120_000);

  it('a terminated upload aborts its multipart upload and answers 404 on both processes', async () => {
    const location = await create(baseB, media.length);
    const id = location.split('/').pop()!;
    await patch(baseB, location, 0, media.subarray(0, 6 * MiB));
    expect(s3.pendingUploads(BUCKET).map((u) => u.key)).toEqual([`uploads/${id}`]);
    const deleted = await fetch(new URL(location, baseA), { method: 'DELETE', headers: headers() });
    expect(deleted.status).toBe(204);
    expect(s3.pendingUploads(BUCKET)).toEqual([]);
    expect(uploadKeys()).toEqual([]);
    for (const base of [baseA, baseB]) {
      const head = await fetch(new URL(location, base), { method: 'HEAD', headers: headers() });
      expect(head.status).toBe(404);
    }
  }, 60_000);

  it('housekeeping removes abandoned uploads and leftovers without a row from the bucket, and keeps fresh ones', async () => {
    const abandoned = await create(baseA, media.length);
    await patch(baseA, abandoned, 0, media.subarray(0, 6 * MiB));
    const abandonedId = abandoned.split('/').pop()!;
    const fresh = await create(baseB, media.length);
    const freshId = fresh.split('/').pop()!;
    // A crash between tus's writes and the row: an open multipart upload nobody knows.
    const orphan = await create(baseA, media.length);
    const orphanId = orphan.split('/').pop()!;
    await a.deps.db.upload.delete({ where: { id: orphanId } });
    const now = new Date(Date.now() + 25 * 3_600_000);
    await a.deps.db.upload.update({ where: { id: freshId }, data: { createdAt: now } });

    const sweep = await runHousekeeping(a.deps, now);
    expect(sweep.error).toBeNull();
    expect((sweep.removed as Record<string, number>).uploads).toBeGreaterThanOrEqual(2);
    expect(s3.pendingUploads(BUCKET).map((u) => u.key)).toEqual([`uploads/${freshId}`]);
    expect(uploadKeys()).toEqual([`uploads/${freshId}.info`]);
    expect(await a.deps.db.upload.findMany({ where: { id: { in: [abandonedId, freshId] } }, select: { id: true } })).toEqual([{ id: freshId }]);
  }, 60_000);
});
