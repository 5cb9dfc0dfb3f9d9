/**
 * One long LOCAL job uses the whole machine (issue 18): a 10-minute WAV through the whole job path
 * (createTranscriptionJob, then the transcribe task's transcribeJob: download, normalise, plan, chunks
 * side by side on LOCAL_DECODERS decoders, store, complete) against, in the same run,
 *  - single: one standalone PocketSphinx decoder (StreamingDecoder) fed the whole PCM directly, and
 *  - floor: two standalone decoders fed the two halves at the same time (what two cores can do).
 * Goal: ours at most 0.6x single. Medians over `--rounds=N` (default 3), the 1-minute load average
 * after each side beside it. The transcript's disagreement with the single decoder's is printed (the
 * chunk cuts change a few words at the edges; the words themselves are the decoder's).
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { MAX_PIECE_SAMPLES } from '../../server/providers/local/recognizer.ts';
import { StreamingDecoder } from '../../server/providers/local/streamingDecoder.ts';
import { readWav } from '../../server/providers/local/wav.ts';
import { createTranscriptionJob } from '../../server/services/jobs.ts';
import { transcribeJob } from '../../server/services/transcription/index.ts';
import { wordErrorRate } from '../helpers/speech.ts';
import { benchViewer, createBenchDeps } from './lib/app.ts';
import { benchPostgres } from './lib/database.ts';
import { speechWav } from './lib/fixtures.ts';
import { BenchReport, fmt } from './lib/report.ts';
import { median, now } from './lib/stats.ts';

export const name = 'localJob';
export const description = '10-minute LOCAL job end to end vs one standalone decoder and the two-decoder floor';

const SECONDS = 600;

function rounds(): number {
  const given = process.argv.find((arg) => arg.startsWith('--rounds='));
  const value = given ? Number(given.slice('--rounds='.length)) : 3;
  return Number.isInteger(value) && value > 0 ? value : 3;
}

async function decode(library: string, modelDir: string, pcm: Int16Array): Promise<string> {
  const decoder = await StreamingDecoder.open({ library, modelDir });
  const texts: string[] = [];
  decoder.on('final', (segment) => texts.push(segment.text));
  for (let offset = 0; offset < pcm.length; offset += MAX_PIECE_SAMPLES) decoder.write(pcm.subarray(offset, offset + MAX_PIECE_SAMPLES));
  await decoder.end();
  return texts.join(' ');
}

const load = () => os.loadavg()[0];

export async function run(report: BenchReport): Promise<void> {
  const cluster = await benchPostgres();
  const url = await cluster.createDatabase('localjob');
  const bench = await createBenchDeps(url, { JOB_SUBMISSIONS_PER_MINUTE: '0' });
  const { deps } = bench;
  try {
    const { library, modelDir } = { library: deps.env.POCKETSPHINX_LIBRARY, modelDir: deps.env.POCKETSPHINX_MODEL_DIR };
    const wav = await speechWav(SECONDS);
    const audio = await readWav(wav);
    const pcm = new Int16Array(audio.data.buffer.slice(audio.data.byteOffset, audio.data.byteOffset + audio.data.length));
    const bytes = await readFile(wav);
    const { viewer } = await benchViewer(deps);
    const single: number[] = [];
    const floor: number[] = [];
    const ours: number[] = [];
    const loads = { single: [] as number[], floor: [] as number[], ours: [] as number[] };
    let disagreement = Number.NaN;
    report.info('setup', { audio_s: pcm.length / 16_000, local_decoders: deps.env.LOCAL_DECODERS, cpus: os.cpus().length, rounds: rounds() });
    for (let round = 0; round < rounds(); round += 1) {
      let started = now();
      const singleText = await decode(library, modelDir, pcm);
      single.push((now() - started) / 1000);
      loads.single.push(load());

      started = now();
      const half = Math.floor(pcm.length / 2);
      await Promise.all([decode(library, modelDir, pcm.subarray(0, half)), decode(library, modelDir, pcm.subarray(half))]);
      floor.push((now() - started) / 1000);
      loads.floor.push(load());

      started = now();
      const job = await createTranscriptionJob(deps, viewer, { file: new File([bytes], 'ten-minutes.wav'), provider: 'LOCAL' });
      await transcribeJob(deps, job.id, { signal: new AbortController().signal });
      const done = await deps.db.job.findUniqueOrThrow({ where: { id: job.id } });
      if (done.status !== 'COMPLETED') throw new Error(`the job ended ${done.status}: ${done.error}`);
      ours.push((now() - started) / 1000);
      loads.ours.push(load());
      disagreement = wordErrorRate(singleText, done.text ?? '');
      report.info(`round_${round + 1}`, {
        single_s: single.at(-1)!,
        floor_s: floor.at(-1)!,
        ours_s: ours.at(-1)!,
        chunks: done.chunksTotal ?? 0,
        load_1m: loads.ours.at(-1)!,
      });
    }
    report.ratio('wall_vs_single_decoder', median(ours), median(single), { unit: ' s', max: 0.6, label: 'single' });
    report.ratio('wall_vs_two_decoder_floor', median(ours), median(floor), { unit: ' s', label: 'floor' });
    report.ratio('floor_vs_single_decoder', median(floor), median(single), { unit: ' s', label: 'single' });
    report.info('load_average_1m_median', { single: median(loads.single), floor: median(loads.floor), ours: median(loads.ours) });
    report.info('output', { disagreement_wer_vs_single: disagreement });
    report.note(
      `medians of ${rounds()} round(s); ours = submission to COMPLETED (normalise, plan, ${deps.env.LOCAL_DECODERS} decoders, store) ` +
        `at load ${fmt(median(loads.ours))} on ${os.cpus().length} CPU(s)`,
    );
  } finally {
    await bench.close();
  }
}
