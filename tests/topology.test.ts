// The scale-out topology (README, "Running on several machines"), built from the real parts: Debian's
// nginx running deploy/nginx.conf in front of two compiled API processes (`--api-only`), two worker
// processes, one PostgreSQL, S3 storage and, in one variant, Redis pub/sub. Everything the test does
// goes through nginx, which routes round robin with no stickiness. It proves:
//   1. a tus upload's PATCHes land on both API processes (nginx's access log names the upstream) and
//      become a job;
//   2. a graphql-ws subscriber on the API process other than the one that created the job receives
//      its progress and transcript (PUBSUB=postgres and PUBSUB=redis);
//   3. a live session continues after the API process it used is SIGKILLed: the client reconnects
//      through nginx, asks nextSeq and resumes; no audio or segment is lost or doubled;
//   4. a worker SIGKILLed mid-job leaves the job to the other worker, which completes it with a
//      contiguous transcript.
// S3 is tests/fakes/s3Server.ts: s3rver 3.7.1 answers ListParts, ListMultipartUploads and
// AbortMultipartUpload (which @tus/s3-store needs to resume an upload on another process) with 405/501.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseWav } from '../server/providers/local/wav.ts';
import { fakeS3StorageEnv, startFakeS3, type FakeS3Server } from './fakes/s3Server.ts';
import { collect, requestOverWs as request } from './helpers/graphqlWs.ts';
import { startRedisServer, type RedisServer } from './helpers/redisServer.ts';
import { makeSpeechFixture, makeTempDir, wordErrorRate, type SpeechFixture } from './helpers/speech.ts';
import { createTestDatabase } from './helpers/testApp.ts';
import {
  buildServer,
  freePort,
  metric,
  startApi,
  startNginx,
  startWorker,
  stopAll,
  tempDir,
  type ApiProc,
  type NginxProc,
  type Proc,
} from './helpers/topology.ts';
import { waitFor } from './helpers/wait.ts';

const BUCKET = 'parlance-topology';
const ENCRYPTION_KEY = randomBytes(32).toString('base64');
const METRICS_TOKEN = `topology-${randomBytes(12).toString('hex')}`;

let s3: FakeS3Server;
let cleanupSpeech: () => Promise<void>;
let jobSpeech: SpeechFixture;
let liveSpeech: SpeechFixture;
let longSpeech: SpeechFixture;
/** Stopped in afterAll even when a cluster failed to start. */
const redisServers: RedisServer[] = [];

beforeAll(async () => {
  const temp = await makeTempDir('parlance-topology-speech-');
  cleanupSpeech = temp.cleanup;
  [jobSpeech, liveSpeech, longSpeech] = await Promise.all([
    makeSpeechFixture(['the weather is nice today', 'please call me tomorrow morning', 'we need more time to finish the project'], path.join(temp.dir, 'job.wav'), { voice: 'rms' }),
    makeSpeechFixture(['the train leaves the station at noon', 'my brother bought a new car last week', 'she reads a book every evening'], path.join(temp.dir, 'live.wav'), { voice: 'rms' }),
    makeSpeechFixture(
      [
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
      ],
      path.join(temp.dir, 'long.wav'),
      { voice: 'rms' },
    ),
    buildServer(),
  ]);
  s3 = await startFakeS3({ buckets: [BUCKET] });
}, 180_000);

afterAll(async () => {
  await stopAll();
  await Promise.all(redisServers.map((redis) => redis.stop()));
  await s3?.close();
  await cleanupSpeech?.();
});

// ---- the cluster ---------------------------------------------------------------------------------

interface WorkerProc extends Proc {
  metricsUrl: string;
}

interface Cluster {
  base: string;
  nginx: NginxProc;
  apis: ApiProc[];
  workers: WorkerProc[];
  db: pg.Pool;
  stop: () => Promise<void>;
}

