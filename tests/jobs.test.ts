// File jobs end to end: real Postgres, real ffmpeg, the real LOCAL engine and an in-process
// job runner. Speech comes from flite, so the reference text is known.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { storedJobFiles, submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, wordErrorRate, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, makeAdmin, registerUser, type TestApp } from './helpers/testApp.ts';

const run = promisify(execFile);
const SENTENCES = [
  'the weather is nice today',
  'please call me tomorrow morning',
  'we need more time to finish the project',
];

let t: TestApp;
let dir: string;
let speech: SpeechFixture;
let mp3: string;
let mp4: string;
let owner: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-jobs-test-'));
  speech = await makeSpeechFixture(SENTENCES, path.join(dir, 'speech.wav'));
  mp3 = path.join(dir, 'speech.mp3');
  mp4 = path.join(dir, 'speech.mp4');
  await run('ffmpeg', ['-v', 'error', '-i', speech.wavPath, '-codec:a', 'libmp3lame', '-b:a', '64k', mp3]);
  await run('ffmpeg', [
    '-v', 'error', '-f', 'lavfi', '-i', `color=c=blue:s=160x120:d=${speech.durationSeconds}`,
    '-i', speech.wavPath, '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', mp4,
  ]);
  t = await createTestApp({ MAX_UPLOAD_BYTES: String(5 * 1024 * 1024) }, { runner: true });
  owner = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LOCAL transcription of uploaded media', () => {
  for (const kind of ['wav', 'mp3', 'mp4'] as const) {
    it(`transcribes ${kind} with WER <= 0.25 and timed words`, async () => {
      const file = kind === 'wav' ? speech.wavPath : kind === 'mp3' ? mp3 : mp4;
      const submitted = await submitFile(t, owner.accessToken, file, { provider: 'LOCAL' });
      expect(submitted.errors).toBeUndefined();
      expect(submitted.data!.createTranscriptionJob).toMatchObject({ status: 'QUEUED', filename: path.basename(file) });
      const job = await waitForJob(t, owner.accessToken, submitted.data!.createTranscriptionJob.id);
      expect(job.status, job.error).toBe('COMPLETED');
      expect(job.progress).toBe(1);
      expect(job.mediaDurationSeconds).toBeCloseTo(speech.durationSeconds, 0);
      const wer = wordErrorRate(speech.text, job.text);
      expect(wer, `recognised: ${job.text}`).toBeLessThanOrEqual(0.25);
      expect(job.segments.length).toBeGreaterThan(0);
      let previous = 0;
      for (const segment of job.segments) {
        expect(segment.start).toBeGreaterThanOrEqual(previous - 0.001);
        expect(segment.end).toBeGreaterThan(segment.start);
        expect(segment.end).toBeLessThanOrEqual(speech.durationSeconds + 0.05);
        for (const word of segment.words) {
          expect(word.start).toBeGreaterThanOrEqual(segment.start - 0.001);
          expect(word.end).toBeLessThanOrEqual(segment.end + 0.001);
        }
        previous = segment.start;
      }
    }, 120_000);
  }

  it('serves the transcript as TXT, SRT, VTT and JSON, over GraphQL and as downloads', async () => {
    const submitted = await submitFile(t, owner.accessToken, speech.wavPath);
    const id = submitted.data!.createTranscriptionJob.id;
    await waitForJob(t, owner.accessToken, id);
    const result = await t.gql(
      `query ($id: ID!) { job(id: $id) { txt: transcript(format: TXT) srt: transcript(format: SRT)
        vtt: transcript(format: VTT) json: transcript(format: JSON) url: downloadUrl(format: VTT) } }`,
      { id },
      { token: owner.accessToken },
    );
    const job = result.data!.job;
    expect(job.srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
    expect(job.vtt).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n/);
    expect(JSON.parse(job.json)).toMatchObject({ jobId: id, segments: expect.any(Array) });
    expect(job.url).toMatch(new RegExp(`/jobs/${id}/transcript\\.vtt$`));

    const base = await t.listen();
    for (const [extension, type] of [['txt', 'text/plain'], ['srt', 'application/x-subrip'], ['vtt', 'text/vtt'], ['json', 'application/json']]) {
      const response = await fetch(`${base}/jobs/${id}/transcript.${extension}`, {
        headers: { authorization: `Bearer ${owner.accessToken}` },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain(type);
      expect(response.headers.get('content-disposition')).toContain(`.${extension}`);
      const body = await response.text();
      if (extension === 'vtt') expect(body).toBe(job.vtt);
      if (extension === 'txt') expect(body).toBe(job.txt);
    }
    expect((await fetch(`${base}/jobs/${id}/transcript.txt`)).status).toBe(401);
  }, 120_000);

  it('records usage for each finished job', async () => {
    const submitted = await submitFile(t, owner.accessToken, speech.wavPath);
    const id = submitted.data!.createTranscriptionJob.id;
    await waitForJob(t, owner.accessToken, id);
    const usage = await t.deps.db.usageRecord.findFirst({ where: { jobId: id } });
    expect(usage).toMatchObject({ userId: owner.id, provider: 'LOCAL', costUsd: 0 });
    expect(usage!.audioSeconds).toBeCloseTo(speech.durationSeconds, 1);
  }, 120_000);

  it('returns the same job for the same idempotency key', async () => {
    const first = await submitFile(t, owner.accessToken, speech.wavPath, { idempotencyKey: 'batch-7' });
    const second = await submitFile(t, owner.accessToken, speech.wavPath, { idempotencyKey: 'batch-7' });
    expect(second.data!.createTranscriptionJob.id).toBe(first.data!.createTranscriptionJob.id);
    expect(await t.deps.db.job.count({ where: { ownerId: owner.id, idempotencyKey: 'batch-7' } })).toBe(1);
  }, 60_000);
});

