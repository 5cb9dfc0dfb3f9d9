// GET /metrics: Prometheus text (read back with a Prometheus text parser), off unless METRICS_TOKEN
// is set (then a bearer token is required) or METRICS_PORT serves it on a listener of its own; the
// counters move with real requests, GraphQL operations, sockets and a real LOCAL job.
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat, { type PrometheusMetricFamily } from 'parse-prometheus-text-format';
import type { Histogram } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMetricsServer } from '../server/http/metricsRoute.ts';
import { collect, connectWs } from './helpers/graphqlWs.ts';
import { submitFile, waitForJob } from './helpers/jobs.ts';
import { makeSpeechFixture } from './helpers/speech.ts';
import { createTestApp, registerUser, type TestApp } from './helpers/testApp.ts';
import { waitFor } from './helpers/wait.ts';

const TOKEN = 'metrics-token-0123456789abcdef';
let t: TestApp;
let base: string;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-metrics-test-'));
  t = await createTestApp({ METRICS_TOKEN: TOKEN }, { runner: true });
  base = await t.listen();
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function scrape(url = `${base}/metrics`, token = TOKEN): Promise<PrometheusMetricFamily[]> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return parsePrometheusTextFormat(await response.text());
}

/** The value of one series, 0 when absent (a counter that never moved has no series yet). */
function value(families: PrometheusMetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const family = families.find((item) => item.name === name);
  const series = family?.metrics.find((metric) => Object.entries(labels).every(([key, wanted]) => metric.labels?.[key] === wanted));
  if (!series) return 0;
  return Number(series.value ?? series.count ?? 0);
}

/**
 * Observations of a histogram's series. The text parser reads histogram buckets without their labels,
 * so histograms are read from prom-client itself (their presence and type in the scrape are checked).
 */
async function histogramCount(histogram: Histogram<string>, labels: Record<string, string>): Promise<number> {
  const { values } = await histogram.get();
  return values
    .filter((sample) => sample.metricName?.endsWith('_count'))
    .filter((sample) => Object.entries(labels).every(([key, wanted]) => sample.labels[key] === wanted))
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('/metrics', () => {
  it('needs the bearer token, and is off (404) on a server without METRICS_TOKEN or METRICS_PORT', async () => {
    const none = await fetch(`${base}/metrics`);
    expect(none.status).toBe(401);
    expect((await none.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789abcdeX' } });
    expect(wrong.status).toBe(401);

    const off = await createTestApp();
    try {
      const offBase = await off.listen();
      const response = await fetch(`${offBase}/metrics`);
      expect(response.status).toBe(404);
    } finally {
      await off.close();
    }
  });

  it('counts HTTP requests by route and status, and GraphQL operations by root field and error code', async () => {
    const before = await scrape();
    await fetch(`${base}/health`);
    await fetch(`${base}/health`);
    await fetch(`${base}/jobs/job_00000000000000000000000000/transcript.txt`);
    const user = await registerUser(t);
    await t.gql(`{ me { id } }`, {}, { token: user.accessToken });
    const unauthenticated = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs { totalCount } }' }),
    });
    expect(unauthenticated.status).toBe(200);
    const after = await scrape();

    const moved = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(moved('parlance_http_requests_total', { route: '/health', method: 'GET', status: '200' })).toBe(2);
    expect(moved('parlance_http_requests_total', { route: '/jobs/:id/transcript', method: 'GET' })).toBe(1);
    expect(after.find((family) => family.name === 'parlance_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(await histogramCount(t.deps.metrics.httpDuration, { route: '/health', status: '200' })).toBeGreaterThanOrEqual(2);
    expect(moved('parlance_graphql_operations_total', { operation: 'me', type: 'query', code: '' })).toBe(1);
    expect(moved('parlance_graphql_operations_total', { operation: 'register', type: 'mutation', code: '' })).toBe(1);
    expect(moved('parlance_graphql_operations_total', { operation: 'jobs', type: 'query', code: 'UNAUTHENTICATED' })).toBe(1);
    // Process metrics and the database pool are there too.
    expect(value(after, 'parlance_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(value(after, 'parlance_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
  });

  it('counts open sockets and running subscriptions, and gives them back when they end', async () => {
    const user = await registerUser(t);
    const before = await scrape();
    const client = connectWs(base, user.accessToken);
    const stream = collect(client, 'subscription { myJobUpdated { id } }');
    try {
      await waitFor(
        'the subscription to count',
        async () => value(await scrape(), 'parlance_ws_subscriptions') === value(before, 'parlance_ws_subscriptions') + 1,
        60_000,
      );
      expect(value(await scrape(), 'parlance_ws_connections')).toBe(value(before, 'parlance_ws_connections') + 1);
    } finally {
      stream.unsubscribe();
      await client.dispose();
    }
    await waitFor(
      'the socket to be given back',
      async () => value(await scrape(), 'parlance_ws_connections') === value(before, 'parlance_ws_connections'),
      60_000,
    );
    expect(value(await scrape(), 'parlance_ws_subscriptions')).toBe(value(before, 'parlance_ws_subscriptions'));
  });

  it('a real LOCAL job moves the jobs gauge and the duration and real-time-factor histograms', async () => {
    const speech = await makeSpeechFixture(['metrics count what the server does'], path.join(dir, 'speech.wav'));
    const user = await registerUser(t);
    const before = await scrape();
    const submitted = await submitFile(t, user.accessToken, speech.wavPath);
    expect(submitted.errors, submitted.raw).toBeUndefined();
    const job = await waitForJob(t, user.accessToken, submitted.data!.createTranscriptionJob.id);
    expect(job.status).toBe('COMPLETED');
    const after = await scrape();
    expect(value(after, 'parlance_jobs', { status: 'COMPLETED', provider: 'LOCAL' })).toBe(
      value(before, 'parlance_jobs', { status: 'COMPLETED', provider: 'LOCAL' }) + 1,
    );
    expect(after.find((family) => family.name === 'parlance_job_duration_seconds')?.type).toBe('HISTOGRAM');
    expect(await histogramCount(t.deps.metrics.jobDuration, { provider: 'LOCAL', status: 'COMPLETED' })).toBe(1);
    expect(await histogramCount(t.deps.metrics.jobRealTimeFactor, { provider: 'LOCAL' })).toBe(1);
    expect(value(after, 'parlance_queue_depth')).toBeGreaterThanOrEqual(0);
    expect(after.some((family) => family.name === 'parlance_queue_oldest_seconds')).toBe(true);
  });

  it('METRICS_PORT serves /metrics on a listener of its own, and nothing else there', async () => {
    const server = await startMetricsServer({ ...t.deps, env: { ...t.deps.env, METRICS_TOKEN: undefined, HOST: '127.0.0.1' } }, 0);
    try {
      const port = (server.address() as AddressInfo).port;
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(response.status).toBe(200);
      expect(parsePrometheusTextFormat(await response.text()).some((family) => family.name === 'parlance_http_requests_total')).toBe(true);
      expect((await fetch(`http://127.0.0.1:${port}/graphql`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