async function startCluster(pubsub: 'postgres' | 'redis'): Promise<Cluster> {
  const databaseUrl = await createTestDatabase();
  let redis: RedisServer | null = null;
  if (pubsub === 'redis') redisServers.push((redis = await startRedisServer()));
  const nginxPort = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    // The address clients use: tokens' issuer and signed links are the same on every process.
    PUBLIC_URL: `http://127.0.0.1:${nginxPort}`,
    TRUST_PROXY: 'true',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    ENCRYPTION_KEY,
    ...fakeS3StorageEnv(s3, BUCKET),
    PUBSUB: pubsub,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    METRICS_TOKEN,
    RUNNER_STALE_SECONDS: '4',
    CHUNK_SECONDS: '6',
    WORKER_CONCURRENCY: '1',
    LOCAL_DECODERS: '1',
    LIVE_MAX_SPEED: '100000',
    LIVE_BURST_SECONDS: '100000',
    LIVE_AUDIO_CHUNKS_PER_SECOND: '10000',
  };
  // The first process records the installation (key canary, storage sentinel); the others check it.
  const first = await startApi(`${pubsub}-api-1`, env);
  const workerPorts = [await freePort(), await freePort()];
  const startOneWorker = async (index: number): Promise<WorkerProc> => {
    const worker = await startWorker(`${pubsub}-worker-${index + 1}`, {
      ...env,
      METRICS_PORT: String(workerPorts[index]),
      TMPDIR: await tempDir(`parlance-topology-worker-tmp-`),
    });
    return Object.assign(worker, { metricsUrl: `http://127.0.0.1:${workerPorts[index]}/metrics` });
  };
  const [second, ...workers] = await Promise.all([startApi(`${pubsub}-api-2`, env), startOneWorker(0), startOneWorker(1)]);
  const apis = [first, second];
  const nginx = await startNginx(nginxPort, apis.map((api) => api.address));
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  return {
    base: nginx.base,
    nginx,
    apis,
    workers,
    db,
    stop: async () => {
      await Promise.all([nginx, ...apis, ...workers].map((proc) => proc.kill('SIGKILL')));
      await db.end();
    },
  };
}

/** The last lines of every process's output, for a failure message. */
function logsOf(c: Cluster): string {
  return [...c.apis, ...c.workers].map((proc) => `--- ${proc.name}:\n${proc.output().slice(-2500)}`).join('\n');
}

// ---- GraphQL through nginx -------------------------------------------------------------------------

