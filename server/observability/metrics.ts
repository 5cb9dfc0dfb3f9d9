/**
 * Prometheus metrics of one process (prom-client, its own registry per process's deps). Counters and
 * histograms are observed where things happen (HTTP, GraphQL, WebSockets, jobs, webhooks); figures
 * that the database knows for every process at once (jobs by status, the queue, live sessions) are
 * read at scrape time. Served at /metrics (METRICS_TOKEN) or on METRICS_PORT (server/http/metricsRoute.ts).
 */
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/db.ts';
import { DECODER_MEMORY_BYTES, idleDecoderCount } from '../providers/local/decoderPool.ts';
import { decoderThreadCount } from '../providers/local/streamingDecoder.ts';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method' | 'status'>;
  graphqlOperations: Counter<'operation' | 'type' | 'code'>;
  /** Registers a graphql-ws server whose open sockets and operations the gauges read at scrape time. */
  trackWebSockets: (source: () => { sockets: number; operations: number }) => () => void;
  webhookDeliveries: Counter<'result'>;
  jobDuration: Histogram<'provider' | 'status'>;
  jobRealTimeFactor: Histogram<'provider'>;
}

/** Route label of a request path: a fixed set, so ids never become label values. */
export function routeLabel(path: string): string {
  if (path === '/graphql' || path === '/health' || path === '/ready' || path === '/metrics') return path;
  if (path === '/.well-known/jwks.json') return '/.well-known/jwks.json';
  if (path === '/uploads' || path.startsWith('/uploads/')) return '/uploads';
  if (/^\/jobs\/[^/]+\/transcript\.[a-z]+$/.test(path)) return '/jobs/:id/transcript';
  if (path.startsWith('/sessions/')) return '/sessions/:id/:file';
  if (path.startsWith('/exports/')) return '/exports/:id';
  if (path === '/admin' || path.startsWith('/admin/')) return '/admin';
  return 'other';
}

export function createMetrics(source: { db: Db; pool: pg.Pool }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parlance_' });
  const registers = [registry];
  const wsSources = new Set<() => { sockets: number; operations: number }>();
  const wsTotal = (key: 'sockets' | 'operations') => [...wsSources].reduce((sum, source) => sum + source()[key], 0);
  new Gauge({
    name: 'parlance_ws_connections',
    help: 'Open graphql-ws sockets of this process.',
    registers,
    collect() {
      this.set(wsTotal('sockets'));
    },
  });
  new Gauge({
    name: 'parlance_ws_subscriptions',
    help: 'Operations (subscriptions, and mutations in flight) on graphql-ws sockets of this process.',
    registers,
    collect() {
      this.set(wsTotal('operations'));
    },
  });
  new Gauge({
    name: 'parlance_local_decoders',
    help: 'PocketSphinx decoder threads of this process: busy (a job chunk or a live session) or idle (pooled for reuse).',
    labelNames: ['state'],
    registers,
    collect() {
      const idle = idleDecoderCount();
      this.set({ state: 'idle' }, idle);
      this.set({ state: 'busy' }, Math.max(0, decoderThreadCount() - idle));
    },
  });
  new Gauge({
    name: 'parlance_local_decoder_memory_bytes',
    help: 'Estimated memory held by the PocketSphinx decoders of this process (threads x about 100 MB each).',
    registers,
    collect() {
      this.set(decoderThreadCount() * DECODER_MEMORY_BYTES);
    },
  });

  const metrics: Metrics = {
    registry,
    httpRequests: new Counter({
      name: 'parlance_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'parlance_http_request_duration_seconds',
      help: 'HTTP request durations by route, method and status.',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    graphqlOperations: new Counter({
      name: 'parlance_graphql_operations_total',
      help: 'GraphQL operations by operation name, type and error code ("" when it succeeded).',
      labelNames: ['operation', 'type', 'code'],
      registers,
    }),
    trackWebSockets: (source) => {
      wsSources.add(source);
      return () => wsSources.delete(source);
    },
    webhookDeliveries: new Counter({
      name: 'parlance_webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts by result: delivered, retry, failed.',
      labelNames: ['result'],
      registers,
    }),
    jobDuration: new Histogram({
      name: 'parlance_job_duration_seconds',
      help: 'Transcription jobs from start to end of processing, by provider and final status.',
      labelNames: ['provider', 'status'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200],
      registers,
    }),
    jobRealTimeFactor: new Histogram({
      name: 'parlance_job_real_time_factor',
      help: 'Processing time divided by media duration of completed jobs, by provider.',
      labelNames: ['provider'],
      buckets: [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5],
      registers,
    }),
  };

  new Gauge({
    name: 'parlance_jobs',
    help: 'Transcription jobs by status and provider (every process, from the database).',
    labelNames: ['status', 'provider'],
    registers,
    async collect() {
      this.reset();
      const rows = await source.db.$queryRaw<{ status: string; provider: string; count: bigint }[]>`
        SELECT status::text, provider::text, count(*) AS count FROM jobs GROUP BY status, provider`;
      for (const row of rows) this.set({ status: row.status, provider: row.provider }, Number(row.count));
    },
  });
  const queue = async () => {
    const [row] = await source.db.$queryRaw<{ depth: bigint; oldest: number | null }[]>`
      SELECT count(*) AS depth, EXTRACT(EPOCH FROM now() - min(run_at))::float8 AS oldest
      FROM graphile_worker._private_jobs
      WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts`;
    return { depth: Number(row?.depth ?? 0), oldestSeconds: Math.max(0, row?.oldest ?? 0) };
  };
  new Gauge({
    name: 'parlance_queue_depth',
    help: 'Jobs waiting in the graphile-worker queue, ready to run.',
    registers,
    async collect() {
      this.set((await queue()).depth);
    },
  });
  new Gauge({
    name: 'parlance_queue_oldest_seconds',
    help: 'Age of the oldest job ready to run and not yet taken (0: none waiting).',
    registers,
    async collect() {
      this.set((await queue()).oldestSeconds);
    },
  });
  new Gauge({
    name: 'parlance_live_sessions_active',
    help: 'Live sessions receiving audio, by provider (every process, from the database).',
    labelNames: ['provider'],
    registers,
    async collect() {
      this.reset();
      const rows = await source.db.$queryRaw<{ provider: string; count: bigint }[]>`
        SELECT provider::text, count(*) AS count FROM live_sessions WHERE status = 'ACTIVE' GROUP BY provider`;
      for (const row of rows) this.set({ provider: row.provider }, Number(row.count));
    },
  });
  new Gauge({
    name: 'parlance_db_pool_connections',
    help: "This process's database pool: total, idle, and requests waiting for a connection.",
    labelNames: ['state'],
    registers,
    collect() {
      this.set({ state: 'total' }, source.pool.totalCount);
      this.set({ state: 'idle' }, source.pool.idleCount);
      this.set({ state: 'waiting' }, source.pool.waitingCount);
    },
  });
  return metrics;
}

/** A finished job's duration and, when completed with a known media length, its real-time factor. */
export function observeFinishedJob(
  metrics: Metrics,
  job: { provider: string; status: string; startedAt: Date | null; mediaDurationSeconds: number | null },
  finishedAt: Date,
): void {
  if (!job.startedAt) return;
  const seconds = Math.max(0, (finishedAt.getTime() - job.startedAt.getTime()) / 1000);
  metrics.jobDuration.observe({ provider: job.provider, status: job.status }, seconds);
  if (job.status === 'COMPLETED' && job.mediaDurationSeconds) {
    metrics.jobRealTimeFactor.observe({ provider: job.provider }, seconds / job.mediaDurationSeconds);
  }
}
