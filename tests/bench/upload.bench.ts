/**
 * Upload memory: peak RSS growth of a server process while it receives
 *   (a) a 1 GB resumable tus upload (POST /uploads, one streamed PATCH; three runs, the median
 *       counts), then the job made from it (createTranscriptionJob with uploadId: ffprobe + copy to
 *       storage); also 256 MB once, for the slope;
 *   (b) GraphQL multipart uploads of createTranscriptionJob with a file (100 MB three times, the
 *       median counts; 20 MB once, for the slope); and, as a reference only, 20 MB through Yoga's
 *       built-in multipart parser (requests handed straight to yoga.handle, bypassing the app's own
 *       streaming route in server/http/multipart.ts).
 * Each scenario gets a fresh server child (node --import tsx lib/uploadServer.ts, no job runner),
 * warmed up with a small request of the same kind. RSS is read from /proc/<pid>/status: VmRSS
 * before, then VmHWM (the peak, reset through /proc/<pid>/clear_refs just before the upload) and
 * VmRSS sampled every 10 ms during it. Request bodies are a WAV header plus noise generated on the
 * fly from one reused 1 MiB block, so the client holds no file in memory either. Goal: under 64 MB.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { wavHeader } from '../../server/media/wav.ts';
import { benchPostgres } from './lib/database.ts';
import { BenchReport, fmt } from './lib/report.ts';
import { now, sleep } from './lib/stats.ts';

export const name = 'upload';
export const description = 'server RSS growth during 256 MB/1 GB tus uploads and 20/100 MB GraphQL multipart uploads';

const MB = 1024 * 1024;
const GOAL_MB = 64;
const TUS_BYTES = 1024 * MB;
/** 48 kHz stereo 16-bit: 1 GB is about 93 minutes, under MAX_MEDIA_SECONDS (4 h). */
const WAV_RATE = 48_000;
const WAV_CHANNELS = 2;
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL('./lib/uploadServer.ts', import.meta.url));