describe('bad input', () => {
  async function expectRefused(file: string, code: string, pattern: RegExp) {
    const before = await t.deps.db.job.count();
    const filesBefore = (await storedJobFiles(t)).length;
    const result = await submitFile(t, owner.accessToken, file);
    expect(result.errors?.[0].extensions?.code, result.raw).toBe(code);
    expect(result.errors?.[0].message).toMatch(pattern);
    expect(await t.deps.db.job.count()).toBe(before);
    expect((await storedJobFiles(t)).length).toBe(filesBefore);
  }

  it('refuses an empty file', async () => {
    const file = path.join(dir, 'empty.wav');
    await writeFile(file, '');
    await expectRefused(file, 'UNSUPPORTED_MEDIA', /empty/i);
  });

  it('refuses text renamed .mp3', async () => {
    const file = path.join(dir, 'notes.mp3');
    await writeFile(file, 'Dear diary, today I recorded nothing at all.\n'.repeat(20));
    await expectRefused(file, 'UNSUPPORTED_MEDIA', /text/i);
  });

  it('refuses a truncated mp3', async () => {
    const { readFile } = await import('node:fs/promises');
    const file = path.join(dir, 'truncated.mp3');
    await writeFile(file, (await readFile(mp3)).subarray(0, 300));
    const result = await submitFile(t, owner.accessToken, file);
    expect(result.errors?.[0].extensions?.code, result.raw).toBe('UNSUPPORTED_MEDIA');
  });

  it('refuses an HLS playlist and an ffconcat list without reading what they point at', async () => {
    const playlist = path.join(dir, 'list.m3u8');
    await writeFile(playlist, `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\nfile://${speech.wavPath}\n#EXT-X-ENDLIST\n`);
    await expectRefused(playlist, 'UNSUPPORTED_MEDIA', /playlist/i);
    const concat = path.join(dir, 'list.txt');
    await writeFile(concat, `ffconcat version 1.0\nfile '${speech.wavPath}'\n`);
    await expectRefused(concat, 'UNSUPPORTED_MEDIA', /concat/i);
  });

  it('refuses a file over the upload cap with PAYLOAD_TOO_LARGE', async () => {
    const big = path.join(dir, 'big.wav');
    await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', big, 'synth', '200', 'sine', '440']);
    await expectRefused(big, 'PAYLOAD_TOO_LARGE', /larger than 5 MB/);
  });

  it('fails a silent file with a reason and keeps no media', async () => {
    const silent = path.join(dir, 'silent.wav');
    await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', silent, 'trim', '0', '5']);
    const submitted = await submitFile(t, owner.accessToken, silent);
    const id = submitted.data!.createTranscriptionJob.id;
    const job = await waitForJob(t, owner.accessToken, id);
    expect(job).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/silent/i) });
    expect((await storedJobFiles(t)).some((file) => file.includes(id))).toBe(false);
  }, 60_000);

  it('refuses zero or two sources, and bad options', async () => {
    const none = await t.gql(`mutation { createTranscriptionJob(input: {}) { id } }`, {}, { token: owner.accessToken });
    expect(none.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const both = await t.gql(
      `mutation { createTranscriptionJob(input: { url: "https://example.com/a.mp3", uploadId: "upl_x" }) { id } }`,
      {},
      { token: owner.accessToken },
    );
    expect(both.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const language = await submitFile(t, owner.accessToken, speech.wavPath, { language: 'english please' });
    expect(language.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const noKey = await submitFile(t, owner.accessToken, speech.wavPath, { provider: 'OPENAI' });
    expect(noKey.errors?.[0]).toMatchObject({ extensions: { code: 'PROVIDER_UNAVAILABLE' } });
  });

  it('refuses URLs that point at private addresses, and fails a URL that never answers', async () => {
    for (const url of ['http://127.0.0.1/a.mp3', 'http://10.1.2.3/a.mp3', 'http://[::1]/a.mp3', 'http://169.254.169.254/latest', 'ftp://example.com/a.mp3']) {
      const result = await t.gql(
        `mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id } }`,
        { url },
        { token: owner.accessToken },
      );
      expect(result.errors?.[0].extensions?.code, url).toBe('BAD_USER_INPUT');
    }

    const hanging = await createTestApp(
      { URL_FETCH_ALLOW_HOSTS: '127.0.0.1', URL_FETCH_TIMEOUT_MS: '1500' },
      { runner: true },
    );
    const net = await import('node:net');
    const silentServer = net.createServer(() => {});
    await new Promise<void>((resolve) => silentServer.listen(0, '127.0.0.1', resolve));
    const port = (silentServer.address() as { port: number }).port;
    const user = await registerUser(hanging);
    const created = await hanging.gql(
      `mutation ($url: String!) { createTranscriptionJob(input: { url: $url }) { id status } }`,
      { url: `http://127.0.0.1:${port}/talk.mp3` },
      { token: user.accessToken },
    );
    const job = await waitForJob(hanging, user.accessToken, created.data!.createTranscriptionJob.id);
    expect(job).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/longer than 2 s|took longer/) });
    silentServer.close();
    await hanging.close();
  }, 60_000);
});

