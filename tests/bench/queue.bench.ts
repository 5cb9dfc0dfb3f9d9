/**
 * Queue overhead: our whole job path with a no-op engine (createTranscriptionJob with a tiny WAV ->
 * job runner -> transcribe task -> COMPLETED) against a bare graphile-worker no-op task on the same
 * database, with the same worker concurrency and poll interval.
 *
 * - pickup latency: from the commit that adds the job to the task function being entered, one job at
 *   a time on an idle worker. The commit is timed the same way for both: a separate connection in this
 *   process LISTENs on graphile-worker's "jobs:insert" channel, whose NOTIFY add_job sends is delivered
 *   at commit (to the runner's own LISTEN connection at the same moment). Goal: p50 and p95 within
 *   +5 ms. Also printed: the same from the point the client sees its add resolve.
 * - throughput: N jobs submitted by 4 concurrent clients while the runner works, first submission to
 *   last completion (ours: the COMPLETED event; bare: the task returning). Goal: at least 0.25x.
 *   Broken down into submission alone (runner stopped) and draining a pre-filled queue.
 */
import { Logger, makeWorkerUtils, run, type Runner, type Task, type TaskList } from 'graphile-worker';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { startJobRunner, type JobRunner } from '../../jobs/runner.ts';
import { createTaskList } from '../../jobs/tasks/index.ts';
import type { AppDeps, Viewer } from '../../server/context.ts';
import { mediaToolsFromEnv, runTool } from '../../server/media/run.ts';
import type { SpeechProvider } from '../../server/providers/types.ts';
import type { EventPayload } from '../../server/pubsub/pubsub.ts';
import { createTranscriptionJob, TRANSCRIBE_TASK } from '../../server/services/jobs.ts';
import { benchViewer, createBenchDeps } from './lib/app.ts';
import { benchPostgres } from './lib/database.ts';
import { tinyWav } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { now, quantile, sleep, waitUntil } from './lib/stats.ts';

export const name = 'queue';
export const description = 'no-op job through createTranscriptionJob + worker vs bare graphile-worker no-op task';

const PICKUP_SAMPLES = 50;
const WARMUP = 5;
const BARE_JOBS = 500;
const OUR_JOBS = 60;
const SUBMITTERS = 4;
const BARE_TASK = 'bench_noop';

/** What the no-op engine answers: one short segment, so the storing path runs too. */
const noopProvider: SpeechProvider = {
  name: 'LOCAL',
  maxChunkSeconds: 300,
  availability: async () => ({ ok: true }),
  transcribe: async (request) => ({
    segments: [{ start: 0, end: request.durationSeconds, text: 'noop', words: [] }],
    language: 'en',
  }),
};

/** When each step of one job happened (performance.now()); the commit itself comes from CommitListener. */
interface Times {
  /** The client saw its add resolve (bare: addJob; ours: the QUEUED event after the transaction). */
  queued?: number;
  taskStart?: number;
  processing?: number;
  engine?: number;
  done?: number;
}

const silentWorkerLogger = new Logger(() => () => {});

/**
 * Every SQL statement this process sends (Prisma's pg adapter and graphile-worker both go through
 * pg.Client#query), so a phase's statements per job can be read off. Pollers add a few a second.
 */
