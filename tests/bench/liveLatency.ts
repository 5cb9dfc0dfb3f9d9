/**
 * Live latency: a LOCAL live session fed a minute of flite speech in 100 ms chunks at real-time
 * speed (appendLiveAudio over graphql-ws, pipelined like a recorder: no waiting for answers), with
 * transcriptChunks(sessionId:) on the same socket. For each interim chunk: from the moment the last
 * chunk of the audio it covers (up to its `end`) was sent, to its arrival. Goal: p95 <= 700 ms.
 * Also printed: finals' delay after the end of their audio, and the append round trip.
 *
 * `npm run bench -- liveLatency`, or on its own: `npx tsx tests/bench/liveLatency.ts`.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildApp } from '../../server/app.ts';
import { parseWav } from '../../server/providers/local/wav.ts';
import { register } from '../../server/services/accounts.ts';
import { createBenchDeps } from './lib/app.ts';
import { benchPostgres, stopBenchPostgres } from './lib/database.ts';
import { speechWav } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { now, quantile, sleep } from './lib/stats.ts';

export const name = 'liveLatency';
export const description = 'LOCAL live session at real-time speed: audio in to interim chunk out over graphql-ws';

const SECONDS = 60;
const CHUNK_MS = 100;
const CHUNK_BYTES = (16_000 * 2 * CHUNK_MS) / 1000;

interface Received {
  isFinal: boolean;
  segment: { index: number; start: number; end: number; text: string };
  at: number;
}

export async function run(report: BenchReport): Promise<void> {
  const pg = await benchPostgres();
  const databaseUrl = await pg.createDatabase('live_latency');
  const bench = await createBenchDeps(databaseUrl, {}, { subscriptions: true });
  const { deps } = bench;
  const availability = await deps.providers.LOCAL.availability();
  if (!availability.ok) throw new Error(`the LOCAL engine is not available here: ${availability.reason}`);
  const app = buildApp(deps, { jobRunnerReady: () => true });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  const pcm = parseWav(await readFile(await speechWav(SECONDS))).data;
  const session = await register(deps, { email: `live${process.pid}@example.com`, username: `live${process.pid}`, password: 'a long enough bench password' });
  const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${session.accessToken}` }, retryAttempts: 0 });
  const request = <T>(query: string, variables: Record<string, unknown>) =>
    new Promise<T>((resolve, reject) => {
      let data: T | null = null;
      client.subscribe<T>({ query, variables }, {
        next: (result) => {
          if (result.errors) reject(new Error(JSON.stringify(result.errors)));
          else data = result.data as T;
        },
        error: reject,
        complete: () => resolve(data as T),
      });
    });
  try {
    const started = await request<{ startLiveSession: { id: string } }>(
      `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`,
      { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000 } },
    );
    const id = started.startLiveSession.id;
    const received: Received[] = [];
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    client.subscribe<{ transcriptChunks: Omit<Received, 'at'> }>(
      { query: `subscription ($id: ID) { transcriptChunks(sessionId: $id) { isFinal segment { index start end text } } }`, variables: { id } },
      {
        next: (result) => {
          if (result.data) received.push({ ...result.data.transcriptChunks, at: now() });
        },
        error: () => finished(),
        complete: () => finished(),
      },
    );
    await sleep(300);

    const chunks = Math.ceil(pcm.length / CHUNK_BYTES);
    const sentAt: number[] = [];
    const roundTrips: number[] = [];
    const answers: Promise<void>[] = [];
    const t0 = now();
    for (let seq = 0; seq < chunks; seq++) {
      const wait = t0 + seq * CHUNK_MS - now();
      if (wait > 0) await sleep(wait);
      const sent = now();
      sentAt.push(sent);
      const chunk = pcm.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES).toString('base64');
      answers.push(
        request(`mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`, { id, seq, chunk }).then(
          () => void roundTrips.push(now() - sent),
        ),
      );
    }
    await Promise.all(answers);
    await request(`mutation ($id: ID!) { endLiveSession(id: $id) { id } }`, { id });
    await Promise.race([done, sleep(10_000)]);

    /** When the audio up to `seconds` had been sent in full. */
    const audioSentAt = (seconds: number) => sentAt[Math.min(sentAt.length - 1, Math.max(0, Math.ceil(seconds * (1000 / CHUNK_MS) - 1e-6) - 1))];
    const interims = received.filter((chunk) => !chunk.isFinal);
    const finals = received.filter((chunk) => chunk.isFinal);
    const interimLatency = interims.map((chunk) => chunk.at - audioSentAt(chunk.segment.end));
    const finalLatency = finals.map((chunk) => chunk.at - audioSentAt(chunk.segment.end));
    report.info('setup', { audio_s: pcm.length / 32_000, chunk_ms: CHUNK_MS, chunks, interims: interims.length, finals: finals.length });
    report.absolute('interim_latency_p95', quantile(interimLatency, 0.95), { unit: ' ms', max: 700 });
    report.info('interim_latency', {
      p50_ms: quantile(interimLatency, 0.5),
      p95_ms: quantile(interimLatency, 0.95),
      max_ms: Math.max(...interimLatency),
    });
    report.info('final_after_audio_end', {
      p50_ms: quantile(finalLatency, 0.5),
      p95_ms: quantile(finalLatency, 0.95),
      note: 'includes the ~0.5 s of silence the decoder waits for',
    });
    report.info('append_round_trip', { p50_ms: quantile(roundTrips, 0.5), p95_ms: quantile(roundTrips, 0.95), max_ms: Math.max(...roundTrips) });
  } finally {
    await client.dispose();
    await app.close();
    await bench.close();
  }
}

/** Runs the benchmark on its own and prints its lines. */
export default async function liveLatency(): Promise<void> {
  console.log(`\n== ${name}: ${description}`);
  const report = new BenchReport(name);
  try {
    await run(report);
  } catch (error) {
    report.error('run', error);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  liveLatency()
    .finally(() => stopBenchPostgres())
    .then(() => process.exit(0));
}
