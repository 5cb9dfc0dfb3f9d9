/**
 * The read path: `query { job(id) { id status progress } }` with a bearer access token against the
 * whole Parlance API (token verification, the user behind it, scope auth, Pothos + Prisma, every
 * Yoga plugin), and against a minimal graphql-yoga server reading the same row with `pg` (no auth).
 * Each server runs in a child process of its own and the load loop in a third (tests/bench/lib/httpLoad.ts:
 * keep-alive, CONCURRENCY connections); the two servers are measured in alternating rounds and each
 * figure is the median of its rounds, with the load average beside.
 *
 * Goals (issue 18): throughput at least 0.6x the minimal server's, p50 latency at most 1.5x its p50.
 * Also reported: the server's CPU time per request (user + system, robust to a busy machine) and each
 * server's RSS after the run. READPATH_CPU_PROF=<dir> writes a V8 CPU profile of
 * the Parlance server (node --cpu-prof) there; READPATH_USER_CACHE_SIZE=0 runs it without the user cache.
 *
 * `npm run bench -- readPath`, or on its own: `npx tsx tests/bench/readPath.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSchema, createYoga } from 'graphql-yoga';
import pg from 'pg';
import { runLoad, type LoadResult } from './lib/httpLoad.ts';
import { BenchReport, fmt } from './lib/report.ts';
import { median } from './lib/stats.ts';

export const name = 'readPath';
export const description = 'job(id) { id status progress } with a bearer token vs a minimal yoga + pg server';

const ROLE = 'PARLANCE_READPATH_ROLE';
const CONCURRENCY = 16;
const ROUND_MS = 3_000;
const WARMUP_MS = 2_000;
const ROUNDS = 5;
const QUERY = 'query ($id: ID!) { job(id: $id) { id status progress } }';

type Ready = { type: 'ready'; port: number; token?: string; jobId?: string };
type Rss = { type: 'rss'; rssMb: number };
type Cpu = { type: 'cpu'; micros: number };

async function cpuMicros(server: ChildProcess): Promise<number> {
  server.send({ cmd: 'cpu' });
  return (await nextMessage<Cpu>(server, 'cpu')).micros;
}

function child(role: string, env: Record<string, string>, execArgv: string[] = []): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, ...env, [ROLE]: role },
    execArgv: [...process.execArgv, ...execArgv],
  });
}

function nextMessage<T>(process: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${type}: child exited with ${code}`));
    const onMessage = (message: { type: string; message?: string }) => {
      if (message.type === 'error') reject(new Error(message.message));
      else if (message.type === type) {
        process.off('message', onMessage);
        process.off('exit', onExit);
        resolve(message as T);
      }
    };
    process.on('message', onMessage);
    process.once('exit', onExit);
  });
}

async function load(url: string, body: string, headers: Record<string, string>, durationMs: number): Promise<LoadResult> {
  const loader = child('load', {});
  loader.send({ url, body, headers, concurrency: CONCURRENCY, durationMs });
  const result = await nextMessage<{ type: 'result'; result: LoadResult }>(loader, 'result');
  loader.kill();
  return result.result;
}

async function stop(server: ChildProcess): Promise<number> {
  server.send({ cmd: 'rss' });
  const { rssMb } = await nextMessage<Rss>(server, 'rss');
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.send({ cmd: 'close' });
  await exited;
  return rssMb;
}

export async function run(report: BenchReport): Promise<void> {
  const { benchPostgres } = await import('./lib/database.ts');
  const postgres = await benchPostgres();
  const databaseUrl = await postgres.createDatabase('readpath');
  const profileDir = process.env.READPATH_CPU_PROF;
  const ours = child('parlance', { DATABASE_URL: databaseUrl }, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const bare = child('minimal', { DATABASE_URL: databaseUrl });
  try {
    const oursReady = await nextMessage<Ready>(ours, 'ready');
    const bareReady = await nextMessage<Ready>(bare, 'ready');
    const body = JSON.stringify({ query: QUERY, variables: { id: oursReady.jobId } });
    const targets = {
      ours: { url: `http://127.0.0.1:${oursReady.port}/graphql`, headers: { 'content-type': 'application/json', authorization: `Bearer ${oursReady.token}` } },
      bare: { url: `http://127.0.0.1:${bareReady.port}/graphql`, headers: { 'content-type': 'application/json' } },
    };
    for (const side of ['ours', 'bare'] as const) {
      const warm = await load(targets[side].url, body, targets[side].headers, WARMUP_MS);
      if (warm.failures > 0) throw new Error(`${side} server failed its requests: ${warm.firstFailure}`);
    }
    const results: Record<'ours' | 'bare', LoadResult[]> = { ours: [], bare: [] };
    /** Server CPU time (user + system) per answered request, in µs: what a busy machine cannot hide. */
    const cpu: Record<'ours' | 'bare', number[]> = { ours: [], bare: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const side of round % 2 === 0 ? (['ours', 'bare'] as const) : (['bare', 'ours'] as const)) {
        const server = side === 'ours' ? ours : bare;
        const cpuBefore = await cpuMicros(server);
        const result = await load(targets[side].url, body, targets[side].headers, ROUND_MS);
        const cpuPerRequest = (await cpuMicros(server)) - cpuBefore;
        if (result.failures > 0) throw new Error(`${side} server failed ${result.failures} requests: ${result.firstFailure}`);
        results[side].push(result);
        cpu[side].push(cpuPerRequest / result.requests);
      }
    }
    const [one, five] = os.loadavg();
    const pick = (side: 'ours' | 'bare', key: 'perSecond' | 'p50Ms' | 'p99Ms') => median(results[side].map((result) => result[key]));
    report.note(`${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s at concurrency ${CONCURRENCY}; load average ${fmt(one)} (1 min), ${fmt(five)} (5 min) on ${os.cpus().length} CPU(s)`);
    report.ratio('requests/s', pick('ours', 'perSecond'), pick('bare', 'perSecond'), { min: 0.6, label: 'minimal' });
    report.ratio('p50', pick('ours', 'p50Ms'), pick('bare', 'p50Ms'), { unit: ' ms', max: 1.5, label: 'minimal' });
    report.ratio('server CPU per request', median(cpu.ours), median(cpu.bare), { unit: ' µs', label: 'minimal' });
    report.ratio('p99', pick('ours', 'p99Ms'), pick('bare', 'p99Ms'), { unit: ' ms', label: 'minimal' });
  } finally {
    const oursRss = await stop(ours).catch(() => Number.NaN);
    const bareRss = await stop(bare).catch(() => Number.NaN);
    report.ratio('rss after the run', oursRss, bareRss, { unit: ' MB', label: 'minimal' });
    if (profileDir) report.note(`CPU profile of the Parlance server written to ${profileDir}`);
  }
}