const statements = (() => {
  let count = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    count += 1;
    return (original as (...args: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return { count: () => count };
})();

async function main(report: BenchReport): Promise<void> {
  const cluster = await benchPostgres();
  const url = await cluster.createDatabase('queue');
  // The per-user submission rate limit (JOB_SUBMISSIONS_PER_MINUTE, 30 by default) would stop the run
  // within seconds; it is switched off here: this measures the queue, one user submitting flat out.
  const bench = await createBenchDeps(url, { JOB_SUBMISSIONS_PER_MINUTE: '0' });
  const { deps } = bench;
  try {
    const concurrency = deps.env.WORKER_CONCURRENCY;
    const pollInterval = 1_000; // startJobRunner's default, used in production
    report.info('setup', {
      worker_concurrency: concurrency,
      poll_interval_ms: pollInterval,
      submitters: SUBMITTERS,
      job_submissions_per_minute: 'unlimited',
    });

    const commits = await listenForCommits(url);
    let bare, ours;
    try {
      bare = await benchBare(url, concurrency, pollInterval, commits);
      ours = await benchOurs(deps, url, concurrency, commits);
    } finally {
      await commits.close();
    }

    report.delta('pickup_p50_ms', ours.pickup.p50, bare.pickup.p50, { unit: ' ms', max: 5 });
    report.delta('pickup_p95_ms', ours.pickup.p95, bare.pickup.p95, { unit: ' ms', max: 5 });
    report.delta('pickup_from_client_p50_ms', ours.clientPickup, bare.clientPickup, { unit: ' ms' });
    report.ratio('jobs_per_s', ours.e2e, bare.e2e, { min: 0.25 });
    report.ratio('submit_jobs_per_s', ours.submit, bare.submit);
    report.ratio('drain_jobs_per_s', ours.drain, bare.drain);
    report.info('statements_per_job', {
      ours_submit: ours.submitStatements,
      ours_task: ours.drainStatements,
      bare_submit: bare.submitStatements,
      bare_task: bare.drainStatements,
    });
    report.info('load_average_1m', { at_end: os.loadavg()[0] });
    report.info('ours_breakdown_ms', {
      commit_to_task_p50: ours.pickup.p50,
      commit_to_client_sees_it_p50: ours.commitToClient,
      commit_to_processing_p50: ours.toProcessing,
      commit_to_engine_p50: ours.toEngine,
      task_to_completed_p50: ours.taskToDone,
      submit_call_p50: ours.submitCall,
    });
    const startup = await toolStartupMs(deps);
    report.info('tool_startup_ms', startup);
    report.note(
      'ours = createTranscriptionJob (sniff + header probe + store + transaction) and the transcribe task ' +
        '(download, probe, normalise, plan, no-op engine, store segments, finish, each in its own statements);\n' +
        'bare = addJob + an empty task. The fixture is a 16 kHz mono WAV, which takes the plain-PCM path (no ffprobe, no ffmpeg); ' +
        'any other format starts ffprobe (submit) and\nffmpeg (task), each costing the tool_startup_ms above just to start. ' +
        'What remains is the job path\'s own database work (statements_per_job above), not the queue.',
    );
  } finally {
    await bench.close();
  }
}

async function benchBare(url: string, concurrency: number, pollInterval: number, commits: CommitListener) {
  const times = new Map<number, Times>();
  const task: Task = async (payload) => {
    const id = (payload as { i: number }).i;
    const entry = times.get(id) ?? {};
    entry.taskStart = now();
    times.set(id, entry);
    entry.done = now();
  };
  const utils = await makeWorkerUtils({ connectionString: url, logger: silentWorkerLogger });
  let runner: Runner | null = null;
  const start = async () => {
    runner = await run({
      connectionString: url,
      concurrency,
      pollInterval,
      noHandleSignals: true,
      taskList: { [BARE_TASK]: task },
      crontab: '',
      logger: silentWorkerLogger,
    });
  };
  const stop = async () => {
    await runner?.stop();
    runner = null;
  };
  let next = 0;
  const add = async (): Promise<number> => {
    const id = next++;
    times.set(id, {});
    await utils.addJob(BARE_TASK, { i: id });
    times.get(id)!.queued = now();
    return id;
  };
  const doneCount = (ids: number[]) => ids.filter((id) => times.get(id)?.done !== undefined).length;

  try {
    await start();
    // Pickup, one job at a time on an idle worker.
    const pickups: number[] = [];
    const clientPickups: number[] = [];
    for (let i = 0; i < WARMUP + PICKUP_SAMPLES; i++) {
      commits.reset();
      const id = await add();
      await waitUntil(() => times.get(id)!.done !== undefined, 10_000, `bare job ${id}`);
      const t = times.get(id)!;
      await commits.settle();
      if (i >= WARMUP) {
        pickups.push(t.taskStart! - commits.first()!);
        clientPickups.push(t.taskStart! - t.queued!);
      }
      await sleep(5 + Math.random() * 20);
    }
    // End to end: submitters and workers at once.
    const e2eIds: number[] = [];
    const e2eStart = now();
    await submitConcurrently(BARE_JOBS, async () => e2eIds.push(await add()));
    await waitUntil(() => doneCount(e2eIds) === BARE_JOBS, 60_000, 'bare jobs', 2);
    const e2e = BARE_JOBS / ((Math.max(...e2eIds.map((id) => times.get(id)!.done!)) - e2eStart) / 1000);
    await stop();

    // Submission alone, then draining the filled queue.
    const drainIds: number[] = [];
    const submitStart = now();
    const beforeSubmit = statements.count();
    await submitConcurrently(BARE_JOBS, async () => drainIds.push(await add()));
    const submit = BARE_JOBS / ((now() - submitStart) / 1000);
    const submitStatements = (statements.count() - beforeSubmit) / BARE_JOBS;
    await start();
    const drainStart = now();
    const beforeDrain = statements.count();
    await waitUntil(() => doneCount(drainIds) === BARE_JOBS, 60_000, 'bare drain', 2);
    const drainStatements = (statements.count() - beforeDrain) / BARE_JOBS;
    const drain = BARE_JOBS / ((Math.max(...drainIds.map((id) => times.get(id)!.done!)) - drainStart) / 1000);
    await stop();
    return {
      pickup: { p50: quantile(pickups, 0.5), p95: quantile(pickups, 0.95) },
      clientPickup: quantile(clientPickups, 0.5),
      e2e,
      submit,
      drain,
      submitStatements,
      drainStatements,
    };
  } finally {
    await stop();
    await utils.release();
  }
}

async function benchOurs(deps: AppDeps, url: string, concurrency: number, commits: CommitListener) {
  const times = new Map<string, Times>();
  const entry = (jobId: string) => {
    let found = times.get(jobId);
    if (!found) times.set(jobId, (found = {}));
    return found;
  };
  // createTranscriptionJob and the task announce every status change right after the write commits.
  const seen = (topic: string, payload: EventPayload) => {
    if (topic.startsWith('job:')) {
      const at = now();
      const times = entry(String(payload.jobId));
      if (payload.status === 'QUEUED') times.queued ??= at;
      else if (payload.status === 'PROCESSING') times.processing ??= at;
      else if (payload.status === 'COMPLETED' || payload.status === 'FAILED') times.done ??= at;
      if (payload.status === 'FAILED') console.log(`queue: job ${payload.jobId} FAILED`);
    }
  };
  const publish = deps.publisher.publish.bind(deps.publisher);
  deps.publisher.publish = (topic, payload) => {
    seen(topic, payload);
    return publish(topic, payload);
  };
  const publishAll = deps.publisher.publishAll.bind(deps.publisher);
  deps.publisher.publishAll = (events) => {
    for (const { topic, payload } of events) seen(topic, payload);
    return publishAll(events);
  };
  const transcribe = noopProvider.transcribe;
  deps.providers.LOCAL = {
    ...noopProvider,
    transcribe: (request) => {
      // The chunk file is named after the job's work directory: .../parlance-jobs/<jobId>/chunk-0.wav
      const jobId = request.wavPath.split('/').at(-2)!;
      entry(jobId).engine ??= now();
      return transcribe(request);
    },
  };
  const taskList: TaskList = createTaskList(deps);
  const inner = taskList[TRANSCRIBE_TASK];
  if (!inner) throw new Error(`the task list has no ${TRANSCRIBE_TASK} task`);
  taskList[TRANSCRIBE_TASK] = (payload, helpers) => {
    entry((payload as { jobId: string }).jobId).taskStart ??= now();
    return inner(payload, helpers);
  };

  const { viewer } = await benchViewer(deps);
  const tiny = await readFile(await tinyWav());
  const submitCalls: number[] = [];
  const add = async (): Promise<string> => {
    const started = now();
    const job = await createTranscriptionJob(deps, viewer as Viewer, { file: new File([tiny], 'tiny.wav') });
    submitCalls.push(now() - started);
    return job.id;
  };
  const doneCount = (ids: string[]) => ids.filter((id) => times.get(id)?.done !== undefined).length;

  let runner: JobRunner | null = null;
  const start = async () => {
    runner = await startJobRunner({ connectionString: url, concurrency, deps, taskList });
  };
  const stop = async () => {
    await runner?.stop();
    runner = null;
  };
  try {
    await start();
    const pickups: number[] = [];
    const clientPickups: number[] = [];
    const commitToClient: number[] = [];
    const toProcessing: number[] = [];
    const toEngine: number[] = [];
    const taskToDone: number[] = [];
    for (let i = 0; i < WARMUP + PICKUP_SAMPLES; i++) {
      commits.reset();
      const id = await add();
      await waitUntil(() => times.get(id)?.done !== undefined, 30_000, `job ${id}`);
      const t = times.get(id)!;
      await commits.settle();
      const committed = commits.first()!;
      if (i >= WARMUP) {
        pickups.push(t.taskStart! - committed);
        clientPickups.push(t.taskStart! - t.queued!);
        commitToClient.push(t.queued! - committed);
        toProcessing.push(t.processing! - committed);
        toEngine.push(t.engine! - committed);
        taskToDone.push(t.done! - t.taskStart!);
      }
      await sleep(5 + Math.random() * 20);
    }
    const submitCall = quantile(submitCalls, 0.5);

    const e2eIds: string[] = [];
    const e2eStart = now();
    await submitConcurrently(OUR_JOBS, async () => e2eIds.push(await add()));
    await waitUntil(() => doneCount(e2eIds) === OUR_JOBS, 300_000, 'our jobs', 5);
    const e2e = OUR_JOBS / ((Math.max(...e2eIds.map((id) => times.get(id)!.done!)) - e2eStart) / 1000);
    await stop();

    const drainIds: string[] = [];
    const submitStart = now();
    const beforeSubmit = statements.count();
    await submitConcurrently(OUR_JOBS, async () => drainIds.push(await add()));
    const submit = OUR_JOBS / ((now() - submitStart) / 1000);
    const submitStatements = (statements.count() - beforeSubmit) / OUR_JOBS;
    await start();
    const drainStart = now();
    const beforeDrain = statements.count();
    await waitUntil(() => doneCount(drainIds) === OUR_JOBS, 300_000, 'our drain', 5);
    const drainStatements = (statements.count() - beforeDrain) / OUR_JOBS;
    const drain = OUR_JOBS / ((Math.max(...drainIds.map((id) => times.get(id)!.done!)) - drainStart) / 1000);
    await stop();
    const failed = await deps.db.job.count({ where: { status: { not: 'COMPLETED' } } });
    if (failed > 0) throw new Error(`${failed} of our jobs did not complete`);
    return {
      pickup: { p50: quantile(pickups, 0.5), p95: quantile(pickups, 0.95) },
      clientPickup: quantile(clientPickups, 0.5),
      commitToClient: quantile(commitToClient, 0.5),
      toProcessing: quantile(toProcessing, 0.5),
      toEngine: quantile(toEngine, 0.5),
      taskToDone: quantile(taskToDone, 0.5),
      submitCall,
      e2e,
      submit,
      drain,
      submitStatements,
      drainStatements,
    };
  } finally {
    await stop();
  }
}

/** Median wall time of starting ffprobe and ffmpeg with `-version`: the floor of every media step. */
async function toolStartupMs(deps: AppDeps): Promise<Record<string, number>> {
  const tools = mediaToolsFromEnv(deps.env);
  const result: Record<string, number> = {};
  for (const [label, bin] of [
    ['ffprobe', tools.ffprobePath],
    ['ffmpeg', tools.ffmpegPath],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      const started = now();
      await runTool(bin, ['-version'], { timeoutMs: 10_000 });
      times.push(now() - started);
    }
    result[label] = quantile(times, 0.5);
  }
  return result;
}

interface CommitListener {
  reset(): void;
  count(): number;
  /**
   * Waits for the one notification of the job just added. It can be read after the task already ran:
   * the runner's socket and ours are both ready at commit, and either may be served first.
   */
  settle(): Promise<void>;
  first(): number | undefined;
  close(): Promise<void>;
}

/** Times graphile-worker's "jobs:insert" notifications, which PostgreSQL delivers when the adding transaction commits. */
async function listenForCommits(url: string): Promise<CommitListener> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let seen: number[] = [];
  client.on('notification', (message) => {
    if (message.channel === 'jobs:insert') seen.push(now());
  });
  await client.query('LISTEN "jobs:insert"');
  return {
    reset: () => {
      seen = [];
    },
    count: () => seen.length,
    settle: async () => {
      await waitUntil(() => seen.length >= 1, 2_000, 'the jobs:insert notification');
      if (seen.length !== 1) throw new Error(`expected one jobs:insert notification, saw ${seen.length}`);
    },
    first: () => seen[0],
    close: () => client.end(),
  };
}

/** Runs `total` submissions through SUBMITTERS concurrent loops. */
async function submitConcurrently(total: number, submit: () => Promise<unknown>): Promise<void> {
  let remaining = total;
  await Promise.all(
    Array.from({ length: SUBMITTERS }, async () => {
      while (remaining > 0) {
        remaining--;
        await submit();
      }
    }),
  );
}

export { main as run };