describe('lifecycle and authorization', () => {
  it('cancels a queued job, retries it, and deletes it with its media', async () => {
    const paused = await createTestApp();
    const user = await registerUser(paused);
    // Each answer may ask for fields read from related rows (segments, the rendered transcript).
    const transcriptFields = 'segments { text } transcript(format: TXT) speakers { speaker }';
    const created = await submitFile(paused, user.accessToken, speech.wavPath, {}, { fields: `id status ${transcriptFields}` });
    expect(created.errors).toBeUndefined();
    expect(created.data!.createTranscriptionJob).toMatchObject({ status: 'QUEUED', segments: [], transcript: null, speakers: [] });
    const id = created.data!.createTranscriptionJob.id;
    const cancel = await paused.gql(`mutation ($id: ID!) { cancelJob(id: $id) { status ${transcriptFields} } }`, { id }, { token: user.accessToken });
    expect(cancel.data!.cancelJob).toMatchObject({ status: 'CANCELLED', segments: [], transcript: null });
    const queued = await paused.deps.db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM graphile_worker._private_jobs WHERE key = ${`transcribe:${id}`}`;
    expect(Number(queued[0].n)).toBe(0);
    const again = await paused.gql(`mutation ($id: ID!) { cancelJob(id: $id) { status } }`, { id }, { token: user.accessToken });
    expect(again.errors?.[0].extensions?.code).toBe('CONFLICT');

    const retry = await paused.gql(`mutation ($id: ID!) { retryJob(id: $id) { status ${transcriptFields} } }`, { id }, { token: user.accessToken });
    expect(retry.data!.retryJob).toMatchObject({ status: 'QUEUED', segments: [] });
    const storageDir = paused.deps.env.storageDir;
    const { existsSync } = await import('node:fs');
    expect(existsSync(path.join(storageDir, 'jobs', id, 'source'))).toBe(true);
    const deleted = await paused.gql(`mutation ($id: ID!) { deleteJob(id: $id) }`, { id }, { token: user.accessToken });
    expect(deleted.data!.deleteJob).toBe(true);
    expect(existsSync(path.join(storageDir, 'jobs', id))).toBe(false);
    expect(await paused.deps.db.job.count({ where: { id } })).toBe(0);
    await paused.close();
  }, 60_000);

  it("answers another user's job id exactly like a missing one everywhere", async () => {
    const submitted = await submitFile(t, owner.accessToken, speech.wavPath);
    const id = submitted.data!.createTranscriptionJob.id;
    await waitForJob(t, owner.accessToken, id);
    const stranger = await registerUser(t);
    const missing = 'job_0000000000000000000000000a';
    for (const query of [
      `query ($id: ID!) { job(id: $id) { id } }`,
      `query ($id: ID!) { node(id: $id) { id } }`,
      `mutation ($id: ID!) { cancelJob(id: $id) { id } }`,
      `mutation ($id: ID!) { retryJob(id: $id) { id } }`,
      `mutation ($id: ID!) { deleteJob(id: $id) }`,
    ]) {
      const theirs = await t.gql(query, { id }, { token: stranger.accessToken });
      const none = await t.gql(query, { id: missing }, { token: stranger.accessToken });
      expect(theirs.raw, query).toBe(none.raw);
    }
    const base = await t.listen().catch(() => null);
    const url = base ?? `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const theirs = await fetch(`${url}/jobs/${id}/transcript.txt`, { headers: { authorization: `Bearer ${stranger.accessToken}` } });
    const none = await fetch(`${url}/jobs/${missing}/transcript.txt`, { headers: { authorization: `Bearer ${stranger.accessToken}` } });
    expect(theirs.status).toBe(404);
    expect(await theirs.text()).toBe(await none.text());
    expect(await t.deps.db.job.count({ where: { id } })).toBe(1);
  }, 60_000);

  it('lists jobs with pagination, status filter and search; stats; admin views', async () => {
    const user = await registerUser(t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const submitted = await submitFile(t, user.accessToken, speech.wavPath, {}, { filename: `meeting-${i}.wav` });
      ids.push(submitted.data!.createTranscriptionJob.id);
    }
    for (const id of ids) await waitForJob(t, user.accessToken, id);
    const page = await t.gql(
      `{ jobs(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { id filename } } } }`,
      {},
      { token: user.accessToken },
    );
    expect(page.data!.jobs.totalCount).toBe(3);
    expect(page.data!.jobs.edges.map((edge: any) => edge.node.id)).toEqual([ids[2], ids[1]]);
    const next = await t.gql(
      `query ($after: String) { jobs(first: 2, after: $after) { pageInfo { hasNextPage } edges { node { id } } } }`,
      { after: page.data!.jobs.pageInfo.endCursor },
      { token: user.accessToken },
    );
    expect(next.data!.jobs.edges.map((edge: any) => edge.node.id)).toEqual([ids[0]]);
    const search = await t.gql(`{ jobs(search: "meeting-1") { totalCount } }`, {}, { token: user.accessToken });
    expect(search.data!.jobs.totalCount).toBe(1);
    const byText = await t.gql(`{ jobs(search: "weather") { totalCount } }`, {}, { token: user.accessToken });
    expect(byText.data!.jobs.totalCount).toBe(3);
    const failed = await t.gql(`{ jobs(status: FAILED) { totalCount } }`, {}, { token: user.accessToken });
    expect(failed.data!.jobs.totalCount).toBe(0);
    const stats = await t.gql(`{ jobStats { total completed failed successRate audioSeconds } }`, {}, { token: user.accessToken });
    expect(stats.data!.jobStats).toMatchObject({ total: 3, completed: 3, failed: 0, successRate: 1 });
    expect(stats.data!.jobStats.audioSeconds).toBeCloseTo(3 * speech.durationSeconds, 0);

    const denied = await t.gql(`{ allJobs { totalCount } }`, {}, { token: user.accessToken });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    const all = await t.gql(
      `query ($userId: ID) { allJobs(userId: $userId) { totalCount } adminJobStats { total } }`,
      { userId: user.id },
      { token: admin.accessToken },
    );
    expect(all.data!.allJobs.totalCount).toBe(3);
    expect(all.data!.adminJobStats.total).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('allJobs and jobs by creation date: [from, to) with totalCount to match; from not before to is BAD_USER_INPUT', async () => {
    const [user, other, admin] = [await registerUser(t), await registerUser(t), await registerUser(t)];
    await makeAdmin(t, admin.id);
    const from = new Date('2025-03-01T00:00:00.000Z');
    const to = new Date('2025-03-02T00:00:00.000Z');
    const at = (ms: number) => new Date(from.getTime() + ms);
    // Created in this order, so newest first by id is newest first by time.
    const rows = [
      { label: 'before', createdAt: at(-1), ownerId: user.id, status: 'COMPLETED' },
      { label: 'at from', createdAt: from, ownerId: user.id, status: 'COMPLETED' },
      { label: 'inside', createdAt: at(3_600_000), ownerId: user.id, status: 'FAILED' },
      { label: "other's", createdAt: at(7_200_000), ownerId: other.id, status: 'COMPLETED' },
      { label: 'last ms', createdAt: new Date(to.getTime() - 1), ownerId: user.id, status: 'COMPLETED' },
      { label: 'at to', createdAt: to, ownerId: user.id, status: 'COMPLETED' },
      { label: 'after', createdAt: at(2 * 86_400_000), ownerId: user.id, status: 'QUEUED' },
    ] as const;
    const tag = newId('Job').slice(-8);
    const ids: Record<string, string> = {};
    for (const row of rows) {
      ids[row.label] = newId('Job');
      await t.deps.db.job.create({
        data: { id: ids[row.label], ownerId: row.ownerId, status: row.status, provider: 'LOCAL', filename: `dated-${tag}-${row.label}.wav`, createdAt: row.createdAt },
      });
    }
    const ALL = `query ($first: Int, $after: String, $userId: ID, $search: String, $status: JobStatus, $from: DateTime, $to: DateTime) {
      allJobs(first: $first, after: $after, userId: $userId, search: $search, status: $status, from: $from, to: $to) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id createdAt } } } }`;
    const list = async (variables: Record<string, unknown>) => {
      const result = await t.gql(ALL, { search: `dated-${tag}`, ...variables }, { token: admin.accessToken });
      expect(result.errors, result.raw).toBeUndefined();
      const connection = result.data!.allJobs;
      return { total: connection.totalCount as number, ids: connection.edges.map((edge: any) => edge.node.id as string), page: connection.pageInfo };
    };
    const labelsOf = (found: string[]) => found.map((id) => Object.keys(ids).find((label) => ids[label] === id));
    const iso = (date: Date) => date.toISOString();

    const everything = await list({});
    expect(everything.total).toBe(7);
    const range = await list({ from: iso(from), to: iso(to) });
    expect(labelsOf(range.ids)).toEqual(['last ms', "other's", 'inside', 'at from']);
    expect(range.total).toBe(4);
    // totalCount counts the whole filtered range, not the page.
    const firstPage = await list({ from: iso(from), to: iso(to), first: 3 });
    expect(firstPage).toMatchObject({ total: 4, page: { hasNextPage: true } });
    const secondPage = await list({ from: iso(from), to: iso(to), first: 3, after: firstPage.page.endCursor });
    expect(labelsOf(secondPage.ids)).toEqual(['at from']);
    expect(secondPage.total).toBe(4);
    // Either bound alone; with the other filters.
    expect(labelsOf((await list({ from: iso(from) })).ids)).toEqual(['after', 'at to', 'last ms', "other's", 'inside', 'at from']);
    expect((await list({ from: iso(from) })).total).toBe(6);
    expect(labelsOf((await list({ to: iso(to) })).ids)).toEqual(['last ms', "other's", 'inside', 'at from', 'before']);
    expect((await list({ to: iso(to) })).total).toBe(5);
    const usersCompleted = await list({ from: iso(from), to: iso(to), userId: user.id, status: 'COMPLETED' });
    expect(labelsOf(usersCompleted.ids)).toEqual(['last ms', 'at from']);
    expect(usersCompleted.total).toBe(2);
    // Outside every job: nothing, and a total of 0. A non-UTC offset means the same instant.
    const empty = await list({ from: '2025-02-01T00:00:00Z', to: '2025-02-28T00:00:00Z' });
    expect(empty).toMatchObject({ total: 0, ids: [] });
    const offset = await list({ from: '2025-03-01T01:00:00+01:00', to: '2025-03-01T03:00:00+01:00' });
    expect(labelsOf(offset.ids)).toEqual(['inside', 'at from']);

    for (const [bad, until] of [[iso(to), iso(from)], [iso(from), iso(from)]]) {
      const refused = await t.gql(ALL, { from: bad, to: until }, { token: admin.accessToken });
      expect(refused.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(refused.errors?.[0].message).toBe('from must be before to.');
      expect(refused.data).toBeNull();
    }
    const denied = await t.gql(ALL, { from: iso(from), to: iso(to) }, { token: user.accessToken });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    // The viewer's own list takes the same range: their jobs only.
    const OWN = `query ($from: DateTime, $to: DateTime) { jobs(first: 50, from: $from, to: $to) { totalCount edges { node { id } } } }`;
    const own = await t.gql(OWN, { from: iso(from), to: iso(to) }, { token: user.accessToken });
    expect(labelsOf(own.data!.jobs.edges.map((edge: any) => edge.node.id))).toEqual(['last ms', 'inside', 'at from']);
    expect(own.data!.jobs.totalCount).toBe(3);
    expect((await t.gql(OWN, { from: iso(to), to: iso(from) }, { token: user.accessToken })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});