export async function run(report: BenchReport): Promise<void> {
  if (process.platform !== 'linux') throw new Error('needs /proc (Linux)');
  const pg = await benchPostgres();
  report.info('setup', { server: 'child process, node --import tsx', sample_every_ms: 10, goal_growth_mb: GOAL_MB });

  // Each scenario runs in a fresh server on a fresh database; one that fails does not stop the others.
  const attempt = async (label: string, body: (server: Server) => Promise<void>, route = 'app') => {
    try {
      await scenario(await pg.createDatabase('upload'), body, route);
    } catch (error) {
      report.error(label, error);
    }
  };

  // (a) tus: the upload itself, then the job created from it. 1 GB three times (fresh servers; the peak
  // depends on when the garbage collector runs), and 256 MB once, to see whether growth follows size.
  const tus1gb: number[] = [];
  let tus256: number | undefined;
  for (const [rep, sizeMb] of [256, 1024, 1024, 1024].entries()) {
    const label = sizeMb === 1024 ? `tus_1gb_run${rep}` : `tus_${sizeMb}mb`;
    await attempt(label, async (server) => {
      await tusUpload(server, 4 * MB); // warm-up
      const bytes = sizeMb * MB;
      const { value: uploadId, memory, ms } = await measure(server, () => tusUpload(server, bytes));
      if (sizeMb === 1024) tus1gb.push(memory.growthMb);
      else tus256 = memory.growthMb;
      report.info(label, { rss_growth_mb: memory.growthMb, ...detail(memory, ms, bytes) });
      if (rep !== 1) return;
      const job = await measure(server, () => jobFromUpload(server, uploadId));
      report.absolute('tus_1gb_create_job_rss_growth_mb', job.memory.growthMb, { unit: ' MB', max: GOAL_MB });
      report.info('tus_1gb_create_job', { ...detail(job.memory, job.ms), job: job.value });
    });
  }
  if (tus1gb.length > 0) {
    const median = medianOf(tus1gb);
    report.info('tus_1gb_runs', { rss_growth_mb: tus1gb.map((mb) => mb.toFixed(1)).join(','), worst: Math.max(...tus1gb) });
    report.absolute('tus_1gb_rss_growth_mb', median, { unit: ' MB', max: GOAL_MB });
    if (tus256 !== undefined) {
      const slope = (median - tus256) / 768;
      report.info('tus_growth_per_file_mb', { slope });
      if (slope < 0.1) {
        report.note(
          'tus growth does not follow the file size: nothing is retained. The peak is garbage between collections: request\n' +
            'Buffers live outside the V8 heap and are freed only by a full GC. Seen with --trace-gc on this server during a\n' +
            '1 GB upload: a Mark-Compact ("GC in old space requested") every 100-250 ms, V8 heap flat at ~50 MB, RSS +54 MB.',
        );
      }
    }
  }

  // (b) GraphQL multipart: 100 MB three times (median counts) and 20 MB once, to see whether growth
  // follows the file size; and the 20 MB file through Yoga's built-in parser, for reference (it refuses
  // bodies over its maxRequestBodySize, 25,000,000 bytes by default, so 100 MB cannot go that way).
  const multipart100: number[] = [];
  const multipart: Record<string, number> = {};
  const multipartRuns = [
    { label: 'multipart_20mb', sizeMb: 20, route: 'app' },
    { label: 'multipart_100mb_run1', sizeMb: 100, route: 'app' },
    { label: 'multipart_100mb_run2', sizeMb: 100, route: 'app' },
    { label: 'multipart_100mb_run3', sizeMb: 100, route: 'app' },
    { label: 'yoga_builtin_multipart_20mb', sizeMb: 20, route: 'yoga-direct' },
  ] as const;
  for (const { label, sizeMb, route } of multipartRuns) {
    await attempt(
      label,
      async (server) => {
        await multipartUpload(server, 1 * MB); // warm-up: the same mutation with a 1 MB file
        const bytes = sizeMb * MB;
        const { memory, ms, value: jobId } = await measure(server, () => multipartUpload(server, bytes));
        if (sizeMb === 100) multipart100.push(memory.growthMb);
        else multipart[label] = memory.growthMb;
        report.info(label, { rss_growth_mb: memory.growthMb, ...detail(memory, ms, bytes), job: jobId });
      },
      route,
    );
  }
  if (multipart100.length > 0) {
    report.info('multipart_100mb_runs', { rss_growth_mb: multipart100.map((mb) => mb.toFixed(1)).join(','), worst: Math.max(...multipart100) });
    report.absolute('multipart_100mb_rss_growth_mb', medianOf(multipart100), { unit: ' MB', max: GOAL_MB });
  }
  const small = multipart.multipart_20mb;
  if (small !== undefined && multipart100.length > 0) {
    const perMb = (medianOf(multipart100) - small) / 80;
    report.info('multipart_growth_per_file_mb', { slope: perMb });
    report.note(
      perMb > 0.5
        ? `RSS growth rises with the file size (${fmt(perMb)} MB per MB of file): the multipart path holds the whole file in memory.`
        : `RSS growth does not follow the file size (${fmt(perMb)} MB per MB of file): the server's own multipart route\n` +
            '(server/http/multipart.ts, in front of Yoga for multipart POSTs to /graphql) streams each file part to a temporary file.',
    );
  }
  const builtin = multipart.yoga_builtin_multipart_20mb;
  if (builtin !== undefined) {
    report.absolute('yoga_builtin_multipart_20mb_rss_growth_mb', builtin, { unit: ' MB' });
    report.note(
      `Reference, same 20 MB file: Yoga's built-in parser grew RSS by ${fmt(builtin)} MB, the app's route by ${fmt(small ?? NaN)} MB.\n` +
        'Yoga parses multipart with @whatwg-node/node-fetch Body.formData(), which keeps each file part as an array of\n' +
        'Buffers until the resolver runs (so up to the file size more), but at 20 MB that hides in the collection floor\n' +
        'above; larger files cannot take that path at all (413 over 25,000,000 bytes).',
    );
  }
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

interface Server {
  base: string;
  pid: number;
  token: string;
}

/** Starts a fresh server child, registers a user, runs `body`, stops the child. */
async function scenario(databaseUrl: string, body: (server: Server) => Promise<void>, route: string): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'parlance-bench-upload-'));
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
    cwd: REPO,
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_DATA_DIR: dataDir, BENCH_MAX_UPLOAD_BYTES: String(200 * MB), BENCH_ROUTE: route },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const { port, pid } = await readyLine(child);
    if (pid !== child.pid) throw new Error(`the server reported pid ${pid}, but the child is ${child.pid}`);
    const base = `http://127.0.0.1:${port}`;
    const suffix = `${process.pid}${randomBytes(3).toString('hex')}`;
    const registered = await graphql(base, null, {
      query: 'mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }',
      variables: { input: { username: `up${suffix}`, email: `up${suffix}@example.com`, password: 'a long enough bench password' } },
    });
    const token = (registered.data as { register?: { accessToken: string } } | null)?.register?.accessToken;
    if (!token) throw new Error(`register failed: ${JSON.stringify(registered)}`);
    await body({ base, pid, token });
  } finally {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
  }
}

