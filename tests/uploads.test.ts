// Resumable uploads (tus 1.0 at /uploads) end to end over real HTTP: tus-js-client and a
// hand-driven tus client against the real server, real Postgres, real ffmpeg, the LOCAL engine
// and an in-process job runner.
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedJobFiles, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, wordErrorRate, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type GqlResult, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);
const SENTENCES = ['the weather is nice today', 'please call me tomorrow morning'];
const MAX_RESUMABLE = 2 * 1024 * 1024;
const MISSING_UPLOAD = 'upl_0000000000000000000000000a';
const CREATE = `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id status filename } }`;

let t: TestApp;
let base: string;
let dir: string;
let speech: SpeechFixture;
let wavBytes: Buffer;
let mp3: string;
let owner: Awaited<ReturnType<typeof registerUser>>;
let stranger: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-uploads-test-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'));
  wavBytes = await readFile(speech.wavPath);
  mp3 = path.join(dir, 'speech.mp3');
  await run('ffmpeg', ['-v', 'error', '-i', speech.wavPath, '-codec:a', 'libmp3lame', '-b:a', '64k', mp3]);
  t = await createTestApp({ MAX_RESUMABLE_UPLOAD_BYTES: String(MAX_RESUMABLE) }, { runner: true });
  base = await t.listen();
  owner = await registerUser(t);
  stranger = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// --- helpers -------------------------------------------------------------------------------

const uploadsDir = () => path.join(t.deps.env.dataDir, 'uploads');
const stagedPath = (uploadId: string) => path.join(uploadsDir(), uploadId);
const idOf = (uploadUrl: string) => new URL(uploadUrl).pathname.split('/').pop()!;
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** GraphQL over the real HTTP server, not yoga.fetch. */
async function gqlHttp(query: string, variables: Record<string, unknown>, token: string): Promise<GqlResult> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const raw = await response.text();
  const body = JSON.parse(raw) as { data?: any; errors?: GqlResult['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors, raw };
}

const createFromUpload = (token: string, uploadId: string, input: Record<string, unknown> = {}) =>
  gqlHttp(CREATE, { input: { ...input, uploadId } }, token);

/** Uploads with tus-js-client in `chunkSize` pieces; resolves with the upload URL and how many PATCHes it took. */
function tusUpload(
  source: Buffer | ReturnType<typeof createReadStream>,
  options: { token: string; filename: string; chunkSize: number; uploadSize?: number },
): Promise<{ url: string; chunks: number }> {
  return new Promise((resolve, reject) => {
    let chunks = 0;
    const upload = new tus.Upload(source as Buffer, {
      endpoint: `${base}/uploads`,
      chunkSize: options.chunkSize,
      uploadSize: options.uploadSize,
      metadata: { filename: options.filename },
      headers: { authorization: `Bearer ${options.token}` },
      retryDelays: null,
      storeFingerprintForResuming: false,
      onChunkComplete: () => {
        chunks += 1;
      },
      onError: reject,
      onSuccess: () => resolve({ url: upload.url!, chunks }),
    });
    upload.start();
  });
}

function tusHeaders(token: string | null, extra: Record<string, string> = {}): Record<string, string> {
  return { 'tus-resumable': '1.0.0', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/** POST /uploads by hand; returns the response and (on 201) the absolute upload URL. */
async function tusCreate(token: string | null, length: number, filename = 'talk.wav', extra: Record<string, string> = {}) {
  const response = await fetch(`${base}/uploads`, {
    method: 'POST',
    headers: tusHeaders(token, { 'upload-length': String(length), 'upload-metadata': `filename ${b64(filename)}`, ...extra }),
  });
  await response.arrayBuffer();
  const location = response.headers.get('location');
  return { response, url: location ? new URL(location, base).toString() : null };
}

async function tusHead(url: string, token: string | null, extra: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'HEAD', headers: tusHeaders(token, extra) });
  return response;
}

async function tusPatch(url: string, token: string | null, offset: number, body: Uint8Array, extra: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'PATCH',
    headers: tusHeaders(token, {
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
      ...extra,
    }),
    body: new Uint8Array(body),
  });
  return { response, text: await response.text() };
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const fileSize = async (file: string) => (await stat(file).catch(() => null))?.size ?? -1;

async function uploadsState() {
  return {
    rows: await t.deps.db.upload.count(),
    files: (await readdir(uploadsDir())).sort(),
  };
}

