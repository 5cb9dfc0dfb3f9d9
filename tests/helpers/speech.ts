/**
 * Synthetic speech for tests: flite speaks known sentences, ffmpeg turns them into 16 kHz mono
 * s16le WAV, sox joins them with pauses. PocketSphinx recognises flite's voices well (espeak-ng's
 * much worse), so tests can assert on word error rate and timings.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type FliteVoice = 'slt' | 'rms' | 'awb' | 'kal16' | 'kal';

/**
 * The default voice. Measured WER of PocketSphinx en-us on five sentences: rms 3.6%, awb 5.5%,
 * kal16 7-13%, slt 9.1%, kal (8 kHz) 45%. Pass `voice: 'rms'` for the best recognition; the
 * default stays slt because other tests' fixtures were built with it.
 */
export const DEFAULT_VOICE: FliteVoice = 'slt';

export const SAMPLE_RATE = 16_000;

/** Whether flite, ffmpeg and sox are on PATH (tests can `skipIf(!await speechToolsPresent())`). */
export async function speechToolsPresent(): Promise<boolean> {
  try {
    await Promise.all([run('flite', ['-lv']), run('ffmpeg', ['-version']), run('sox', ['--version'])]);
    return true;
  } catch {
    return false;
  }
}

/** A temporary directory removed by `cleanup()`. */
export async function makeTempDir(prefix = 'parlance-speech-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Speaks `text` with flite and writes it to `outPath` as 16 kHz mono s16le WAV. */
export async function synthesizeSpeech(text: string, outPath: string, voice: FliteVoice = DEFAULT_VOICE): Promise<string> {
  const raw = `${outPath}.flite.wav`;
  await run('flite', ['-voice', voice, '-t', text, '-o', raw]);
  await toWav16k(raw, outPath);
  await rm(raw, { force: true });
  return outPath;
}

/** Converts any audio file ffmpeg reads to 16 kHz mono s16le WAV. */
export async function toWav16k(inputPath: string, outPath: string): Promise<string> {
  await run('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-i', inputPath, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', outPath]);
  return outPath;
}

/**
 * Writes `seconds` of 16 kHz mono s16le "silence": faint white noise by default (like a real
 * room), or digital zeros with `noise: 0`.
 */
export async function makeSilence(seconds: number, outPath: string, noise = 0.002): Promise<string> {
  const effect = noise > 0 ? ['synth', String(seconds), 'whitenoise', 'vol', String(noise)] : ['trim', '0', String(seconds)];
  await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', outPath, ...effect]);
  return outPath;
}

/** Duration in seconds of a 16 kHz mono s16le WAV file (from its data chunk). */
export async function wavDurationSeconds(wavPath: string): Promise<number> {
  const file = await readFile(wavPath);
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'data') return Math.min(size, file.length - offset - 8) / 2 / SAMPLE_RATE;
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${wavPath} has no data chunk`);
}

export interface SpokenSentence {
  text: string;
  /** Where the sentence's audio (flite's own short lead-in and tail included) starts and ends. */
  start: number;
  end: number;
}

export interface SpeechFixture {
  wavPath: string;
  durationSeconds: number;
  /** All sentences joined with spaces: the reference transcript. */
  text: string;
  sentences: SpokenSentence[];
}

export interface SpeechFixtureOptions {
  voice?: FliteVoice;
  /** Pause between sentences (default 1.5 s); the detector ends an utterance after 0.5 s. */
  pauseSeconds?: number;
  /** Pause before the first sentence (default 1 s). */
  leadSeconds?: number;
  /** Pause after the last sentence (default 1 s). */
  tailSeconds?: number;
  /** Background noise level of the pauses (sox `vol`), 0 for digital silence. */
  noise?: number;
}

/**
 * Speaks each sentence and joins them into one 16 kHz mono WAV at `outPath`, with pauses
 * between them. Returns where each sentence lies, for timing assertions.
 */
export async function makeSpeechFixture(
  sentences: readonly string[],
  outPath: string,
  options: SpeechFixtureOptions = {},
): Promise<SpeechFixture> {
  const { voice = DEFAULT_VOICE, pauseSeconds = 1.5, leadSeconds = 1, tailSeconds = 1, noise = 0.002 } = options;
  const parts: string[] = [];
  const spoken: SpokenSentence[] = [];
  const scratch = `${outPath}.parts`;
  await mkdir(scratch, { recursive: true });
  try {
    let time = 0;
    const pause = async (seconds: number, name: string) => {
      if (seconds <= 0) return;
      parts.push(await makeSilence(seconds, path.join(scratch, name), noise));
      time += seconds;
    };
    await pause(leadSeconds, 'lead.wav');
    for (const [index, text] of sentences.entries()) {
      if (index > 0) await pause(pauseSeconds, `pause-${index}.wav`);
      const file = await synthesizeSpeech(text, path.join(scratch, `sentence-${index}.wav`), voice);
      const duration = await wavDurationSeconds(file);
      parts.push(file);
      spoken.push({ text, start: time, end: time + duration });
      time += duration;
    }
    await pause(tailSeconds, 'tail.wav');
    if (parts.length === 1) await run('sox', [parts[0], outPath]);
    else await run('sox', [...parts, outPath]);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return {
    wavPath: outPath,
    durationSeconds: await wavDurationSeconds(outPath),
    text: sentences.join(' '),
    sentences: spoken,
  };
}

export { normalizeWords, wordErrorRate } from '../../server/transcripts/wer.ts';