// ---- children -----------------------------------------------------------------------------------

type Command = { cmd: 'rss' } | { cmd: 'cpu' } | { cmd: 'close' };

function serve(server: ReturnType<typeof createServer>, extra: Omit<Ready, 'type' | 'port'>, close: () => Promise<void>): void {
  server.listen(0, '127.0.0.1', () => {
    process.send!({ type: 'ready', port: (server.address() as AddressInfo).port, ...extra } satisfies Ready);
  });
  process.on('message', (message: Command) => {
    if (message.cmd === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ type: 'cpu', micros: user + system } satisfies Cpu);
    }
    if (message.cmd === 'rss') process.send!({ type: 'rss', rssMb: process.memoryUsage.rss() / 2 ** 20 } satisfies Rss);
    if (message.cmd === 'close') void close().finally(() => process.exit(0));
  });
}

async function parlanceServer(databaseUrl: string): Promise<void> {
  // Imported here, so the minimal server and the load loop do not load the whole server.
  const { buildApp } = await import('../../server/app.ts');
  const { newId } = await import('../../server/ids.ts');
  const { register } = await import('../../server/services/accounts.ts');
  const { createBenchDeps } = await import('./lib/app.ts');
  // READPATH_USER_CACHE_SIZE=0 measures the read path without the user cache.
  const cacheSize = process.env.READPATH_USER_CACHE_SIZE;
  const bench = await createBenchDeps(databaseUrl, cacheSize ? { USER_CACHE_SIZE: cacheSize } : {}, { subscriptions: true });
  const { deps } = bench;
  const session = await register(deps, { email: 'reader@example.com', username: 'reader', password: 'a long enough bench password' });
  const jobId = newId('Job');
  await deps.db.job.create({ data: { id: jobId, ownerId: session.user.id, provider: 'LOCAL', status: 'PROCESSING', filename: 'read.wav' } });
  const app = buildApp(deps, { jobRunnerReady: () => true });
  serve(app.server, { token: session.accessToken, jobId }, async () => {
    await new Promise((resolve) => app.server.close(resolve));
    await bench.close();
  });
}

async function minimalServer(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  const yoga = createYoga({
    schema: createSchema({
      typeDefs: 'type Query { job(id: ID!): Job } type Job { id: ID! status: String! progress: Float! }',
      resolvers: {
        Query: {
          job: async (_root: unknown, { id }: { id: string }) =>
            (await pool.query('SELECT id, status, progress FROM jobs WHERE id = $1', [id])).rows[0] ?? null,
        },
      },
    }),
    logging: false,
  });
  serve(createServer(yoga), {}, () => pool.end());
}

async function loadChild(): Promise<void> {
  process.once('message', (options: Parameters<typeof runLoad>[0]) => {
    void runLoad(options).then((result) => process.send!({ type: 'result', result }));
  });
}

const role = process.env[ROLE];
if (role) {
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const started = role === 'parlance' ? parlanceServer(databaseUrl) : role === 'minimal' ? minimalServer(databaseUrl) : loadChild();
  started.catch((error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
    process.exit(1);
  });
} else if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const report = new BenchReport(name);
  run(report)
    .catch((error: unknown) => report.error('run', error))
    .finally(() => void import('./lib/database.ts').then(({ stopBenchPostgres }) => stopBenchPostgres()).finally(() => process.exit(0)));
}