/** A finished upload of `bytes` by `token`, created by hand in one PATCH. */
async function finishedUpload(token: string, bytes: Uint8Array, filename: string): Promise<string> {
  const { response, url } = await tusCreate(token, bytes.length, filename);
  expect(response.status).toBe(201);
  const patched = await tusPatch(url!, token, 0, bytes);
  expect(patched.response.status, patched.text).toBe(204);
  return idOf(url!);
}

// --- tests ---------------------------------------------------------------------------------

describe('uploading with tus-js-client and transcribing the upload', () => {
  const cases = [
    { kind: 'WAV from a Buffer', filename: 'speech.wav', chunkSize: 64 * 1024 },
    { kind: 'MP3 from an fs.ReadStream', filename: 'speech.mp3', chunkSize: 8 * 1024 },
  ];
  for (const { kind, filename, chunkSize } of cases) {
    it(`uploads ${kind} in chunks, transcribes it, consumes the upload and refuses to reuse it`, async () => {
      const sourcePath = filename.endsWith('.wav') ? speech.wavPath : mp3;
      const sourceBytes = await readFile(sourcePath);
      const source = filename.endsWith('.wav') ? wavBytes : createReadStream(sourcePath);
      const { url, chunks } = await tusUpload(source, {
        token: owner.accessToken,
        filename,
        chunkSize,
        uploadSize: sourceBytes.length,
      });
      expect(chunks).toBe(Math.ceil(sourceBytes.length / chunkSize));
      expect(chunks).toBeGreaterThan(2);
      const uploadId = idOf(url);
      expect(url).toBe(`${base}/uploads/${uploadId}`);
      expect(uploadId).toMatch(/^upl_[0-9a-z]{26}$/);

      // The finished upload is recorded, and the staged file is exactly what was sent.
      const row = await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } });
      expect(row).toMatchObject({ ownerId: owner.id, filename, consumedAt: null });
      expect(row.completedAt).toBeInstanceOf(Date);
      expect(Number(row.size)).toBe(sourceBytes.length);
      expect(Number(row.received)).toBe(sourceBytes.length);
      expect((await readFile(stagedPath(uploadId))).equals(sourceBytes)).toBe(true);

      const jobsBefore = await t.deps.db.job.count();
      const created = await createFromUpload(owner.accessToken, uploadId, { provider: 'LOCAL' });
      expect(created.errors, created.raw).toBeUndefined();
      expect(created.data!.createTranscriptionJob).toMatchObject({ status: 'QUEUED', filename });
      const jobId = created.data!.createTranscriptionJob.id as string;

      // Taken: the staged file and tus's metadata are gone, the row is marked consumed.
      expect(existsSync(stagedPath(uploadId))).toBe(false);
      expect(existsSync(`${stagedPath(uploadId)}.json`)).toBe(false);
      const consumed = await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } });
      expect(consumed.consumedAt).toBeInstanceOf(Date);
      const jobRow = await t.deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
      expect(Number(jobRow.sourceBytes)).toBe(sourceBytes.length);

      const job = await waitForJob(t, owner.accessToken, jobId);
      expect(job.status, job.error).toBe('COMPLETED');
      expect(job.filename).toBe(filename);
      expect(job.mediaDurationSeconds).toBeCloseTo(speech.durationSeconds, 0);
      const wer = wordErrorRate(speech.text, job.text);
      expect(wer, `recognised: ${job.text}`).toBeLessThanOrEqual(0.25);

      // The same upload cannot feed a second job.
      const again = await createFromUpload(owner.accessToken, uploadId);
      expect(again.errors?.[0].extensions?.code, again.raw).toBe('CONFLICT');
      expect(again.data).toBeNull();
      expect(await t.deps.db.job.count()).toBe(jobsBefore + 1);
      // And tus no longer has it either.
      expect((await tusHead(url, owner.accessToken)).status).toBe(404);
    }, 120_000);
  }
});

