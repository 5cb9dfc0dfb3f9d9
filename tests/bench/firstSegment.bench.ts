/**
 * Live from the first second (issue 18): a 68-second LOCAL file job (one chunk) followed through the
 * pubsub as a subscriber's server sees it: from the PROCESSING event to the first transcript segment
 * event, and to the last one (before, every segment of a one-chunk job came at its very end). Goal:
 * the first segment within 5 s of PROCESSING. Medians over 3 jobs, the load average beside them.
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { topics } from '../../server/pubsub/pubsub.ts';
import { createTranscriptionJob } from '../../server/services/jobs.ts';
import { transcribeJob } from '../../server/services/transcription/index.ts';
import { benchViewer, createBenchDeps } from './lib/app.ts';
import { benchPostgres } from './lib/database.ts';
import { speechWav } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { median, now } from './lib/stats.ts';

export const name = 'firstSegment';
export const description = 'a 68 s LOCAL file job: PROCESSING to the first (and last) published segment';

const SECONDS = 68;
const JOBS = 3;

export async function run(report: BenchReport): Promise<void> {
  const cluster = await benchPostgres();
  const url = await cluster.createDatabase('firstsegment');
  const bench = await createBenchDeps(url, { JOB_SUBMISSIONS_PER_MINUTE: '0' }, { subscriptions: true });
  const { deps } = bench;
  try {
    const bytes = await readFile(await speechWav(SECONDS));
    const { viewer } = await benchViewer(deps);
    const first: number[] = [];
    const last: number[] = [];
    const total: number[] = [];
    const loads: number[] = [];
    for (let round = 0; round < JOBS; round += 1) {
      const job = await createTranscriptionJob(deps, viewer, { file: new File([bytes], 'speech.wav'), provider: 'LOCAL' });
      const stop = new AbortController();
      const times: { processing?: number; first?: number; last?: number; done?: number } = {};
      let segments = 0;
      const events = deps.subscriber!.subscribeMany([topics.job(job.id), topics.jobChunks(job.id)], stop.signal);
      const watching = (async () => {
        for await (const { topic, payload } of events) {
          const at = now();
          if (topic === topics.jobChunks(job.id)) {
            segments += 1;
            times.first ??= at;
            times.last = at;
          } else if (payload.status === 'PROCESSING') {
            times.processing ??= at;
          } else if (payload.status === 'COMPLETED') {
            times.done = at;
            return;
          }
        }
      })();
      await transcribeJob(deps, job.id, { signal: new AbortController().signal });
      await watching;
      stop.abort();
      if (times.processing === undefined || times.first === undefined || times.done === undefined) throw new Error('an event was missed');
      first.push(times.first - times.processing);
      last.push(times.last! - times.processing);
      total.push(times.done - times.processing);
      loads.push(os.loadavg()[0]);
      report.info(`job_${round + 1}`, { first_ms: first.at(-1)!, last_ms: last.at(-1)!, completed_ms: total.at(-1)!, segments, load_1m: loads.at(-1)! });
    }
    report.absolute('first_segment_after_processing_ms', median(first), { unit: ' ms', max: 5000 });
    report.info('spread_ms', { last_segment: median(last), completed: median(total), load_1m_median: median(loads) });
  } finally {
    await bench.close();
  }
}
