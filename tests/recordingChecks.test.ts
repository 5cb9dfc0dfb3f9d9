// The checks a recording gets at submission, measured by the real ffmpeg (silencedetect +
// volumedetect) on speech made with flite and shaped with sox: normal, quiet, clipped, short,
// mostly silent; and how they order the review queue.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureRecordingLevels, parseLevels } from '../server/media/recordingLevels.ts';
import { defaultMediaTools } from '../server/media/run.ts';
import { computeChecks, isSuspicious, suspicionOf } from '../server/services/recordingChecks.ts';
import { makeSilence, makeTempDir, synthesizeSpeech, wavDurationSeconds } from './helpers/speech.ts';

const run = promisify(execFile);
const PROMPT = 'please call me tomorrow morning';

let temp: Awaited<ReturnType<typeof makeTempDir>>;
let speech: string;

beforeAll(async () => {
  temp = await makeTempDir('parlance-checks-');
  speech = await synthesizeSpeech(PROMPT, path.join(temp.dir, 'speech.wav'), 'rms');
});

afterAll(async () => {
  await temp?.cleanup();
});

/** A sox-shaped copy of the speech. */
async function shaped(name: string, ...effects: string[]): Promise<string> {
  const out = path.join(temp.dir, `${name}.wav`);
  await run('sox', [speech, out, ...effects]);
  return out;
}

async function checksOf(file: string, recognisedText = PROMPT) {
  const duration = await wavDurationSeconds(file);
  const levels = await measureRecordingLevels(file, duration, defaultMediaTools, 60_000);
  return computeChecks({ durationSeconds: duration, levels, promptText: PROMPT, recognisedText });
}

describe('recording checks', () => {
  it('passes clear speech that matches its prompt', async () => {
    const checks = await checksOf(await shaped('normal', 'pad', '0.3', '0.3'));
    expect(checks).toMatchObject({ tooShort: false, mostlySilence: false, tooQuiet: false, clipped: false, wordErrorRate: 0, wordErrorRateHigh: false });
    expect(checks.maxVolumeDb).toBeGreaterThan(-25);
    expect(isSuspicious(checks)).toBe(false);
    expect(suspicionOf(checks)).toBe(0);
  });

  it('flags speech 40 dB too quiet', async () => {
    const checks = await checksOf(await shaped('quiet', 'gain', '-40'));
    expect(checks.tooQuiet).toBe(true);
    expect(checks.clipped).toBe(false);
    expect(checks.maxVolumeDb).toBeLessThan(-25);
  });

  it('flags clipped speech', async () => {
    const checks = await checksOf(await shaped('clipped', 'gain', '24'));
    expect(checks.clipped).toBe(true);
    expect(checks.clippedRatio).toBeGreaterThan(0.001);
    expect(checks.tooQuiet).toBe(false);
  });

  it('flags a take that is mostly silence, and one that is too short', async () => {
    const padded = await checksOf(await shaped('padded', 'pad', '8', '8'));
    expect(padded.mostlySilence).toBe(true);
    expect(padded.silenceRatio).toBeGreaterThan(0.8);
    const short = await checksOf(await shaped('short', 'trim', '0', '0.6'));
    expect(short.tooShort).toBe(true);
    const silent = await checksOf(await makeSilence(3, path.join(temp.dir, 'silent.wav'), 0), '');
    expect(silent).toMatchObject({ mostlySilence: true, tooQuiet: true, silenceRatio: 1, wordErrorRate: 1 });
    expect(silent.maxVolumeDb).toBeLessThan(-90);
  });

  it('measures the word error rate against the prompt, and orders by failed checks, then word error rate', async () => {
    const file = await shaped('again', 'pad', '0.3', '0.3');
    const misread = await checksOf(file, 'please call me tomorrow');
    expect(misread.wordErrorRate).toBe(0.2);
    expect(misread.wordErrorRateHigh).toBe(false);
    const wrong = await checksOf(file, 'something else entirely');
    expect(wrong.wordErrorRateHigh).toBe(true);
    const quiet = await checksOf(await shaped('quiet2', 'gain', '-40'));
    const clean = await checksOf(file);
    const order = [clean, misread, wrong, quiet].sort((a, b) => suspicionOf(b) - suspicionOf(a));
    expect(order).toEqual([wrong, quiet, misread, clean]);
  });

  it('closes a silence still open at the end with the duration', () => {
    const log = '[silencedetect @ 0x1] silence_start: 1.5\n[Parsed_volumedetect_1 @ 0x2] n_samples: 100\n[Parsed_volumedetect_1 @ 0x2] max_volume: -3.0 dB\n';
    expect(parseLevels(log, 4)).toMatchObject({ silenceSeconds: 2.5, maxVolumeDb: -3, clippedRatio: 0 });
  });
});