describe('resuming after a dropped connection', () => {
  it('keeps the bytes received before a connection drops and finishes from HEAD’s offset', async () => {
    const source = wavBytes;
    const filename = 'resumed talk.wav';
    const { response: created, url } = await tusCreate(owner.accessToken, source.length, filename);
    expect(created.status).toBe(201);
    expect(created.headers.get('tus-resumable')).toBe('1.0.0');
    const location = created.headers.get('location')!;
    expect(location).toMatch(/^(https?:\/\/[^/]+)?\/uploads\/upl_[0-9a-z]{26}$/);
    const uploadId = idOf(url!);
    expect(await t.deps.db.upload.findUnique({ where: { id: uploadId } })).toMatchObject({
      ownerId: owner.id,
      filename,
      completedAt: null,
    });

    const head0 = await tusHead(url!, owner.accessToken);
    expect(head0.status).toBe(200);
    expect(head0.headers.get('upload-offset')).toBe('0');
    expect(head0.headers.get('upload-length')).toBe(String(source.length));
    expect(head0.headers.get('cache-control')).toBe('no-store');

    // A first, complete PATCH.
    const first = 16 * 1024;
    const patch1 = await tusPatch(url!, owner.accessToken, 0, source.subarray(0, first));
    expect(patch1.response.status, patch1.text).toBe(204);
    expect(patch1.response.headers.get('upload-offset')).toBe(String(first));

    // Drop 1: a raw HTTP PATCH that promises the rest but dies after 48 KiB.
    const sent = 48 * 1024;
    const target = new URL(url!);
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      method: 'PATCH',
      headers: {
        ...tusHeaders(owner.accessToken),
        'upload-offset': String(first),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(source.length - first),
      },
    });
    const requestDone = new Promise<void>((resolve) => {
      request.on('error', () => resolve());
      request.on('close', () => resolve());
    });
    request.write(source.subarray(first, first + sent));
    await waitUntil(async () => (await fileSize(stagedPath(uploadId))) === first + sent, 'the first drop’s bytes on disk');
    request.destroy();
    await requestDone;

    // HEAD waits for the dropped PATCH to let go and reports what was stored.
    let offset = 0;
    await waitUntil(async () => {
      const head = await tusHead(url!, owner.accessToken);
      offset = Number(head.headers.get('upload-offset'));
      return head.status === 200 && offset === first + sent;
    }, 'HEAD to show the first drop’s bytes');
    expect(offset).toBe(first + sent);
    const halfway = await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } });
    expect(halfway.completedAt).toBeNull();
    expect(halfway.consumedAt).toBeNull();

    // An unfinished upload cannot become a job yet.
    const early = await createFromUpload(owner.accessToken, uploadId);
    expect(early.errors?.[0].extensions?.code, early.raw).toBe('BAD_USER_INPUT');
    expect(early.errors?.[0].message).toMatch(/not finished/);

    // A PATCH at a stale offset is refused without touching the upload.
    const stale = await tusPatch(url!, owner.accessToken, first, source.subarray(first, first + 10));
    expect(stale.response.status).toBe(409);
    expect(await fileSize(stagedPath(uploadId))).toBe(first + sent);

    // Drop 2: fetch with a streamed body that errors after another 32 KiB.
    const more = 32 * 1024;
    let pulled = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!pulled) {
          pulled = true;
          controller.enqueue(source.subarray(offset, offset + more));
          return;
        }
        await waitUntil(async () => (await fileSize(stagedPath(uploadId))) === offset + more, 'the second drop’s bytes on disk');
        controller.error(new Error('network went away'));
      },
    });
    await expect(
      fetch(url!, {
        method: 'PATCH',
        headers: tusHeaders(owner.accessToken, {
          'upload-offset': String(offset),
          'content-type': 'application/offset+octet-stream',
        }),
        body,
        duplex: 'half',
      } as RequestInit),
    ).rejects.toThrow();
    const before = offset;
    await waitUntil(async () => {
      const head = await tusHead(url!, owner.accessToken);
      offset = Number(head.headers.get('upload-offset'));
      return head.status === 200 && offset === before + more;
    }, 'HEAD to show the second drop’s bytes');
    expect((await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } })).completedAt).toBeNull();

    // Resume from HEAD's offset and finish.
    const rest = await tusPatch(url!, owner.accessToken, offset, source.subarray(offset));
    expect(rest.response.status, rest.text).toBe(204);
    expect(rest.response.headers.get('upload-offset')).toBe(String(source.length));
    const head = await tusHead(url!, owner.accessToken);
    expect(head.headers.get('upload-offset')).toBe(String(source.length));

    const finished = await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } });
    expect(finished.completedAt).toBeInstanceOf(Date);
    expect(Number(finished.received)).toBe(source.length);
    expect((await readFile(stagedPath(uploadId))).equals(source)).toBe(true);

    // Finished: no more bytes are accepted.
    const extra = await tusPatch(url!, owner.accessToken, source.length, Buffer.from('x'));
    expect(extra.response.status).toBeGreaterThanOrEqual(400);
    expect((await readFile(stagedPath(uploadId))).equals(source)).toBe(true);

    // And the resumed upload becomes a job like any other.
    const job = await createFromUpload(owner.accessToken, uploadId);
    expect(job.errors, job.raw).toBeUndefined();
    expect(job.data!.createTranscriptionJob.filename).toBe(filename);
    expect(existsSync(stagedPath(uploadId))).toBe(false);
  }, 60_000);
});

