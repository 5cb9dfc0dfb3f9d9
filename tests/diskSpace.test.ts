// Disk safety: a job, an export or a live session's aggregation that would not fit on the worker's disk ends FAILED
// with the reason and leaves nothing behind. The free space is injected (t.deps.freeDiskBytes), so
// no test fills a disk or depends on this machine's real free space.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../server/ids.ts';
import { storedJobFiles, submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, makeTempDir } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const RESERVE = 1_000_000;
let t: TestApp;
let temp: Awaited<ReturnType<typeof makeTempDir>>;
let speechPath: string;
let user: Awaited<ReturnType<typeof registerUser>>;
let freeBytes = 0;
/** The directories the worker asked about: where it was about to write. */
const askedDirs: string[] = [];

beforeAll(async () => {
  temp = await makeTempDir('parlance-disk-');
  speechPath = (await makeSpeechFixture(['the weather is nice today'], path.join(temp.dir, 'speech.wav'))).wavPath;
  t = await createTestApp({ MIN_FREE_DISK_BYTES: String(RESERVE) }, { runner: true });
  t.deps.freeDiskBytes = async (dir) => {
    askedDirs.push(dir);
    return freeBytes;
  };
  user = await registerUser(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await temp?.cleanup();
});

describe('disk space', () => {
  it('fails a job whose media does not fit, with the reason, not retried, leaving no staged files', async () => {
    freeBytes = 300_000;
    askedDirs.length = 0;
    const submitted = await submitFile(t, user.accessToken, speechPath, { provider: 'LOCAL' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const job = await waitForJob(t, user.accessToken, submitted.data!.createTranscriptionJob.id);
    expect(job.status).toBe('FAILED');
    expect(job.error).toMatch(/^Not enough free disk space to process this media: \d+(\.\d)? MB needed, 300 kB free\.$/);
    expect(job.attempts).toBe(1);
    expect(askedDirs.length).toBeGreaterThan(0);
    for (const dir of askedDirs) expect(existsSync(dir), dir).toBe(false);
    // The upload is kept (a retry can run once space is freed); only scratch files are gone.
    expect(await storedJobFiles(t)).not.toHaveLength(0);
  }, 120_000);

  it('runs a job when the space suffices', async () => {
    freeBytes = 10e9;
    const submitted = await submitFile(t, user.accessToken, speechPath, { provider: 'LOCAL' });
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const job = await waitForJob(t, user.accessToken, submitted.data!.createTranscriptionJob.id);
    expect(job.error).toBeNull();
    expect(job.status).toBe('COMPLETED');
    expect(job.text).toMatch(/weather/);
  }, 120_000);

  it('refuses an export whose recordings do not fit, with the reason, leaving no archive', async () => {
    freeBytes = 1_200_000;
    askedDirs.length = 0;
    const project = await t.gql(`mutation { createProject(input: { name: "Disk" }) { id } }`, {}, { token: user.accessToken });
    const projectId = project.data!.createProject.id as string;
    const sessionId = newId('LiveSession');
    const mainKey = `sessions/${sessionId}/main.flac`;
    await t.deps.storage.put(mainKey, Buffer.alloc(500_000, 1));
    await t.deps.db.liveSession.create({
      data: { id: sessionId, ownerId: user.id, projectId, status: 'READY', provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16_000, mainKey },
    });
    await t.deps.db.recording.create({
      data: {
        id: newId('Recording'), sessionId, projectId, speakerId: user.id, durationSeconds: 15, recognisedText: 'hello',
        checks: {}, suspicion: 0, reviewStatus: 'APPROVED',
      },
    });
    const started = await t.gql(`mutation ($projectId: ID!) { exportDataset(projectId: $projectId) { id } }`, { projectId }, { token: user.accessToken });
    expect(started.errors, started.raw).toBeUndefined();
    const exportId = started.data!.exportDataset.id as string;
    const failed = await waitFor(
      'export finished',
      async () => {
        const node = (await t.gql(`query ($id: ID!) { node(id: $id) { ... on DatasetExport { status error downloadUrl } } }`, { id: exportId }, { token: user.accessToken })).data?.node;
        return node && node.status !== 'QUEUED' && node.status !== 'PROCESSING' && node;
      },
      120_000,
    );
    expect(failed).toEqual({ status: 'FAILED', error: 'Not enough free disk space to write this export: 1.5 MB needed, 1.2 MB free.', downloadUrl: null });
    expect(askedDirs.length).toBeGreaterThan(0);
    for (const dir of askedDirs) expect(existsSync(dir), dir).toBe(false);
    expect(await t.deps.storage.exists(`exports/${exportId}/dataset.tar`)).toBe(false);
  }, 120_000);

  it('fails the aggregation of a live session that does not fit, leaving no files', async () => {
    freeBytes = 500_000;
    askedDirs.length = 0;
    const sessionId = newId('LiveSession');
    await t.deps.db.liveSession.create({
      data: {
        id: sessionId, ownerId: user.id, status: 'ENDED', provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16_000,
        nextSeq: 1, endedAt: new Date(),
        chunks: { create: { seq: 0, bytes: Buffer.alloc(320_000) } }, // 10 s of 16 kHz PCM
      },
    });
    await t.deps.db.$executeRaw`SELECT graphile_worker.add_job('aggregate_session', json_build_object('sessionId', ${sessionId}::text))`;
    const session = await waitFor(
      'aggregation finished',
      async () => {
        const row = await t.deps.db.liveSession.findUniqueOrThrow({ where: { id: sessionId } });
        return row.status !== 'ENDED' && row.status !== 'PROCESSING' && row;
      },
      120_000,
    );
    // 320 kB received + 10 s of FLAC (32 kB/s) and Opus (4 kB/s) + the 1 MB reserve.
    expect(session).toMatchObject({ status: 'FAILED', error: 'Not enough free disk space to aggregate this live session: 1.7 MB needed, 500 kB free.', mainKey: null });
    expect(askedDirs.length).toBeGreaterThan(0);
    for (const dir of askedDirs) expect(existsSync(dir), dir).toBe(false);
    expect(await t.deps.storage.exists(`sessions/${sessionId}/main.flac`)).toBe(false);
  }, 120_000);
});
