// A transcription job survives its worker process being killed with SIGKILL: a second worker
// process notices the dead runner's heartbeat went stale, unlocks the job and resumes it after the
// last chunk the first one stored, without redoing (or duplicating) finished chunks.
// Real Postgres, real ffmpeg, the LOCAL engine, workers as separate `npm run worker` processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture, makeTempDir, wordErrorRate, type SpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const root = new URL('..', import.meta.url).pathname;
const STALE_SECONDS = 3;
const SENTENCES = [
  'the weather is nice today',
  'please call me tomorrow morning',
  'we need more time to finish the project',
  'the train leaves the station at noon',
  'my brother bought a new car last week',
  'she reads a book every evening',
  'the children are playing in the park',
  'can you open the window please',
  'we had dinner at a small restaurant',
  'the meeting starts at ten o clock',
  'he forgot his keys at the office',
  'the store closes early on sunday',
  'i would like a cup of coffee',
  'they are going to visit their parents',
  'the dog is sleeping on the floor',
  'please send me the report tomorrow',
  'we need more time to finish the project',
];

interface Worker {
  name: string;
  child: ChildProcess;
  output: string[];
}

const workers: Worker[] = [];
let t: TestApp;
let speech: SpeechFixture;
let cleanupDir: () => Promise<void>;
let encryptionKey: string;
let createdJobId: string | undefined;

/** `npm run worker` as a child process group (tsx runs the worker in a grandchild process). */
function startWorker(name: string): Worker {
  const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'jobs/index.ts'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      DATABASE_URL: t.databaseUrl,
      DATABASE_POOL_SIZE: '5',
      ENCRYPTION_KEY: encryptionKey,
      DATA_DIR: t.deps.env.dataDir,
      STORAGE_DIR: t.deps.env.storageDir,
      RUNNER_STALE_SECONDS: String(STALE_SECONDS),
      CHUNK_SECONDS: '6',
      WORKER_CONCURRENCY: '2',
      LOG_LEVEL: 'warn',
    },
  });
  const worker: Worker = { name, child, output: [] };
  child.stdout!.on('data', (data: Buffer) => worker.output.push(data.toString()));
  child.stderr!.on('data', (data: Buffer) => worker.output.push(data.toString()));
  workers.push(worker);
  return worker;
}