describe('creation with upload', () => {
  it('records completion of an upload whose bytes came with the POST that created it', async () => {
    const response = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: tusHeaders(owner.accessToken, {
        'upload-length': String(wavBytes.length),
        'upload-metadata': `filename ${b64('whole.wav')}`,
        'content-type': 'application/offset+octet-stream',
      }),
      body: new Uint8Array(wavBytes),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(201);
    expect(response.headers.get('upload-offset')).toBe(String(wavBytes.length));
    const uploadId = idOf(new URL(response.headers.get('location')!, base).toString());
    const row = await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } });
    expect(row.completedAt).toBeInstanceOf(Date);
    expect(Number(row.received)).toBe(wavBytes.length);
    const job = await createFromUpload(owner.accessToken, uploadId);
    expect(job.errors, job.raw).toBeUndefined();
    expect(job.data!.createTranscriptionJob.filename).toBe('whole.wav');
  });
});

describe('who may use an upload', () => {
  it("answers another user's upload like a missing one, over tus and GraphQL", async () => {
    const partial = await tusCreate(owner.accessToken, 1000, 'mine.wav');
    expect(partial.response.status).toBe(201);
    const partialUrl = partial.url!;
    await tusPatch(partialUrl, owner.accessToken, 0, Buffer.alloc(100, 1));
    const finishedId = await finishedUpload(owner.accessToken, wavBytes, 'mine-finished.wav');
    const finishedUrl = `${base}/uploads/${finishedId}`;
    const missingUrl = `${base}/uploads/${MISSING_UPLOAD}`;

    for (const url of [partialUrl, finishedUrl]) {
      const theirsHead = await tusHead(url, stranger.accessToken);
      const noneHead = await tusHead(missingUrl, stranger.accessToken);
      expect(theirsHead.status).toBe(404);
      expect(noneHead.status).toBe(404);
      expect(theirsHead.headers.get('upload-offset')).toBeNull();
      expect(theirsHead.headers.get('upload-length')).toBeNull();

      const offset = url === partialUrl ? 100 : wavBytes.length;
      const theirsPatch = await tusPatch(url, stranger.accessToken, offset, Buffer.alloc(10, 2));
      const nonePatch = await tusPatch(missingUrl, stranger.accessToken, offset, Buffer.alloc(10, 2));
      expect(theirsPatch.response.status).toBe(404);
      expect(theirsPatch.text).toBe(nonePatch.text);

      const theirsGet = await fetch(url, { headers: { authorization: `Bearer ${stranger.accessToken}` } });
      expect(theirsGet.status).toBe(404);
      await theirsGet.arrayBuffer();
      const theirsDelete = await fetch(url, { method: 'DELETE', headers: tusHeaders(stranger.accessToken) });
      expect(theirsDelete.status).toBe(404);
      await theirsDelete.arrayBuffer();
    }
    // Nothing the stranger did touched the owner's uploads.
    expect(await fileSize(stagedPath(idOf(partialUrl)))).toBe(100);
    expect((await readFile(stagedPath(finishedId))).equals(wavBytes)).toBe(true);

    const jobsBefore = await t.deps.db.job.count();
    const theirs = await createFromUpload(stranger.accessToken, finishedId);
    const none = await createFromUpload(stranger.accessToken, MISSING_UPLOAD);
    expect(theirs.errors?.[0].extensions?.code, theirs.raw).toBe('NOT_FOUND');
    expect(theirs.raw).toBe(none.raw);
    const theirsPartial = await createFromUpload(stranger.accessToken, idOf(partialUrl));
    expect(theirsPartial.raw).toBe(none.raw);
    expect(await t.deps.db.job.count()).toBe(jobsBefore);
    expect((await t.deps.db.upload.findUniqueOrThrow({ where: { id: finishedId } })).consumedAt).toBeNull();
    expect(existsSync(stagedPath(finishedId))).toBe(true);

    // The owner still can.
    const mine = await createFromUpload(owner.accessToken, finishedId);
    expect(mine.errors, mine.raw).toBeUndefined();
  }, 60_000);

  it('needs credentials (401), write access (403), and stores nothing when refused', async () => {
    const { url } = await tusCreate(owner.accessToken, 500, 'owned.wav');
    const uploadId = idOf(url!);
    const before = await uploadsState();

    // No credentials, or credentials that do not check out.
    for (const token of [null, 'not-a-real-token']) {
      const created = await tusCreate(token, 500);
      expect(created.response.status, String(token)).toBe(401);
      expect(created.response.headers.get('location')).toBeNull();
      expect((await tusHead(url!, token)).status).toBe(401);
      expect((await tusPatch(url!, token, 0, Buffer.alloc(10))).response.status).toBe(401);
    }
    const malformed = await tusCreate(null, 500, 'x.wav', { authorization: 'Basic Zm9vOmJhcg==' });
    expect(malformed.response.status).toBe(401);

    // A read-only API key may not upload, nor touch its own user's uploads.
    const readKey = await t.gql(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { name: 'read only', scopes: ['READ'] } },
      { token: owner.accessToken },
    );
    const readSecret = readKey.data!.createApiKey.secret as string;
    expect((await tusCreate(readSecret, 500)).response.status).toBe(403);
    expect((await tusCreate(null, 500, 'x.wav', { 'x-api-key': readSecret })).response.status).toBe(403);
    expect((await tusHead(url!, readSecret)).status).toBe(403);
    const readPatch = await tusPatch(url!, readSecret, 0, Buffer.alloc(10));
    expect(readPatch.response.status).toBe(403);

    expect(await uploadsState()).toEqual(before);
    expect(await fileSize(stagedPath(uploadId))).toBe(0);

    // A WRITE key works, through either header.
    const writeKey = await t.gql(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { name: 'uploader', scopes: ['WRITE'] } },
      { token: owner.accessToken },
    );
    const writeSecret = writeKey.data!.createApiKey.secret as string;
    const viaKey = await tusCreate(null, 500, 'x.wav', { 'x-api-key': writeSecret });
    expect(viaKey.response.status).toBe(201);
    expect(await t.deps.db.upload.findUnique({ where: { id: idOf(viaKey.url!) } })).toMatchObject({ ownerId: owner.id });
    expect((await tusHead(url!, writeSecret)).status).toBe(200);
  });

  it('refuses an Upload-Length over MAX_RESUMABLE_UPLOAD_BYTES with 413 and stores nothing', async () => {
    const before = await uploadsState();
    const over = await tusCreate(owner.accessToken, MAX_RESUMABLE + 1, 'huge.wav');
    expect(over.response.status).toBe(413);
    expect(over.url).toBeNull();
    expect(await uploadsState()).toEqual(before);

    // Exactly the cap is fine; tus-js-client learns the cap from OPTIONS too.
    const atCap = await tusCreate(owner.accessToken, MAX_RESUMABLE, 'big.wav');
    expect(atCap.response.status).toBe(201);
    const options = await fetch(`${base}/uploads`, { method: 'OPTIONS' });
    expect(options.headers.get('tus-max-size')).toBe(String(MAX_RESUMABLE));

    // A body longer than the declared length is refused too, and nothing past it is kept.
    const { url } = await tusCreate(owner.accessToken, 100, 'small.wav');
    const tooLong = await tusPatch(url!, owner.accessToken, 0, Buffer.alloc(200, 3));
    expect(tooLong.response.status).toBe(413);
    expect(await fileSize(stagedPath(idOf(url!)))).toBe(0);
    expect((await t.deps.db.upload.findUniqueOrThrow({ where: { id: idOf(url!) } })).completedAt).toBeNull();
  });

  it('requires Upload-Length (no deferred length) and the Tus-Resumable header', async () => {
    const before = await uploadsState();
    const deferred = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: tusHeaders(owner.accessToken, { 'upload-defer-length': '1' }),
    });
    expect(deferred.status).toBeGreaterThanOrEqual(400);
    expect(deferred.status).toBeLessThan(500);
    await deferred.arrayBuffer();
    const noVersion = await fetch(`${base}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.accessToken}`, 'upload-length': '10' },
    });
    expect(noVersion.status).toBe(412);
    await noVersion.arrayBuffer();
    expect(await uploadsState()).toEqual(before);
  });
});