function readyLine(child: ChildProcess): Promise<{ port: number; pid: number }> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('the upload server did not start within 60 s')), 60_000);
    child.stdout!.on('data', (data: Buffer) => {
      buffered += data.toString();
      // Node flags such as --trace-gc also print to stdout: look for our line among the others.
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{"port":'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as { port: number; pid: number });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the upload server exited (code ${code}) before it was ready`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timeout = sleep(10_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

// ---- memory sampling ----

function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 };
}

interface Memory {
  baselineMb: number;
  peakMb: number;
  growthMb: number;
  afterMb: number;
  /** Whether VmHWM could be reset, so the peak is exact rather than sampled. */
  hwmReset: boolean;
}

async function measure<T>(server: Server, action: () => Promise<T>): Promise<{ value: T; memory: Memory; ms: number }> {
  await sleep(300); // let the warm-up's garbage settle a little
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(status(server.pid).rss);
    await sleep(20);
  }
  const baseline = Math.min(...samples);
  let hwmReset = true;
  try {
    writeFileSync(`/proc/${server.pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  } catch {
    hwmReset = false;
  }
  let sampledPeak = status(server.pid).rss;
  const timer = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, status(server.pid).rss);
    } catch {
      // the process is gone; the action will fail and say so
    }
  }, 10);
  const started = now();
  try {
    const value = await action();
    const ms = now() - started;
    const end = status(server.pid);
    const peak = Math.max(sampledPeak, hwmReset ? end.hwm : 0, end.rss);
    return {
      value,
      ms,
      memory: {
        baselineMb: baseline / MB,
        peakMb: peak / MB,
        growthMb: (peak - baseline) / MB,
        afterMb: end.rss / MB,
        hwmReset,
      },
    };
  } finally {
    clearInterval(timer);
  }
}

function detail(memory: Memory, ms: number, bytes?: number): Record<string, string | number> {
  return {
    baseline_rss_mb: memory.baselineMb,
    peak_rss_mb: memory.peakMb,
    rss_after_mb: memory.afterMb,
    peak_from: memory.hwmReset ? 'VmHWM+samples' : 'samples',
    seconds: ms / 1000,
    ...(bytes ? { mb_per_s: bytes / MB / (ms / 1000) } : {}),
  };
}

// ---- request bodies ----

const BLOCK = randomBytes(MB);

/** A WAV header for `totalBytes` of file, then noise up to that size, in 1 MiB pieces of one reused block. */
function* wavBody(totalBytes: number): Generator<Buffer> {
  const header = wavHeader(totalBytes - 44, WAV_RATE, WAV_CHANNELS);
  yield header;
  let left = totalBytes - header.length;
  while (left > 0) {
    const piece = left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
    left -= piece.length;
    yield piece;
  }
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, options: http.RequestOptions, body?: Iterable<Buffer> | Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (data: Buffer) => parts.push(data));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else Readable.from(body, { objectMode: false }).pipe(req);
  });
}

async function graphql(base: string, token: string | null, payload: unknown): Promise<{ data?: unknown; errors?: unknown }> {
  const body = Buffer.from(JSON.stringify(payload));
  const reply = await request(
    `${base}/graphql`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    },
    body,
  );
  return JSON.parse(reply.body) as { data?: unknown; errors?: unknown };
}

/** tus 1.0: create the upload, then send it all in one streamed PATCH. Returns the upload id. */
async function tusUpload(server: Server, bytes: number): Promise<string> {
  const created = await request(`${server.base}/uploads`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.token}`,
      'tus-resumable': '1.0.0',
      'upload-length': String(bytes),
      'upload-metadata': `filename ${Buffer.from('bench.wav').toString('base64')}`,
      'content-length': 0,
    },
  });
  const location = created.headers.location;
  if (created.status !== 201 || !location) throw new Error(`tus create answered ${created.status}: ${created.body}`);
  const patched = await request(
    new URL(location, server.base).toString(),
    {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${server.token}`,
        'tus-resumable': '1.0.0',
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': bytes,
      },
    },
    wavBody(bytes),
  );
  if (patched.status !== 204 || patched.headers['upload-offset'] !== String(bytes)) {
    throw new Error(`tus PATCH answered ${patched.status} at offset ${patched.headers['upload-offset']}: ${patched.body}`);
  }
  return location.split('/').pop()!;
}

async function jobFromUpload(server: Server, uploadId: string): Promise<string> {
  const result = await graphql(server.base, server.token, {
    query: 'mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id status } }',
    variables: { input: { uploadId } },
  });
  const job = (result.data as { createTranscriptionJob?: { id: string; status: string } } | null)?.createTranscriptionJob;
  if (!job) throw new Error(`createTranscriptionJob(uploadId) failed: ${JSON.stringify(result.errors ?? result)}`);
  return job.status;
}

/** createTranscriptionJob with a `bytes`-long WAV file as a streamed GraphQL multipart request. */
async function multipartUpload(server: Server, bytes: number): Promise<string> {
  const boundary = `----parlance-bench-${randomBytes(16).toString('hex')}`;
  const operations = JSON.stringify({
    query: 'mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id status } }',
    variables: { input: { file: null } },
  });
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n${JSON.stringify({ 0: ['variables.input.file'] })}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="bench.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  function* body(): Generator<Buffer> {
    yield head;
    yield* wavBody(bytes);
    yield tail;
  }
  const reply = await request(
    `${server.base}/graphql`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.token}`,
        'x-graphql-yoga-csrf': '1',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + bytes + tail.length,
      },
    },
    body(),
  );
  let parsed: { data?: { createTranscriptionJob?: { id: string; status: string } }; errors?: unknown };
  try {
    parsed = JSON.parse(reply.body) as typeof parsed;
  } catch {
    throw new Error(`multipart upload answered ${reply.status}: ${reply.body.slice(0, 300)}`);
  }
  const job = parsed.data?.createTranscriptionJob;
  if (!job) throw new Error(`multipart createTranscriptionJob failed (${reply.status}): ${JSON.stringify(parsed.errors ?? parsed).slice(0, 300)}`);
  return job.status;
}