/** SIGKILLs the whole process group (tsx and the worker under it) and waits for the exit. */
async function killWorker(worker: Worker, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid!, signal);
  } catch {
    return; // already gone
  }
  await exited;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) {
      const logs = workers.map((w) => `--- worker ${w.name}:\n${w.output.join('').slice(-3000)}`).join('\n');
      throw new Error(`timed out waiting for ${what}\n${logs}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface SegmentRow {
  idx: number;
  chunk_index: number;
  start_seconds: number;
  end_seconds: number;
  xmin: string;
  ctid: string;
}

const segmentRows = (jobId: string) =>
  t.deps.db.$queryRaw<SegmentRow[]>`
    SELECT idx, chunk_index, start_seconds, end_seconds, xmin::text AS xmin, ctid::text AS ctid
    FROM transcript_segments WHERE job_id = ${jobId} ORDER BY idx`;

beforeAll(async () => {
  const temp = await makeTempDir('parlance-crash-test-');
  cleanupDir = temp.cleanup;
  speech = await makeSpeechFixture(SENTENCES, path.join(temp.dir, 'speech.wav'));
  encryptionKey = randomBytes(32).toString('base64');
  t = await createTestApp({ ENCRYPTION_KEY: encryptionKey, LOG_LEVEL: 'warn' });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => killWorker(worker)));
  // A worker killed mid-job leaves its scratch directory behind (the next attempt would clear it).
  if (createdJobId) await rm(path.join(os.tmpdir(), 'parlance-jobs', createdJobId), { recursive: true, force: true });
  await t?.close();
  await cleanupDir?.();
});

describe('worker crash', () => {
  it('a job whose worker is SIGKILLed mid-transcription is resumed by another worker', async () => {
    expect(speech.durationSeconds).toBeGreaterThan(60);
    expect(speech.durationSeconds).toBeLessThan(90);
    const owner = await registerUser(t);
    const submitted = await submitFile(t, owner.accessToken, speech.wavPath, { provider: 'LOCAL' });
    expect(submitted.errors).toBeUndefined();
    const jobId: string = submitted.data!.createTranscriptionJob.id;
    createdJobId = jobId;

    const started = Date.now();
    const a = startWorker('A');
    let pickedUpAt = 0;
    let plannedAt = 0;
    await until('worker A to finish two chunks', async () => {
      const job = await t.deps.db.job.findUnique({ where: { id: jobId } });
      if (job?.status === 'PROCESSING') pickedUpAt ||= Date.now();
      if (job?.chunksTotal) plannedAt ||= Date.now();
      return job && job.chunksDone >= 2 && job;
    }, 90_000);
    const firstChunksAt = Date.now();

    // The heartbeat must name whoever holds graphile-worker's lock on the job, or live runners'
    // jobs would be unlocked under them and dead runners' jobs could not be told apart.
    const [lock] = await t.deps.db.$queryRaw<{ locked_by: string | null }[]>`
      SELECT locked_by FROM graphile_worker._private_jobs WHERE payload->>'jobId' = ${jobId}`;
    expect(lock?.locked_by).toBeTruthy();
    const beats = await t.deps.db.runnerHeartbeat.findMany();
    expect(beats.some((beat) => beat.workerIds.includes(lock!.locked_by!)), JSON.stringify({ lock, beats })).toBe(true);

    await killWorker(a);
    expect(a.child.signalCode).toBe('SIGKILL');
    const atKill = await t.deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(atKill.status).toBe('PROCESSING');
    expect(atKill.attempts).toBe(1);
    expect(atKill.chunksTotal).toBeGreaterThan(atKill.chunksDone + 2); // plenty left for B
    const finishedByA = (await segmentRows(jobId)).filter((row) => row.chunk_index < atKill.chunksDone);
    expect(finishedByA.length).toBeGreaterThan(0);

    const killedAt = Date.now();
    const b = startWorker('B');
    const resumedAt = await until('worker B to resume the job', async () => {
      const job = await t.deps.db.job.findUnique({ where: { id: jobId } });
      return job && job.attempts >= 2 && Date.now();
    }, 60_000);
    const done = await waitForJob(t, owner.accessToken, jobId, undefined, 180_000);
    const completedAt = Date.now();
    expect(done.status, done.error).toBe('COMPLETED');
    expect(done.attempts).toBe(2); // A's attempt and B's, nothing more
    expect(done.progress).toBe(1);

    // Contiguous transcript: indexes 0..n-1, no duplicates, times in order.
    const rows = await segmentRows(jobId);
    expect(rows.map((row) => row.idx)).toEqual(rows.map((_, index) => index));
    expect(done.segments.map((segment: { index: number }) => segment.index)).toEqual(rows.map((row) => row.idx));
    for (let i = 1; i < rows.length; i += 1) {
      expect(rows[i].chunk_index).toBeGreaterThanOrEqual(rows[i - 1].chunk_index);
      expect(rows[i].start_seconds).toBeGreaterThanOrEqual(rows[i - 1].start_seconds - 0.001);
    }
    const job = await t.deps.db.job.findUniqueOrThrow({ where: { id: jobId } });
    expect(job.chunksDone).toBe(job.chunksTotal);
    expect(job.startedAt).toEqual(atKill.startedAt);
    const wer = wordErrorRate(speech.text, done.text);
    expect(wer, `recognised: ${done.text}`).toBeLessThanOrEqual(0.25);

    // B resumed after A's last stored chunk: A's rows were never rewritten (same xmin and ctid).
    const after = new Map(rows.map((row) => [row.idx, row]));
    for (const row of finishedByA) {
      expect(after.get(row.idx), `segment ${row.idx} of chunk ${row.chunk_index}`).toMatchObject({
        chunk_index: row.chunk_index,
        xmin: row.xmin,
        ctid: row.ctid,
      });
    }
    expect(rows.some((row) => row.chunk_index >= atKill.chunksDone)).toBe(true);

    const usage = await t.deps.db.usageRecord.findMany({ where: { jobId } });
    expect(usage).toHaveLength(1);
    expect(usage[0].audioSeconds).toBeCloseTo(speech.durationSeconds, 1);

    // B says why it took the job over, once (its own job is never taken for a dead runner's).
    const unlocks = b.output.join('').split('\n').filter((line) => line.includes('unlocked jobs of job runners'));
    expect(unlocks, b.output.join('')).toHaveLength(1);
    expect(unlocks[0]).toContain(lock!.locked_by!);
    // graphile-worker deletes its row once the task has returned, just after the job was marked done.
    await waitFor('the job off the queue', async () => {
      const graphileJobs = await t.deps.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE payload->>'jobId' = ${jobId}`;
      return graphileJobs[0].n === 0;
    }, 60_000);

    console.info(
      `workerCrash: ${speech.durationSeconds.toFixed(1)} s audio, ${job.chunksTotal} chunks; ` +
        `A took the job after ${((pickedUpAt - started) / 1000).toFixed(1)} s, had it chunked after ` +
        `${((plannedAt - started) / 1000).toFixed(1)} s and ${atKill.chunksDone} chunks stored after ` +
        `${((firstChunksAt - started) / 1000).toFixed(1)} s; ` +
        `B resumed ${((resumedAt - killedAt) / 1000).toFixed(1)} s after the kill and finished ` +
        `${((completedAt - resumedAt) / 1000).toFixed(1)} s later; WER ${wer.toFixed(3)}`,
    );
  }, 360_000); // ~40-50 s on a quiet 2-CPU machine; the slack is for machines busy with other suites
});