describe('bad media', () => {
  it('fails a finished upload of text with UNSUPPORTED_MEDIA and creates no job', async () => {
    const text = Buffer.from('Dear diary, today I recorded nothing at all.\n'.repeat(200));
    const { url } = await tusUpload(text, { token: owner.accessToken, filename: 'notes.mp3', chunkSize: 2048 });
    const uploadId = idOf(url);
    expect((await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } })).completedAt).toBeInstanceOf(Date);

    const jobsBefore = await t.deps.db.job.count();
    const storedBefore = await storedJobFiles(t);
    const result = await createFromUpload(owner.accessToken, uploadId);
    expect(result.errors?.[0].extensions?.code, result.raw).toBe('UNSUPPORTED_MEDIA');
    expect(result.data).toBeNull();
    expect(await t.deps.db.job.count()).toBe(jobsBefore);
    expect(await storedJobFiles(t)).toEqual(storedBefore);
    // Released, not consumed: the staged file is still there.
    expect((await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } })).consumedAt).toBeNull();
    expect(existsSync(stagedPath(uploadId))).toBe(true);
  });

  it('fails an empty finished upload with UNSUPPORTED_MEDIA', async () => {
    const { response, url } = await tusCreate(owner.accessToken, 0, 'empty.wav');
    expect(response.status).toBe(201);
    const uploadId = idOf(url!);
    expect((await t.deps.db.upload.findUniqueOrThrow({ where: { id: uploadId } })).completedAt).toBeInstanceOf(Date);
    const jobsBefore = await t.deps.db.job.count();
    const result = await createFromUpload(owner.accessToken, uploadId);
    expect(result.errors?.[0].extensions?.code, result.raw).toBe('UNSUPPORTED_MEDIA');
    expect(await t.deps.db.job.count()).toBe(jobsBefore);
  });
});

