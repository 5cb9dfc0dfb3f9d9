/**
 * An HTTP load loop for benchmarks: `concurrency` keep-alive connections, each sending the same POST
 * again as soon as its answer is read, for `durationMs`. Reports requests per second and latency
 * quantiles; answers other than 200 with a body free of "errors" count as failures.
 */
import http from 'node:http';
import { quantile } from './stats.ts';

export interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  concurrency: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  failures: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstFailure: string | null;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | null = null;
  const headers = { ...options.headers, 'content-length': String(Buffer.byteLength(options.body)) };
  const once = () =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const request = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            const text = Buffer.concat(chunks).toString();
            if (response.statusCode !== 200 || text.includes('"errors"')) {
              failures += 1;
              firstFailure ??= `${response.statusCode} ${text.slice(0, 200)}`;
            }
            resolve();
          });
        },
      );
      request.on('error', (error) => {
        failures += 1;
        firstFailure ??= error.message;
        resolve();
      });
      request.end(options.body);
    });
  const start = performance.now();
  const deadline = start + options.durationMs;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  return {
    requests: latencies.length,
    failures,
    perSecond: latencies.length / seconds,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    firstFailure,
  };
}
