/**
 * OPENAI live engine. OpenAI's transcription API does not stream, so utterances are closed by a
 * small energy-based VAD (vad.ts) and each is transcribed on its own through the OpenAI provider
 * (or any OpenAI-compatible server), one at a time, in order. Finals only, no interim results.
 * Each utterance's request carries the session's vocabulary as a file job's chunk does (the `prompt`).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { wavHeader } from '../media/wav.ts';
import { ProviderError, type SpeechProvider } from '../providers/types.ts';
import { LIVE_SAMPLE_RATE, LiveEngine, type LiveEngineOptions } from './types.ts';
import { EnergyVad, type Utterance } from './vad.ts';

const ATTEMPTS = 3;

export class OpenAILiveEngine extends LiveEngine {
  readonly name = 'OPENAI' as const;
  readonly #provider: SpeechProvider;
  readonly #options: LiveEngineOptions;
  readonly #vad: EnergyVad;
  readonly #abort = new AbortController();
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;
  #ended = false;

  constructor(provider: SpeechProvider, options: LiveEngineOptions) {
    super();
    this.#provider = provider;
    this.#options = options;
    this.#vad = new EnergyVad({ onUtterance: (utterance) => this.#enqueue(utterance) });
  }

  write(pcm: Buffer): void {
    if (this.#stopped || this.#ended) return;
    const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + (pcm.length & ~1)));
    this.#vad.write(samples);
  }

  async end(): Promise<void> {
    if (this.#ended) return this.#queue;
    this.#ended = true;
    this.#vad.flush();
    await this.#queue;
  }

  async destroy(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
  }

  #enqueue(utterance: Utterance): void {
    // The chain is only awaited by end(): a failure outside the retry loop (writing the WAV, say)
    // must not become an unhandled rejection meanwhile.
    this.#queue = this.#queue.then(() => this.#transcribe(utterance)).catch((error: unknown) => {
      if (this.#stopped) return;
      this.#stopped = true;
      if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)));
    });
  }

  async #transcribe(utterance: Utterance): Promise<void> {
    if (this.#stopped) return;
    const durationSeconds = utterance.pcm.length / LIVE_SAMPLE_RATE;
    const dir = path.join(os.tmpdir(), 'parlance-live');
    await mkdir(dir, { recursive: true });
    const wavPath = path.join(dir, `${randomUUID()}.wav`);
    const data = Buffer.from(utterance.pcm.buffer, utterance.pcm.byteOffset, utterance.pcm.byteLength);
    await writeFile(wavPath, Buffer.concat([wavHeader(data.length, LIVE_SAMPLE_RATE, 1), data]));
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const result = await this.#provider.transcribe({
            wavPath,
            durationSeconds,
            language: this.#options.language,
            model: this.#options.model,
            diarize: false,
            apiKey: this.#options.apiKey,
            vocabulary: this.#options.vocabulary,
            signal: this.#abort.signal,
          });
          if (result.vocabularyApplied) this.#options.onVocabularyApplied?.(result.vocabularyApplied);
          for (const segment of result.segments) {
            if (this.#stopped || !segment.text.trim()) continue;
            this.emit('final', {
              ...segment,
              start: utterance.start + segment.start,
              end: utterance.start + segment.end,
              words: segment.words.map((word) => ({ ...word, start: utterance.start + word.start, end: utterance.start + word.end })),
            });
          }
          return;
        } catch (error) {
          if (this.#stopped) return;
          const transient = error instanceof ProviderError && error.kind === 'transient';
          if (!transient || attempt >= ATTEMPTS) {
            this.#stopped = true;
            this.emit('error', error instanceof Error ? error : new Error(String(error)));
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
        }
      }
    } finally {
      await rm(wavPath, { force: true });
    }
  }
}
