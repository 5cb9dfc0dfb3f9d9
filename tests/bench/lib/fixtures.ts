/**
 * Benchmark media, generated once into os.tmpdir()/parlance-bench and reused by later runs:
 * synthetic speech (flite, the voice PocketSphinx recognises best), looped to the length asked for,
 * a long MP3 made from it, and a tiny WAV. Files are written under a temporary name and renamed, so
 * an interrupted run never leaves a half-written fixture behind.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeSpeechFixture, speechToolsPresent } from '../../helpers/speech.ts';

const run = promisify(execFile);

export const CACHE_DIR = path.join(os.tmpdir(), 'parlance-bench');

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call the office before noon on Monday.',
  'We will meet at the station at half past seven.',
  'The weather today is cold and windy with some rain.',
  'She opened the window and looked at the garden.',
  'Our team finished the project two weeks early.',
  'He bought three apples and a loaf of bread.',
  'The train to the city leaves every twenty minutes.',
  'Remember to turn off the lights when you leave.',
  'The children played in the park all afternoon.',
  'I would like a cup of coffee with milk please.',
  'The meeting has been moved to the large room upstairs.',
  'They drove along the coast for most of the day.',
  'This book tells the story of a small fishing town.',
  'The doctor said that he should rest for a week.',
  'Write your name at the top of the first page.',
  'The museum is open from ten in the morning until six.',
  'We need more paper for the printer in the hall.',
  'The river was high after the storm last night.',
  'Thank you for waiting, your table is ready now.',
];

async function cached(name: string, make: (tmpPath: string) => Promise<void>): Promise<string> {
  await mkdir(CACHE_DIR, { recursive: true });
  const target = path.join(CACHE_DIR, name);
  if (existsSync(target)) return target;
  const tmp = `${target}.${process.pid}.tmp${path.extname(name)}`;
  try {
    await make(tmp);
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
  return target;
}

export async function assertMediaTools(): Promise<void> {
  if (!(await speechToolsPresent())) throw new Error('flite, ffmpeg and sox must be on PATH to generate benchmark media');
}

/** About a minute of varied flite speech with pauses, 16 kHz mono s16le. */
export function speechBase(): Promise<string> {
  return cached('speech-base.wav', async (tmp) => {
    await assertMediaTools();
    await makeSpeechFixture(SENTENCES, tmp, { pauseSeconds: 1.2 });
  });
}

/** `seconds` of speech (the base looped), 16 kHz mono s16le WAV. */
export function speechWav(seconds: number): Promise<string> {
  return cached(`speech-${seconds}s.wav`, async (tmp) => {
    const base = await speechBase();
    await run('ffmpeg', [
      '-nostdin', '-v', 'error', '-y', '-stream_loop', '-1', '-i', base,
      '-t', String(seconds), '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', '-f', 'wav', tmp,
    ]);
  });
}

/**
 * `seconds` of speech as a typical podcast-style MP3: 44.1 kHz stereo, 128 kbit/s, with a little
 * background noise mixed in so it is not digitally silent between sentences.
 */
export function speechMp3(seconds: number): Promise<string> {
  return cached(`speech-${seconds}s.mp3`, async (tmp) => {
    const base = await speechBase();
    await run(
      'ffmpeg',
      [
        '-nostdin', '-v', 'error', '-y',
        '-stream_loop', '-1', '-i', base,
        '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.01:sample_rate=44100:duration=${seconds}`,
        '-filter_complex', '[0:a]aresample=44100[s];[s][1:a]amix=inputs=2:duration=shortest:normalize=0[m]',
        '-map', '[m]', '-t', String(seconds), '-ac', '2', '-ar', '44100',
        '-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3', tmp,
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  });
}

/** Half a second of a 440 Hz tone, 16 kHz mono s16le: small, audible, quick to probe. */
export function tinyWav(): Promise<string> {
  return cached('tiny.wav', async (tmp) => {
    await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-t', 'wav', tmp, 'synth', '0.5', 'sine', '440', 'vol', '0.5']);
  });
}
