/**
 * Events between processes under write load (issue 18): WRITERS writer loops, each on a connection
 * of the process's Prisma pool, commit a job's progress (`UPDATE jobs`, one transaction) and then
 * publish one job event through the process's real publisher (createBenchDeps -> createDeps ->
 * openPublisher), as publishJobChange does. With PUBSUB=postgres the publish is a `SELECT
 * pg_notify(...)` of its own, a second commit that takes PostgreSQL's global NOTIFY lock; with
 * PUBSUB=redis it is a Redis PUBLISH. Two references: `none` commits the same updates and publishes
 * nothing (the ceiling the writers, Prisma and PostgreSQL set without events), and `notify-in-tx`
 * sends the NOTIFY inside the writing transaction (what the third-party measurement did, which we do
 * not ship): that commit flushes WAL while holding the NOTIFY lock, so such commits are serialised.
 *
 * The offered rate steps up (RATES commits/s, open loop: op k of a writer is due at a fixed time and
 * its latency runs from then, so a writer that falls behind shows it). A subscriber in a child
 * process (this file, forked) holds the real subscriber of each transport (one LISTEN connection /
 * one Redis subscription, the in-memory fan-out) and stamps each event's arrival. Per step:
 * achieved commits/s (ops finished within the step / step time), commit latency p50/p95 (update +
 * publish, from the due time), publish-to-receive p95 (monotonic clock, shared by both processes).
 * Modes alternate within each rate and the order rotates per round; each figure is the median of
 * ROUNDS rounds, with the load average beside.
 *
 * A mode degrades at the lowest rate where achieved < 90% of offered, or commit p95 > 5x its p95
 * at the lowest rate; it sustains the highest rate below that. Goal: PUBSUB=redis sustains at least
 * the rate PUBSUB=postgres does. When pgbench is on PATH, the three SQL patterns are also run from
 * pgbench (no Node in front): what PostgreSQL alone sustains on this machine.
 *
 * Knobs: PUBSUB_BENCH_RATES=250,500,… PUBSUB_BENCH_ROUNDS=3 PUBSUB_BENCH_STEP_MS=1500
 * PUBSUB_BENCH_WRITERS=8. `npm run bench -- pubsub`, or on its own: `npx tsx tests/bench/pubsub.ts`.
 */
