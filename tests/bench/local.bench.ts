/**
 * Local engine: our LOCAL path on 10 minutes of normalised speech, chunked as the transcribe task
 * does it (planChunks with the provider's maxChunkSeconds, extractChunk, LocalProvider.transcribe per
 * chunk), against the engine fed the same PCM directly: one StreamingDecoder, 500 ms pieces, no
 * chunking, PCM already in memory. Goal: at most 1.1x wall time. Both real-time factors are printed
 * (wall seconds per second of audio; below 1 is faster than real time).
 *
 * The two run side by side by default (each decoder is single-threaded: one core each on a 2-core
 * machine), so both see the same machine. Run one after the other, whichever went second came out
 * 10-15% slower in both orders on these shared machines, which swamped what is being measured.
 * `npm run bench -- local --sequential` runs them one after the other (engine first) instead.
 * Besides wall time, the CPU time of each side's decoder threads is read from /proc/self/task.
 *
 * The decoders run on worker threads, so this thread's event loop should stay free meanwhile: its
 * utilisation and the gaps between 5 ms timer ticks while both sides decode are compared with the
 * same figures over an idle stretch measured just before. Goal: utilisation at most 0.1 above idle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../server/env.ts';
import { extractChunk, planChunks } from '../../server/media/chunks.ts';
import { createLocalProvider, type LocalProvider } from '../../server/providers/local/provider.ts';
import { MAX_PIECE_SAMPLES } from '../../server/providers/local/recognizer.ts';
import { StreamingDecoder } from '../../server/providers/local/streamingDecoder.ts';
import { readWav } from '../../server/providers/local/wav.ts';
import type { Env } from '../../server/env.ts';
import { wordErrorRate } from '../helpers/speech.ts';
import { speechWav } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { now, quantile, sleep } from './lib/stats.ts';

export const name = 'local';
export const description = 'LOCAL provider through job chunking vs one streaming decoder fed 500 ms pieces (10 min of speech)';

const SECONDS = 600;
const IDLE_BASELINE_MS = 5_000;

interface SideResult {
  wallS: number;
  text: string;
  segments: number;
}

export async function run(report: BenchReport): Promise<void> {
  const env = loadEnv({});
  const provider = createLocalProvider(env);
  const availability = await provider.availability();
  if (!availability.ok) throw new Error(`the LOCAL engine is not available here: ${availability.reason}`);
  const sequential = process.argv.includes('--sequential');
  const wav = await speechWav(SECONDS);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-bench-local-'));
  const threads = new ThreadCpu();
  try {
    // The engine's PCM is read before its clock starts.
    const audio = await readWav(wav);
    const pcm = new Int16Array(audio.data.buffer.slice(audio.data.byteOffset, audio.data.byteOffset + audio.data.length));
    const audioSeconds = pcm.length / audio.sampleRate;

    // The idle baseline runs the same timer and the same /proc sampling as the decode stretch below.
    const idleSampler = new ThreadCpu();
    idleSampler.start(idleSampler.ids());
    const idleLoop = watchLoop();
    await sleep(IDLE_BASELINE_MS);
    const idle = idleLoop();
    idleSampler.stop();

    // The engine's decoder opens first, so the one new thread seen then is its; every later thread is ours.
    const engineStart = now();
    const before = threads.ids();
    const decoder = await StreamingDecoder.open({ library: env.POCKETSPHINX_LIBRARY, modelDir: env.POCKETSPHINX_MODEL_DIR });
    const openMs = now() - engineStart;
    const engineThreads = [...threads.ids()].filter((id) => !before.has(id));
    threads.start(before);
    const busyLoop = watchLoop();
    const engineRun = (async (): Promise<SideResult> => {
      const texts: string[] = [];
      decoder.on('final', (segment) => texts.push(segment.text));
      for (let offset = 0; offset < pcm.length; offset += MAX_PIECE_SAMPLES) {
        decoder.write(pcm.subarray(offset, offset + MAX_PIECE_SAMPLES));
      }
      await decoder.end();
      return { wallS: (now() - engineStart) / 1000, text: texts.join(' '), segments: texts.length };
    })();
    if (sequential) await engineRun;
    const oursRun = runOurs(provider, env, wav, dir);
    const [engine, ours] = await Promise.all([engineRun, oursRun]);
    const busy = busyLoop();
    const cpu = threads.stop();
    const engineCpu = engineThreads.reduce((sum, id) => sum + (cpu.get(id) ?? 0), 0);
    const oursCpu = [...cpu.entries()].filter(([id]) => !engineThreads.includes(id)).reduce((sum, [, s]) => sum + s, 0);

    report.info('setup', {
      audio_s: audioSeconds,
      mode: sequential ? 'sequential (engine first)' : 'side by side',
      chunks: ours.chunks.length,
      chunk_target_s: ours.targetSeconds,
      cpus: os.cpus().length,
    });
    report.ratio('wall_s', ours.wallS, engine.wallS, { unit: ' s', max: 1.1, label: 'engine' });
    report.info('rtf', { ours: ours.wallS / audioSeconds, engine: engine.wallS / audioSeconds });
    report.ratio('thread_cpu_s', oursCpu, engineCpu, { unit: ' s', label: 'engine' });
    report.delta('loop_utilization', busy.utilization, idle.utilization, { max: 0.1, label: 'idle' });
    report.delta('tick_gap_p99_ms', busy.p99, idle.p99, { unit: ' ms', label: 'idle' });
    report.delta('tick_gap_max_ms', busy.max, idle.max, { unit: ' ms', label: 'idle' });
    report.info('ours_breakdown_ms', {
      plan: ours.planMs,
      chunk_seconds: ours.chunks.map((chunk) => (chunk.end - chunk.start).toFixed(1)).join(','),
      extract_total: ours.extractMs,
      transcribe_per_chunk: ours.perChunk.map((ms) => ms.toFixed(0)).join(','),
      engine_decoder_open: openMs,
    });
    const fixed = ours.chunks.length * openMs;
    report.info('per_chunk_fixed_cost', {
      decoder_opens: ours.chunks.length,
      est_total_ms: fixed,
      share_of_wall: fixed / 1000 / ours.wallS,
    });
    report.info('output', {
      words_ours: ours.text.split(/\s+/).filter(Boolean).length,
      words_engine: engine.text.split(/\s+/).filter(Boolean).length,
      segments_ours: ours.segments,
      segments_engine: engine.segments,
      disagreement_wer: wordErrorRate(engine.text, ours.text),
    });
    const last = ours.chunks.at(-1);
    if (last && last.end - last.start < 10) {
      report.note(
        `The last chunk is ${(last.end - last.start).toFixed(1)} s long: cutting at a quiet point before each ${ours.targetSeconds} s ` +
          'boundary leaves a sliver,\nand each chunk pays a fresh worker thread and model load ' +
          `(about ${(openMs / 1000).toFixed(1)} s here). Small next to the decode itself.`,
      );
    }
  } finally {
    threads.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** What server/services/transcription/pipeline.ts does after normalising. */
