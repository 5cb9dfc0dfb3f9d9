/**
 * Local engine: our LOCAL path on 10 minutes of normalised speech, chunked as the transcribe task
 * does it (planChunks with the provider's maxChunkSeconds, extractChunk, LocalProvider.transcribe per
 * chunk), against the engine fed the same PCM directly: one StreamingDecoder, 500 ms pieces, no
 * chunking, PCM already in memory. Goal: at most 1.1x wall time. Both real-time factors are printed
 * (wall seconds per second of audio; below 1 is faster than real time).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../server/env.ts';
import { extractChunk, planChunks } from '../../server/media/chunks.ts';
import { createLocalProvider } from '../../server/providers/local/provider.ts';
import { MAX_PIECE_SAMPLES } from '../../server/providers/local/recognizer.ts';
import { StreamingDecoder, type RecognizedSegment } from '../../server/providers/local/streamingDecoder.ts';
import { readWav } from '../../server/providers/local/wav.ts';
import type { Segment } from '../../server/providers/types.ts';
import { wordErrorRate } from '../helpers/speech.ts';
import { speechWav } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { now } from './lib/stats.ts';

export const name = 'local';
export const description = 'LOCAL provider through job chunking vs one streaming decoder fed 500 ms pieces (10 min of speech)';

const SECONDS = 600;

export async function run(report: BenchReport): Promise<void> {
  const env = loadEnv({});
  const provider = createLocalProvider(env);
  const availability = await provider.availability();
  if (!availability.ok) throw new Error(`the LOCAL engine is not available here: ${availability.reason}`);
  const wav = await speechWav(SECONDS);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-bench-local-'));
  try {
    // Baseline first: the engine alone. The PCM is read before the clock starts.
    const audio = await readWav(wav);
    const pcm = new Int16Array(audio.data.buffer.slice(audio.data.byteOffset, audio.data.byteOffset + audio.data.length));
    const audioSeconds = pcm.length / audio.sampleRate;
    let started = now();
    const decoder = await StreamingDecoder.open({ library: env.POCKETSPHINX_LIBRARY, modelDir: env.POCKETSPHINX_MODEL_DIR });
    const openMs = now() - started;
    const directSegments: RecognizedSegment[] = [];
    decoder.on('final', (segment) => directSegments.push(segment));
    for (let offset = 0; offset < pcm.length; offset += MAX_PIECE_SAMPLES) {
      decoder.write(pcm.subarray(offset, offset + MAX_PIECE_SAMPLES));
    }
    await decoder.end();
    const direct = (now() - started) / 1000;

    // Ours: what jobs/tasks/transcribe.ts does after normalising.
    started = now();
    const targetSeconds = Math.min(provider.maxChunkSeconds, env.CHUNK_SECONDS ?? Infinity);
    const chunks = await planChunks(wav, { targetSeconds, searchSeconds: Math.min(5, targetSeconds / 4) });
    const planMs = now() - started;
    let extractMs = 0;
    const perChunk: number[] = [];
    const ourSegments: Segment[] = [];
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
      ourSegments.push(...result.segments);
      await rm(chunkPath, { force: true });
    }
    const ours = (now() - started) / 1000;

    report.info('setup', { audio_s: audioSeconds, chunks: chunks.length, chunk_target_s: targetSeconds, cpus: os.cpus().length });
    report.ratio('wall_s', ours, direct, { unit: ' s', max: 1.1, label: 'engine' });
    report.info('rtf', { ours: ours / audioSeconds, engine: direct / audioSeconds });
    report.info('ours_breakdown_ms', {
      plan: planMs,
      extract_total: extractMs,
      transcribe_per_chunk: perChunk.map((ms) => ms.toFixed(0)).join(','),
      decoder_open: openMs,
    });
    const ourText = ourSegments.map((segment) => segment.text).join(' ');
    const directText = directSegments.map((segment) => segment.text).join(' ');
    report.info('output', {
      words_ours: ourText.split(/\s+/).filter(Boolean).length,
      words_engine: directText.split(/\s+/).filter(Boolean).length,
      segments_ours: ourSegments.length,
      segments_engine: directSegments.length,
      disagreement_wer: wordErrorRate(directText, ourText),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