describe('terminated uploads', () => {
  it('lets the owner terminate an upload, which then answers like a missing one', async () => {
    const uploadId = await finishedUpload(owner.accessToken, wavBytes, 'regret.wav');
    const url = `${base}/uploads/${uploadId}`;
    const deleted = await fetch(url, { method: 'DELETE', headers: tusHeaders(owner.accessToken) });
    expect(deleted.status).toBe(204);
    await deleted.arrayBuffer();
    expect(existsSync(stagedPath(uploadId))).toBe(false);
    expect((await tusHead(url, owner.accessToken)).status).toBe(404);

    const jobsBefore = await t.deps.db.job.count();
    const result = await createFromUpload(owner.accessToken, uploadId);
    const none = await createFromUpload(owner.accessToken, MISSING_UPLOAD);
    expect(result.errors?.[0].extensions?.code, result.raw).toBe('NOT_FOUND');
    expect(result.raw).toBe(none.raw);
    expect(await t.deps.db.job.count()).toBe(jobsBefore);
  });
});

describe('racing for one upload', () => {
  it('turns one upload into exactly one job when two requests race for it', async () => {
    const uploadId = await finishedUpload(owner.accessToken, wavBytes, 'raced.wav');
    const jobsBefore = await t.deps.db.job.count({ where: { ownerId: owner.id } });
    const results = await Promise.all([
      createFromUpload(owner.accessToken, uploadId),
      createFromUpload(owner.accessToken, uploadId),
      createFromUpload(owner.accessToken, uploadId),
    ]);
    const won = results.filter((result) => result.data?.createTranscriptionJob);
    const lost = results.filter((result) => result.errors);
    expect(won, results.map((result) => result.raw).join('\n')).toHaveLength(1);
    expect(lost.map((result) => result.errors![0].extensions?.code)).toEqual(['CONFLICT', 'CONFLICT']);
    expect(await t.deps.db.job.count({ where: { ownerId: owner.id } })).toBe(jobsBefore + 1);
    expect(existsSync(stagedPath(uploadId))).toBe(false);
    const id = won[0].data!.createTranscriptionJob.id as string;
    expect((await storedJobFiles(t)).filter((file) => file.includes(id))).toHaveLength(1);
  }, 60_000);
});