interface Result<T = any> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function gql<T = any>(c: Cluster, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<Result<T>> {
  const response = await fetch(`${c.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Result<T>;
}

async function register(c: Cluster): Promise<string> {
  const name = `topo${randomBytes(4).toString('hex')}`;
  const result = await gql(c, `mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }`, {
    input: { username: name, email: `${name}@example.com`, password: 'a long enough password' },
  });
  if (!result.data?.register) throw new Error(`register failed: ${JSON.stringify(result.errors)}`);
  return result.data.register.accessToken;
}

interface Socket {
  client: Client;
  /** The API process nginx connected it to. */
  api: ApiProc;
}

const apiMetric = (api: ApiProc, name: string) => metric(`http://127.0.0.1:${api.port}/metrics`, METRICS_TOKEN, name);

/**
 * A graphql-ws socket through nginx, and the API process it reached (the one whose count of open
 * sockets went up; the test opens one at a time). With `not`, sockets that reach that process are
 * closed and another is opened (round robin sends the next one to the other process).
 */
async function openSocket(c: Cluster, token: string, not?: ApiProc): Promise<Socket> {
  const live = c.apis.filter((api) => !api.exited());
  for (let attempt = 0; attempt < 6; attempt += 1) {
    const before = await Promise.all(live.map((api) => apiMetric(api, 'parlance_ws_connections')));
    const client = await acknowledgedClient(c, token);
    const index = await waitFor('the socket to be counted by an API process', async () => {
      const now = await Promise.all(live.map((api) => apiMetric(api, 'parlance_ws_connections')));
      const grown = now.findIndex((count, i) => count > before[i]);
      return grown >= 0 ? grown + 1 : null;
    }, 30_000);
    const api = live[index - 1];
    if (api !== not) return { client, api };
    await client.dispose();
    await waitFor('the refused socket to close', async () => (await apiMetric(api, 'parlance_ws_connections')) === before[index - 1], 30_000);
  }
  throw new Error(`six sockets through nginx all reached ${not?.name}`);
}

/**
 * A graphql-ws client through nginx once its connection is acknowledged. A handshake that fails (a
 * 502 while nginx is still learning that a process went away) is retried until a deadline, as
 * graphql-ws clients do with `retryAttempts`; every refusal is printed, and the nginx error log and
 * the processes' output go into the error when the deadline passes.
 */
async function acknowledgedClient(c: Cluster, token: string): Promise<Client> {
  const refusals: string[] = [];
  try {
    return await waitFor('a graphql-ws connection through nginx to be acknowledged', async () => {
      const client = createClient({
        url: `${c.base.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => {},
      });
      let failure: unknown = null;
      const closed = await new Promise<{ code: number; reason: string } | null>((resolve) => {
        client.on('connected', () => resolve(null));
        client.on('error', (error) => (failure = error));
        client.on('closed', (event) => resolve(event as { code: number; reason: string }));
      });
      if (!closed) return client;
      refusals.push(`code ${closed.code} ${closed.reason}: ${String((failure as Error | null)?.message ?? failure)}`);
      console.info(`topology: a socket through nginx was refused before acknowledgement (${refusals.at(-1)})`);
      await client.dispose();
      return null;
    }, 60_000, 250);
  } catch (error) {
    throw new Error(`${String(error)}; refusals:\n${refusals.join('\n')}\nnginx error log:\n${(await c.nginx.errorLog()).slice(-3000)}\n${logsOf(c)}`);
  }
}

const tusHeaders = (token: string, extra: Record<string, string> = {}) => ({ 'tus-resumable': '1.0.0', authorization: `Bearer ${token}`, ...extra });

/** A resumable upload through nginx in `pieces` PATCHes; returns the upload id. */
async function tusUpload(c: Cluster, token: string, media: Buffer, pieces: number): Promise<string> {
  const created = await fetch(`${c.base}/uploads`, {
    method: 'POST',
    headers: tusHeaders(token, { 'upload-length': String(media.length), 'upload-metadata': `filename ${Buffer.from('speech.wav').toString('base64')}` }),
  });
  expect(created.status, await created.text()).toBe(201);
  const location = created.headers.get('location')!;
  const size = Math.ceil(media.length / pieces);
  for (let offset = 0; offset < media.length; offset += size) {
    const response = await fetch(new URL(location, c.base), {
      method: 'PATCH',
      headers: tusHeaders(token, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }),
      body: new Uint8Array(media.subarray(offset, offset + size)),
    });
    expect(response.status, await response.text()).toBe(204);
  }
  return location.split('/').pop()!;
}

interface SegmentRow {
  idx: number;
  chunk_index: number;
  start_seconds: number;
  end_seconds: number;
  text: string;
  xmin: string;
}

async function segmentRows(c: Cluster, jobId: string): Promise<SegmentRow[]> {
  const { rows } = await c.db.query<SegmentRow>(
    `SELECT idx, chunk_index, start_seconds, end_seconds, text, xmin::text AS xmin FROM transcript_segments WHERE job_id = $1 ORDER BY idx`,
    [jobId],
  );
  return rows;
}

async function jobRow(c: Cluster, jobId: string) {
  const { rows } = await c.db.query<{ status: string; chunks_done: number; chunks_total: number | null; attempts: number; error: string | null }>(
    `SELECT status::text, chunks_done, chunks_total, attempts, error FROM jobs WHERE id = $1`,
    [jobId],
  );
  return rows[0];
}

// ---- the checks, run in each variant ------------------------------------------------------------------

const JOB_UPDATED = `subscription ($id: ID!) { jobUpdated(id: $id) { id status progress } }`;
const JOB_CHUNKS = `subscription ($id: ID) { transcriptChunks(jobId: $id) { jobId isFinal segment { index text } } }`;

/** Items 1 and 2: an upload over both API processes, and its job followed from the other API process. */
async function uploadAndFollowFromTheOtherApi(c: Cluster): Promise<void> {
  const token = await register(c);
  const media = await readFile(jobSpeech.wavPath);
  const pieces = 4;
  const uploadId = await tusUpload(c, token, media, pieces);
  const patches = await waitFor('nginx to log the PATCHes', async () => {
    const lines = (await c.nginx.accessLog()).filter((line) => line.startsWith(`PATCH /uploads/${uploadId} 204 `));
    return lines.length === pieces && lines;
  }, 30_000);
  const upstreams = new Set(patches.map((line) => /upstream=(\S+)$/.exec(line)![1]));
  expect([...upstreams].sort(), patches.join('\n')).toEqual(c.apis.map((api) => api.address).sort());

  // The job is created on one API process; its events are watched on the other.
  const creator = await openSocket(c, token);
  const watcher = await openSocket(c, token, creator.api);
  expect(watcher.api).not.toBe(creator.api);
  const mine = collect<{ data: { myJobUpdated: { id: string; status: string } } }>(watcher.client, `subscription { myJobUpdated { id status } }`);
  await waitFor('the watcher subscription', async () => (await apiMetric(watcher.api, 'parlance_ws_subscriptions')) >= 1, 30_000);
  const created = await request(creator.client, `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id status filename } }`, {
    input: { uploadId, provider: 'LOCAL' },
  });
  expect(created.errors).toBeUndefined();
  const jobId: string = created.data.createTranscriptionJob.id;
  expect(created.data.createTranscriptionJob.filename).toBe('speech.wav');
  const updates = collect<{ data: { jobUpdated: { status: string; progress: number } } }>(watcher.client, JOB_UPDATED, { id: jobId });
  const chunks = collect<{ data: { transcriptChunks: { isFinal: boolean; segment: { index: number; text: string } } } }>(watcher.client, JOB_CHUNKS, { id: jobId });

  const ended = await Promise.race([
    updates.done,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`jobUpdated did not end\n${logsOf(c)}`)), 150_000)),
  ]);
  expect(ended.error).toBeUndefined();
  const states = ended.events.map((event) => event.data.jobUpdated);
  expect(states.at(-1), logsOf(c)).toMatchObject({ status: 'COMPLETED', progress: 1 });
  expect(states.some((state) => state.status === 'PROCESSING')).toBe(true);
  const progress = states.map((state) => state.progress);
  expect(progress).toEqual([...progress].sort((a, b) => a - b));
  expect(new Set(progress).size).toBeGreaterThan(2); // progress moved while it ran, seen from the other process

  const chunkEnd = await chunks.done;
  expect(chunkEnd.error).toBeUndefined();
  const finals = chunkEnd.events.map((event) => event.data.transcriptChunks).filter((chunk) => chunk.isFinal);
  const stored = await segmentRows(c, jobId);
  expect(stored.length).toBeGreaterThan(0);
  expect(finals.map((chunk) => [chunk.segment.index, chunk.segment.text])).toEqual(stored.map((row) => [row.idx, row.text]));
  const wer = wordErrorRate(jobSpeech.text, stored.map((row) => row.text).join(' '));
  expect(wer).toBeLessThanOrEqual(0.25);
  await waitFor('myJobUpdated to see the job complete', async () => mine.events.some((event) => event.data.myJobUpdated.id === jobId && event.data.myJobUpdated.status === 'COMPLETED'), 30_000);
  // The job's media is in the bucket every process shares.
  expect(s3.objects(BUCKET).get(`jobs/${jobId}/source`)?.body.equals(media)).toBe(true);

  mine.unsubscribe();
  await Promise.all([creator.client.dispose(), watcher.client.dispose()]);
  // nginx logs each WebSocket when it closes, with the process it was proxied to.
  const sockets = await waitFor('nginx to log both sockets', async () => {
    const lines = (await c.nginx.accessLog()).filter((line) => line.startsWith('GET /graphql 101 '));
    return lines.length >= 2 && lines;
  }, 30_000);
  expect(new Set(sockets.map((line) => /upstream=(\S+)$/.exec(line)![1]))).toEqual(new Set([creator.api.address, watcher.api.address]));
  console.info(
    `topology upload: PATCHes on ${[...upstreams].join(' and ')}; job created on ${creator.api.name}, followed on ${watcher.api.name}: ` +
      `${states.length} jobUpdated events, ${finals.length} final chunks, WER ${wer.toFixed(3)}; load ${os.loadavg()[0].toFixed(1)}`,
  );
}

// ---- the variants ---------------------------------------------------------------------------------

/** A cluster started before the enclosing describe block's tests and stopped after them. */
function clusterOfThisBlock(pubsub: 'postgres' | 'redis'): () => Cluster {
  let c: Cluster | undefined;
  beforeAll(async () => {
    c = await startCluster(pubsub);
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });
  return () => c!;
}

function itUploadsAndFollowsFromTheOtherApi(cluster: () => Cluster): void {
  it('a tus upload spreads over both API processes; its job is followed from the other API process', async () => {
    await uploadAndFollowFromTheOtherApi(cluster());
  }, 240_000);
}

describe('topology with PUBSUB=postgres', () => {
  const cluster = clusterOfThisBlock('postgres');
  itUploadsAndFollowsFromTheOtherApi(cluster);

  it('a live session continues on the other API process after the one it used is SIGKILLed', async () => {
    const c = cluster();
    const token = await register(c);
    const pcm = parseWav(await readFile(liveSpeech.wavPath)).data;
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < pcm.length; offset += 3200) pieces.push(pcm.subarray(offset, offset + 3200)); // 100 ms each

    const first = await openSocket(c, token);
    const started = await request(first.client, `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id status nextSeq } }`, {
      input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 },
    });
    expect(started.errors).toBeUndefined();
    const id: string = started.data.startLiveSession.id;
    const firstChunks = collect<{ data: { transcriptChunks: { isFinal: boolean; segment: { index: number; text: string } } } }>(
      first.client,
      `subscription ($id: ID) { transcriptChunks(sessionId: $id) { isFinal segment { index text } } }`,
      { id },
    );

    // Up to the middle of the second sentence, then the first final is awaited.
    const cut = Math.round(((liveSpeech.sentences[1].start + liveSpeech.sentences[1].end) / 2) * 10);
    await stream(first.client, id, pieces.slice(0, cut), 0);
    await waitFor('the first final', async () => firstChunks.events.some((event) => event.data?.transcriptChunks.isFinal), 90_000);

    // More audio goes out; after a few acknowledgements the process under the socket is SIGKILLed with
    // appends still in flight.
    let acknowledged = 0;
    let killing: Promise<void> | null = null;
    const interrupted = await stream(first.client, id, pieces.slice(cut), cut, () => {
      acknowledged += 1;
      if (acknowledged === 5) killing = first.api.kill('SIGKILL');
    }).then(
      () => null,
      (error: unknown) => error,
    );
    await killing;
    expect(first.api.child.signalCode).toBe('SIGKILL');
    expect(interrupted, 'the stream ended before the kill').toBeInstanceOf(Error);
    await first.client.dispose();

    // The client reconnects through nginx (which skips the dead process), asks where to resume, resumes.
    const survivor = c.apis.find((api) => api !== first.api)!;
    const second = await openSocket(c, token);
    expect(second.api).toBe(survivor);
    const resumed = await request(second.client, `query ($id: ID!) { liveSession(id: $id) { status nextSeq } }`, { id });
    expect(resumed.data?.liveSession.status).toBe('ACTIVE');
    const nextSeq: number = resumed.data!.liveSession.nextSeq;
    expect(nextSeq).toBeGreaterThanOrEqual(cut + 5);
    expect(nextSeq).toBeLessThan(pieces.length);
    const secondChunks = collect<{ data: { transcriptChunks: { isFinal: boolean } } }>(
      second.client,
      `subscription ($id: ID) { transcriptChunks(sessionId: $id) { isFinal } }`,
      { id },
    );
    await stream(second.client, id, pieces.slice(nextSeq), nextSeq);
    const ended = await request(second.client, `mutation ($id: ID!) { endLiveSession(id: $id) { status receivedSeconds } }`, { id });
    expect(ended.errors).toBeUndefined();
    expect(ended.data.endLiveSession.receivedSeconds).toBeCloseTo(liveSpeech.durationSeconds, 2);
    expect((await secondChunks.done).error).toBeUndefined();
    expect(secondChunks.events.some((event) => event.data.transcriptChunks.isFinal)).toBe(true);

    // Aggregated by a worker: the stored audio is exactly what was sent, once; the segments are
    // contiguous, in order and never overlap (audio transcribed twice would).
    const ready = await waitFor('the session to be aggregated', async () => {
      const result = await gql(c, `query ($id: ID!) { liveSession(id: $id) { status error nextSeq source: audioUrl(kind: SOURCE) segments { index start end text } } }`, { id }, token);
      const session = result.data?.liveSession;
      return session && ['READY', 'FAILED'].includes(session.status) && session;
    }, 120_000, 250);
    expect(ready, logsOf(c)).toMatchObject({ status: 'READY', error: null, nextSeq: pieces.length });
    const source = await fetch(ready.source, { headers: { authorization: `Bearer ${token}` } });
    expect(source.status).toBe(200);
    expect(parseWav(Buffer.from(await source.arrayBuffer())).data.equals(pcm)).toBe(true);
    const segments: { index: number; start: number; end: number; text: string }[] = ready.segments;
    expect(segments.map((segment) => segment.index)).toEqual(segments.map((_, i) => i));
    for (let i = 1; i < segments.length; i += 1) expect(segments[i].start).toBeGreaterThanOrEqual(segments[i - 1].end - 0.01);
    const text = segments.map((segment) => segment.text).join(' ');
    const wer = wordErrorRate(liveSpeech.text, text);
    expect(wer, text).toBeLessThanOrEqual(0.25);
    await second.client.dispose();
    console.info(
      `topology live: ${pieces.length} chunks of 100 ms; ${first.api.name} SIGKILLed mid-stream (chunks up to ${cut - 1} sent and 5 more acknowledged), ` +
        `${second.api.name} resumed at nextSeq ${nextSeq}; ${segments.length} segments, WER ${wer.toFixed(3)}: "${text}"; load ${os.loadavg()[0].toFixed(1)}`,
    );
  }, 240_000);
});

describe('topology with PUBSUB=redis', () => {
  const cluster = clusterOfThisBlock('redis');
  itUploadsAndFollowsFromTheOtherApi(cluster);

  it('a worker SIGKILLed mid-job leaves the job to the other worker, which completes it', async () => {
    const c = cluster();
    const token = await register(c);
    const form = new FormData();
    form.set('operations', JSON.stringify({
      query: `mutation ($input: CreateTranscriptionJobInput!) { createTranscriptionJob(input: $input) { id } }`,
      variables: { input: { provider: 'LOCAL', file: null } },
    }));
    form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.set('0', new Blob([new Uint8Array(await readFile(longSpeech.wavPath))]), 'long.wav');
    const response = await fetch(`${c.base}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1' }, body: form });
    const body = (await response.json()) as Result;
    expect(body.errors).toBeUndefined();
    const jobId: string = body.data!.createTranscriptionJob.id;

    // Mid-job: two chunks stored, more to come; the worker whose decoder is busy holds it.
    const atKill = await waitFor('two chunks stored', async () => {
      const job = await jobRow(c, jobId);
      return job.status === 'PROCESSING' && job.chunks_done >= 2 && job;
    }, 120_000, 50);
    const holder = await waitFor('the worker holding the job', async () => {
      const busy = await Promise.all(c.workers.map((worker) => metric(worker.metricsUrl, METRICS_TOKEN, 'parlance_local_decoders', { state: 'busy' })));
      return busy.filter((count) => count > 0).length === 1 && c.workers[busy.findIndex((count) => count > 0)];
    }, 60_000, 20);
    await holder.kill('SIGKILL');
    const killedAt = Date.now();
    const killed = await jobRow(c, jobId);
    expect(killed.status).toBe('PROCESSING');
    expect(killed.chunks_total! - killed.chunks_done, 'the kill came too late to be mid-job').toBeGreaterThanOrEqual(2);
    expect(killed.attempts).toBe(1);
    const before = (await segmentRows(c, jobId)).filter((row) => row.chunk_index < killed.chunks_done);
    expect(before.length).toBeGreaterThan(0);
    expect(atKill.chunks_done).toBeGreaterThanOrEqual(2);

    const other = c.workers.find((worker) => worker !== holder)!;
    const done = await waitFor('the other worker to complete the job', async () => {
      const job = await jobRow(c, jobId);
      return ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) && job;
    }, 240_000, 200).catch((error: Error) => {
      throw new Error(`${error.message}\n${logsOf(c)}`);
    });
    const completedAt = Date.now();
    expect(done, logsOf(c)).toMatchObject({ status: 'COMPLETED', attempts: 2, error: null });
    expect(done.chunks_done).toBe(done.chunks_total);
    expect(other.output()).toMatch(/unlocked jobs of job runners/);

    const rows = await segmentRows(c, jobId);
    expect(rows.map((row) => row.idx)).toEqual(rows.map((_, i) => i));
    for (let i = 1; i < rows.length; i += 1) {
      expect(rows[i].chunk_index).toBeGreaterThanOrEqual(rows[i - 1].chunk_index);
      expect(rows[i].start_seconds).toBeGreaterThanOrEqual(rows[i - 1].end_seconds - 0.01);
    }
    // What the killed worker stored stays as it was (same row versions); the other worker added the rest.
    const after = new Map(rows.map((row) => [row.idx, row]));
    for (const row of before) expect(after.get(row.idx)).toMatchObject({ chunk_index: row.chunk_index, xmin: row.xmin, text: row.text });
    expect(rows.some((row) => row.chunk_index >= killed.chunks_done)).toBe(true);
    const text = rows.map((row) => row.text).join(' ');
    const wer = wordErrorRate(longSpeech.text, text);
    expect(wer, text).toBeLessThanOrEqual(0.25);
    console.info(
      `topology worker crash: ${longSpeech.durationSeconds.toFixed(1)} s audio in ${done.chunks_total} chunks; ${holder.name} SIGKILLed after ` +
        `${killed.chunks_done} chunks, ${other.name} completed it ${((completedAt - killedAt) / 1000).toFixed(1)} s later; ` +
        `${rows.length} segments, WER ${wer.toFixed(3)}; load ${os.loadavg()[0].toFixed(1)}`,
    );

    // Nothing stuck: no graphile-worker job left for it, no transcription job waiting or running.
    // (the task's row update comes first; graphile-worker then deletes its job)
    await waitFor('the queue to let go of the job', async () => {
      const { rows: queued } = await c.db.query<{ task: string; attempts: number; locked_by: string | null }>(
        `SELECT t.identifier AS task, j.attempts, j.locked_by FROM graphile_worker._private_jobs j
         JOIN graphile_worker._private_tasks t ON t.id = j.task_id WHERE j.payload->>'jobId' = $1`,
        [jobId],
      );
      if (queued.some((row) => row.locked_by === null)) throw new Error(`left in the queue: ${JSON.stringify(queued)}`);
      return queued.length === 0;
    }, 30_000);
    const { rows: open } = await c.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE status IN ('QUEUED', 'PROCESSING')`);
    expect(open[0].n).toBe(0);
  }, 300_000);
});

/**
 * Sends `chunks` from `firstSeq` on, at most 8 unanswered at once (paced by acknowledgements, never
 * the clock); `onAck` is told of each. Rejects on the first append that fails.
 */
async function stream(client: Client, id: string, chunks: Buffer[], firstSeq: number, onAck: () => void = () => {}): Promise<void> {
  const answers: Promise<void>[] = [];
  for (const [i, chunk] of chunks.entries()) {
    if (i >= 8) await answers[i - 8];
    const answer = request<{ appendLiveAudio: boolean }>(client, `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`, {
      id,
      seq: firstSeq + i,
      chunk: chunk.toString('base64'),
    }).then((result) => {
      if (result.data?.appendLiveAudio !== true) throw new Error(`append ${firstSeq + i} failed: ${JSON.stringify(result.errors)}`);
      onAck();
    });
    answer.catch(() => {}); // the first failure is reported; the others in flight fail with it
    answers.push(answer);
  }
  await Promise.all(answers);
}