import { execFile, fork, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { CHANNEL, encodeEvent, topics, type EventPayload, type Publisher, type Subscriber } from '../../server/pubsub/pubsub.ts';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.ts';
import { createBenchDeps, type BenchDeps } from './lib/app.ts';
import { BenchReport, fmt } from './lib/report.ts';
import { median, quantile, sleep } from './lib/stats.ts';

export const name = 'pubsub';
export const description = 'commits that publish one event each, stepping the rate up: PUBSUB=postgres vs redis, no events, NOTIFY inside the transaction';

const numbers = (text: string | undefined, fallback: number[]) =>
  text ? text.split(',').map((part) => Number(part.trim())).filter((value) => value > 0) : fallback;
const RATES = numbers(process.env.PUBSUB_BENCH_RATES, [250, 500, 750, 1000, 1500, 2000, 3000, 4000]);
const ROUNDS = Number(process.env.PUBSUB_BENCH_ROUNDS ?? 3);
const STEP_MS = Number(process.env.PUBSUB_BENCH_STEP_MS ?? 1500);
const WRITERS = Number(process.env.PUBSUB_BENCH_WRITERS ?? 8);
const ACHIEVED_MIN = 0.9;
const P95_MAX_MULTIPLE = 5;
/** How long a step's events may take to arrive before the missing ones count as lost. */
const DELIVERY_WAIT_MS = 15_000;
const ROLE = 'PARLANCE_PUBSUB_BENCH_ROLE';
/** Several deps share one database, so they share its master key (each has a DATA_DIR of its own). */
const KEY = { ENCRYPTION_KEY: Buffer.alloc(32, 18).toString('base64') };

const MODES = ['none', 'postgres', 'redis', 'notify-in-tx'] as const;
type Mode = (typeof MODES)[number];
type Transport = 'postgres' | 'redis';

/** Monotonic milliseconds, comparable between processes on one machine (CLOCK_MONOTONIC). */
const clock = () => Number(process.hrtime.bigint()) / 1e6;

type ToChild = { cmd: 'count'; step: number } | { cmd: 'take'; step: number } | { cmd: 'close' };
type FromChild =
  | { type: 'ready' }
  | { type: 'count'; received: number }
  | { type: 'take'; latencies: number[] }
  | { type: 'error'; message: string };

// ---- parent -------------------------------------------------------------------------------------

class SubscriberProcess {
  readonly #child: ChildProcess;
  #waiting: ((message: FromChild) => void) | null = null;
  #failed: Error | null = null;
  readonly ready: Promise<void>;

  constructor(transport: Transport, databaseUrl: string, redisUrl: string, jobIds: string[]) {
    this.#child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, [ROLE]: transport, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, BENCH_JOB_IDS: jobIds.join(',') },
      execArgv: process.execArgv,
    });
    this.#child.on('exit', (code) => {
      this.#failed ??= new Error(`the ${transport} subscriber process exited with ${code}`);
      this.#waiting?.({ type: 'error', message: this.#failed.message });
    });
    this.#child.on('message', (message: FromChild) => {
      if (message.type === 'error') this.#failed = new Error(message.message);
      const waiting = this.#waiting;
      this.#waiting = null;
      waiting?.(message);
    });
    this.ready = this.#next(60_000).then(() => undefined);
  }

  #next(timeoutMs: number): Promise<FromChild> {
    return new Promise((resolve, reject) => {
      if (this.#failed) return reject(this.#failed);
      const timer = setTimeout(() => reject(new Error('the subscriber process did not answer')), timeoutMs);
      this.#waiting = (answer) => {
        clearTimeout(timer);
        if (answer.type === 'error') reject(new Error(answer.message));
        else resolve(answer);
      };
    });
  }

  ask(message: ToChild, timeoutMs = 30_000): Promise<FromChild> {
    const answer = this.#next(timeoutMs);
    this.#child.send(message);
    return answer;
  }

  /** Waits until `expected` events of `step` arrived (or DELIVERY_WAIT_MS passed); their latencies. */
  async collect(step: number, expected: number): Promise<number[]> {
    const deadline = Date.now() + DELIVERY_WAIT_MS;
    while (Date.now() < deadline) {
      const answer = (await this.ask({ cmd: 'count', step })) as Extract<FromChild, { type: 'count' }>;
      if (answer.received >= expected) break;
      await sleep(20);
    }
    return ((await this.ask({ cmd: 'take', step })) as Extract<FromChild, { type: 'take' }>).latencies;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    if (this.#child.connected) this.#child.send({ cmd: 'close' } satisfies ToChild);
    const timer = setTimeout(() => this.#child.kill(), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

interface StepFigures {
  achieved: number;
  commitP50: number;
  commitP95: number;
  deliverP95: number;
  lost: number;
  /** The writer process's CPU time over the step's wall time: near 1, its one thread is the limit. */
  writerCpu: number;
  /** The writer process's CPU time per op (commit + publish), in ms: what the publish path costs it. */
  cpuPerOp: number;
  /** Backends waiting for a lock on an object (NOTIFY's commit lock is one), sampled every 20 ms. */
  lockWaiters: number;
  load: number;
}

interface Side {
  bench: BenchDeps;
  /** One writer's op: commit the progress, publish its event (resolves with the number published). */
  write: (jobId: string, progress: number, step: number) => Promise<number>;
  subscriber: SubscriberProcess | null;
}

const eventOf = (jobId: string, progress: number, step: number): EventPayload => ({ jobId, status: 'PROCESSING', progress, s: step, t: clock() });

/** What the services do (publishJobChange): commit the row, then publish through deps.publisher. */
function commitThenPublish(bench: BenchDeps, publisher: Publisher | null): Side['write'] {
  return async (jobId, progress, step) => {
    await bench.deps.db.job.update({ where: { id: jobId }, data: { progress }, select: { id: true } });
    if (!publisher) return 0;
    await publisher.publish(topics.job(jobId), eventOf(jobId, progress, step));
    return 1;
  };
}

/**
 * The reference we do not ship: NOTIFY inside the writing transaction, as the third-party
 * measurement did. Its commit then flushes WAL while holding NOTIFY's global lock; our separate
 * pg_notify commits wrote no WAL of their own, so they do not wait for a flush under it.
 */
function notifyInsideTransaction(bench: BenchDeps): Side['write'] {
  const { db } = bench.deps;
  return async (jobId, progress, step) => {
    const event = encodeEvent(topics.job(jobId), eventOf(jobId, progress, step));
    await db.$transaction([
      db.job.update({ where: { id: jobId }, data: { progress }, select: { id: true } }),
      db.$executeRaw`SELECT pg_notify(${CHANNEL}, ${event})`,
    ]);
    return 1;
  };
}

let steps = 0;

/** One step: every writer commits and publishes at rate/WRITERS per second for STEP_MS. */
async function runStep(side: Side, jobIds: string[], rate: number, sampler: pg.Client): Promise<StepFigures> {
  steps += 1;
  const step = steps;
  const interval = (WRITERS * 1000) / rate;
  const start = clock() + 5;
  const end = start + STEP_MS;
  const latencies: number[] = [];
  let completed = 0;
  let published = 0;
  const cpuBefore = process.cpuUsage();
  const waiters = sampleLockWaiters(sampler, end);
  await Promise.all(
    jobIds.map(async (jobId, writer) => {
      for (let k = 0; ; k += 1) {
        const due = start + (writer / WRITERS) * interval + k * interval;
        // A writer that fell behind starts nothing after the step: what it did not reach is not achieved.
        if (due >= end || clock() >= end) return;
        const wait = due - clock();
        if (wait > 0.5) await sleep(wait);
        const sent = await side.write(jobId, (k % 100) / 100, step);
        published += sent;
        const done = clock();
        latencies.push(done - due);
        if (done <= end) completed += 1;
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const cpuWall = clock() - start;
  const lockWaiters = await waiters;
  const delivered = side.subscriber ? await side.subscriber.collect(step, published) : [];
  return {
    achieved: completed / (STEP_MS / 1000),
    commitP50: quantile(latencies, 0.5),
    commitP95: quantile(latencies, 0.95),
    deliverP95: side.subscriber ? quantile(delivered, 0.95) : Number.NaN,
    lost: published - delivered.length,
    writerCpu: (cpu.user + cpu.system) / 1000 / cpuWall,
    cpuPerOp: (cpu.user + cpu.system) / 1000 / Math.max(latencies.length, 1),
    lockWaiters,
    load: os.loadavg()[0],
  };
}

/** The mean number of backends waiting for an object lock until `end` (the clock's time). */
async function sampleLockWaiters(client: pg.Client, end: number): Promise<number> {
  const counts: number[] = [];
  while (clock() < end) {
    const { rows } = await client.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'object'`,
    );
    counts.push(rows[0].waiting);
    await sleep(20);
  }
  return counts.reduce((sum, count) => sum + count, 0) / Math.max(counts.length, 1);
}

async function databaseSettings(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ name: string; setting: string }>(
    `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'server_version') ORDER BY name`,
  );
  // NOTIFY wakes every backend that LISTENs in the database, whatever its channel.
  const listening = await client.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`,
  );
  return `${rows.map((row) => `${row.name}=${row.setting}`).join(' ')}, ${listening.rows[0].count} backends listening`;
}

/**
 * The same three patterns from pgbench (C, unthrottled, 8 clients): what PostgreSQL itself
 * sustains on this machine when no Node process stands in front. Only when pgbench is on PATH.
 */
const PGBENCH_SCRIPTS = {
  none: 'UPDATE pubsub_bench_rows SET progress = random() WHERE id = :id;',
  postgres: `UPDATE pubsub_bench_rows SET progress = random() WHERE id = :id;\nNOTIFY;`,
  'notify-in-tx': `BEGIN;\nUPDATE pubsub_bench_rows SET progress = random() WHERE id = :id;\nNOTIFY;\nCOMMIT;`,
} as const;
const PGBENCH_SECONDS = 3;

async function pgbenchReference(report: BenchReport, client: pg.Client, databaseUrl: string): Promise<void> {
  const found = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
  if (found.status !== 0) {
    report.note('pgbench not on PATH: no PostgreSQL-only reference');
    return;
  }
  await client.query('CREATE TABLE IF NOT EXISTS pubsub_bench_rows (id int PRIMARY KEY, progress real NOT NULL DEFAULT 0)');
  await client.query('INSERT INTO pubsub_bench_rows (id) SELECT g FROM generate_series(1, 64) g ON CONFLICT DO NOTHING');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-pgbench-'));
  try {
    const event = encodeEvent(topics.job('Job_pgbench'), { jobId: 'Job_pgbench', status: 'PROCESSING', progress: 0.5, s: 0, t: 0 });
    const tps: Record<string, number[]> = {};
    const loads: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      for (const [mode, body] of Object.entries(PGBENCH_SCRIPTS)) {
        const file = path.join(dir, `${mode}.sql`);
        const notify = `SELECT pg_notify('${CHANNEL}', '${event.replaceAll("'", "''")}');`;
        await writeFile(file, `\\set id random(1, 64)\n${body.replace('NOTIFY;', notify)}\n`);
        const result = await execFileText('pgbench', [
          '-n', '-c', '8', '-j', '2', '-T', String(PGBENCH_SECONDS), '-f', file,
          databaseUrl,
        ]);
        const match = /tps = ([\d.]+)/.exec(result);
        if (!match) throw new Error(`pgbench printed no tps:\n${result}`);
        (tps[mode] ??= []).push(Number(match[1]));
        loads.push(os.loadavg()[0]);
      }
    }
    report.info('pgbench', {
      ...Object.fromEntries(Object.entries(tps).map(([mode, values]) => [mode, `${fmt(median(values))}/s`])),
      load: median(loads),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function execFileText(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout, stderr) =>
      error ? reject(new Error(`${command} failed: ${stderr || error.message}`)) : resolve(stdout + stderr),
    );
  });
}

export async function run(report: BenchReport): Promise<void> {
  const { benchPostgres } = await import('./lib/database.ts');
  const postgres = await benchPostgres();
  const databaseUrl = await postgres.createDatabase('pubsub');
  const pool = String(WRITERS);
  let redis: RedisServer | null = null;
  const sides: Partial<Record<Mode, Side>> = {};
  const sampler = new pg.Client({ connectionString: databaseUrl });
  try {
    await sampler.connect();
    redis = await startRedisServer();
    const jobIds = await createJobs(databaseUrl, WRITERS);
    const none = await createBenchDeps(databaseUrl, { ...KEY, DATABASE_POOL_SIZE: pool });
    sides.none = { bench: none, write: commitThenPublish(none, null), subscriber: null };
    for (const transport of ['postgres', 'redis'] as const) {
      const env: Record<string, string> = transport === 'redis' ? { PUBSUB: 'redis', REDIS_URL: redis.url } : { PUBSUB: 'postgres' };
      const bench = await createBenchDeps(databaseUrl, { ...KEY, ...env, DATABASE_POOL_SIZE: pool });
      const subscriber = new SubscriberProcess(transport, databaseUrl, redis.url, jobIds);
      sides[transport] = { bench, write: commitThenPublish(bench, bench.deps.publisher), subscriber };
      await subscriber.ready;
    }
    // Same channel and payloads as PUBSUB=postgres, so its LISTEN process receives these too.
    const inTx = await createBenchDeps(databaseUrl, { ...KEY, DATABASE_POOL_SIZE: pool });
    sides['notify-in-tx'] = { bench: inTx, write: notifyInsideTransaction(inTx), subscriber: sides.postgres!.subscriber };
    report.note(
      `${WRITERS} writers (one pool connection each), ${fmt(STEP_MS / 1000)} s per step, ${ROUNDS} rounds; ` +
        `PostgreSQL ${await databaseSettings(sampler)}; redis-server on a unix socket`,
    );
    // Warm-up: connections, JIT, the subscribers' first events.
    for (const mode of MODES) await runStep(sides[mode]!, jobIds, RATES[0], sampler);

    const figures = new Map<string, StepFigures[]>();
    const key = (mode: Mode, rate: number) => `${mode}@${rate}`;
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]);
      for (const rate of RATES) {
        let saturated = 0;
        for (const mode of order) {
          const result = await runStep(sides[mode]!, jobIds, rate, sampler);
          figures.set(key(mode, rate), [...(figures.get(key(mode, rate)) ?? []), result]);
          if (result.achieved < ACHIEVED_MIN * rate) saturated += 1;
        }
        // Every mode short of the offered rate: higher rates only queue longer (time bound).
        if (saturated === MODES.length) break;
      }
    }

    const sustained: Record<Mode, number> = { none: 0, postgres: 0, redis: 0, 'notify-in-tx': 0 };
    for (const mode of MODES) {
      let baseP95 = Number.NaN;
      let degradedAt: number | null = null;
      let best = 0;
      for (const rate of RATES) {
        const rounds = figures.get(key(mode, rate));
        if (!rounds) break;
        const pick = (field: keyof StepFigures) => median(rounds.map((result) => result[field]));
        const achieved = pick('achieved');
        const commitP95 = pick('commitP95');
        if (Number.isNaN(baseP95)) baseP95 = commitP95;
        const degraded = achieved < ACHIEVED_MIN * rate || commitP95 > P95_MAX_MULTIPLE * baseP95;
        if (degraded && degradedAt === null) degradedAt = rate;
        if (degradedAt === null) sustained[mode] = rate;
        best = Math.max(best, achieved);
        report.info(`${mode}@${rate}/s`, {
          achieved,
          commit_p50: `${fmt(pick('commitP50'))}ms`,
          commit_p95: `${fmt(commitP95)}ms`,
          ...(mode === 'none' ? {} : { deliver_p95: `${fmt(pick('deliverP95'))}ms`, lost: Math.max(...rounds.map((result) => result.lost)) }),
          lock_waiters: pick('lockWaiters'),
          writer_cpu: pick('writerCpu'),
          cpu_per_commit: `${fmt(pick('cpuPerOp'), 3)}ms`,
          load: pick('load'),
          ...(rounds.length < ROUNDS ? { rounds: rounds.length } : {}),
          ...(degraded ? { degraded: 'yes' } : {}),
        });
      }
      report.info(`${mode}.degrades`, {
        at: degradedAt === null ? `beyond ${RATES.at(-1)}/s` : `${degradedAt}/s`,
        sustained: `${sustained[mode]}/s`,
        best_achieved: `${fmt(best)}/s`,
      });
    }
    await pgbenchReference(report, sampler, databaseUrl);
    const [one, five] = os.loadavg();
    report.note(`load average ${fmt(one)} (1 min), ${fmt(five)} (5 min) on ${os.cpus().length} CPU(s)`);
    // A difference, not a ratio: a mode degraded already at the lowest rate sustains 0/s.
    report.absolute('sustained commits/s, redis minus postgres', sustained.redis - sustained.postgres, { min: 0, unit: '/s' });
    const versus = (metric: string, ours: Mode, base: Mode) => {
      if (sustained[ours] > 0 && sustained[base] > 0) report.ratio(metric, sustained[ours], sustained[base], { label: base, unit: '/s' });
      else report.info(metric, { [ours]: `${sustained[ours]}/s`, [base]: `${sustained[base]}/s` });
    };
    versus('sustained commits/s, postgres vs no events', 'postgres', 'none');
    versus('sustained commits/s, redis vs no events', 'redis', 'none');
    versus('sustained commits/s, NOTIFY inside the transaction vs postgres', 'notify-in-tx', 'postgres');
    const lost = [...figures.entries()].filter(([name]) => !name.startsWith('none')).flatMap(([, rounds]) => rounds.map((result) => result.lost));
    report.absolute('events lost', lost.reduce((sum, value) => sum + value, 0), { max: 0 });
  } finally {
    for (const side of new Set(Object.values(sides).map((side) => side.subscriber))) await side?.stop().catch(() => {});
    for (const side of Object.values(sides)) {
      await side.bench.close().catch(() => {});
    }
    await sampler.end().catch(() => {});
    await redis?.stop().catch(() => {});
  }
}

/** One user and one PROCESSING job per writer, so writers never wait for each other's row locks. */
async function createJobs(databaseUrl: string, count: number): Promise<string[]> {
  const { newId } = await import('../../server/ids.ts');
  const bench = await createBenchDeps(databaseUrl, KEY);
  try {
    const { benchViewer } = await import('./lib/app.ts');
    const { viewer } = await benchViewer(bench.deps);
    const ids = Array.from({ length: count }, () => newId('Job'));
    await bench.deps.db.job.createMany({
      data: ids.map((id, i) => ({ id, ownerId: viewer.user.id, provider: 'LOCAL', status: 'PROCESSING', filename: `pubsub${i}.wav` })),
    });
    return ids;
  } finally {
    await bench.close();
  }
}

// ---- child: one transport's subscriber ------------------------------------------------------------

async function subscriberChild(transport: Transport): Promise<void> {
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const subscriber: Subscriber =
    transport === 'redis'
      ? await (await import('../../server/pubsub/redisTransport.ts')).createRedisSubscriber(process.env.REDIS_URL!, logger)
      : await (await import('../../server/pubsub/pubsub.ts')).createSubscriber(process.env.DATABASE_URL!, logger);
  const jobIds = process.env.BENCH_JOB_IDS!.split(',');
  const stop = new AbortController();
  const received = new Map<number, number[]>();
  const stream = subscriber.subscribeMany(jobIds.map(topics.job), stop.signal);
  process.on('message', (message: ToChild) => {
    if (message.cmd === 'count') process.send!({ type: 'count', received: received.get(message.step)?.length ?? 0 } satisfies FromChild);
    if (message.cmd === 'take') {
      process.send!({ type: 'take', latencies: received.get(message.step) ?? [] } satisfies FromChild);
      received.delete(message.step);
    }
    if (message.cmd === 'close') {
      stop.abort();
      void subscriber.close().finally(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready' } satisfies FromChild);
  for await (const { payload } of stream) {
    const at = clock();
    const step = Number(payload.s);
    let list = received.get(step);
    if (!list) received.set(step, (list = []));
    list.push(at - Number(payload.t));
  }
}

const role = process.env[ROLE];
if (role === 'postgres' || role === 'redis') {
  subscriberChild(role).catch((error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies FromChild);
    process.exit(1);
  });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const report = new BenchReport(name);
  run(report)
    .catch((error: unknown) => report.error('run', error))
    .finally(() => void import('./lib/database.ts').then(({ stopBenchPostgres }) => stopBenchPostgres()).finally(() => process.exit(0)));
}