async function runOurs(provider: LocalProvider, env: Env, wav: string, dir: string) {
  const started = now();
  const targetSeconds = Math.min(provider.maxChunkSeconds, env.CHUNK_SECONDS ?? Infinity);
  const chunks = await planChunks(wav, { targetSeconds, searchSeconds: Math.min(5, targetSeconds / 4) });
  const planMs = now() - started;
  let extractMs = 0;
  const perChunk: number[] = [];
  const texts: string[] = [];
  for (const chunk of chunks) {
    const chunkPath = path.join(dir, `chunk-${chunk.index}.wav`);
    const extractStart = now();
    await extractChunk(wav, chunk, chunkPath);
    extractMs += now() - extractStart;
    const transcribeStart = now();
    const result = await provider.transcribe({
      wavPath: chunkPath,
      durationSeconds: chunk.end - chunk.start,
      language: null,
      model: null,
      diarize: false,
      apiKey: null,
    });
    perChunk.push(now() - transcribeStart);
    texts.push(...result.segments.map((segment) => segment.text));
    await rm(chunkPath, { force: true });
  }
  return {
    wallS: (now() - started) / 1000,
    text: texts.join(' '),
    segments: texts.length,
    chunks,
    targetSeconds,
    planMs,
    extractMs,
    perChunk,
  };
}

/** Watches this thread's event loop until the returned function is called: utilisation (0..1) and gaps between 5 ms ticks. */
function watchLoop(): () => { utilization: number; p99: number; max: number } {
  const gaps: number[] = [];
  let last = now();
  const timer = setInterval(() => {
    const tick = now();
    gaps.push(tick - last);
    last = tick;
  }, 5);
  const before = performance.eventLoopUtilization();
  return () => {
    clearInterval(timer);
    const { utilization } = performance.eventLoopUtilization(before);
    return { utilization, p99: quantile(gaps, 0.99), max: Math.max(...gaps) };
  };
}

/**
 * CPU seconds of this process's threads, from /proc/self/task/<tid>/stat. Threads vanish when they
 * end, so every thread not in the starting set is sampled every 100 ms and its last reading kept.
 */
class ThreadCpu {
  #timer: NodeJS.Timeout | null = null;
  #ignore = new Set<string>();
  readonly #last = new Map<string, number>();
  static readonly #ticks = 100; // CLK_TCK on Linux

  ids(): Set<string> {
    return new Set(readdirSync('/proc/self/task'));
  }

  start(ignore: Set<string>): void {
    this.#ignore = ignore;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 100);
  }

  stop(): Map<string, number> {
    if (this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
      this.#sample();
    }
    return this.#last;
  }

  #sample(): void {
    for (const id of this.ids()) {
      if (this.#ignore.has(id)) continue;
      try {
        const stat = readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
        // Fields after the ")" that closes the thread name: state is field 3, utime 14, stime 15.
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        this.#last.set(id, (Number(fields[11]) + Number(fields[12])) / ThreadCpu.#ticks);
      } catch {
        // the thread ended between listing and reading
      }
    }
  }
}
