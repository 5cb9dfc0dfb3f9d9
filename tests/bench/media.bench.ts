/**
 * Media prep: our sniffMedia + probeMedia + normaliseAudio of a 30-minute MP3 (what the transcribe
 * task does before chunking) against the plain ffmpeg command line doing the same decode:
 * `ffmpeg -i in.mp3 -ac 1 -ar 16000 -c:a pcm_s16le out.wav`. Runs alternate, the file is in the page
 * cache before either starts, and the median of REPS runs counts. Goal: at most 1.1x.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadEnv } from '../../server/env.ts';
import { assertAudible } from '../../server/media/audible.ts';
import { normaliseAudio } from '../../server/media/normalise.ts';
import { probeMedia } from '../../server/media/probe.ts';
import { mediaToolsFromEnv } from '../../server/media/run.ts';
import { sniffMedia } from '../../server/media/sniff.ts';
import { readMonoPcmInfo } from '../../server/media/wav.ts';
import { speechMp3 } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { median, now } from './lib/stats.ts';

export const name = 'media';
export const description = 'sniff + ffprobe + normalise a 30-minute MP3 vs the ffmpeg command line';

const SECONDS = 1800;
const REPS = 5;

export async function run(report: BenchReport): Promise<void> {
  const mp3 = await speechMp3(SECONDS);
  const env = loadEnv({});
  const tools = mediaToolsFromEnv(env);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'parlance-bench-media-'));
  try {
    await readFile(mp3); // into the page cache, so neither side pays for the disk
    const { stdout: version } = await promisify(execFile)(tools.ffmpegPath, ['-version']);
    report.info('setup', { input: `${SECONDS}s mp3 44.1kHz stereo 128k`, ffmpeg: version.split('\n')[0].split(' ')[2] ?? '?', reps: REPS });

    const bareTimes: number[] = [];
    const ourTimes: number[] = [];
    const parts = { sniff: [] as number[], probe: [] as number[], normalise: [] as number[], audible: [] as number[] };
    let bareSamples = 0;
    let ourSamples = 0;
    for (let rep = 0; rep < REPS; rep++) {
      const bareOut = path.join(dir, `bare-${rep}.wav`);
      let started = now();
      await ffmpegCli(tools.ffmpegPath, ['-nostdin', '-v', 'error', '-y', '-i', mp3, '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', bareOut]);
      bareTimes.push(now() - started);
      bareSamples = (await readMonoPcmInfo(bareOut)).samples;
      await rm(bareOut);

      const ourOut = path.join(dir, `ours-${rep}.wav`);
      started = now();
      const container = await sniffMedia(mp3);
      const sniffed = now();
      const probe = await probeMedia(mp3, { maxSeconds: env.MAX_MEDIA_SECONDS, container, tools });
      const probed = now();
      await normaliseAudio(mp3, ourOut, {
        timeoutMs: env.FFMPEG_TIMEOUT_MS,
        container: probe.container,
        maxSeconds: env.MAX_MEDIA_SECONDS,
        tools,
      });
      const normalised = now();
      ourTimes.push(normalised - started);
      parts.sniff.push(sniffed - started);
      parts.probe.push(probed - sniffed);
      parts.normalise.push(normalised - probed);
      await assertAudible(ourOut); // the task's next step; reported apart, not part of the comparison
      parts.audible.push(now() - normalised);
      ourSamples = (await readMonoPcmInfo(ourOut)).samples;
      await rm(ourOut);
    }
    const ours = median(ourTimes) / 1000;
    const bare = median(bareTimes) / 1000;
    report.info('runs_s', {
      ours: ourTimes.map((ms) => (ms / 1000).toFixed(2)).join(','),
      bare: bareTimes.map((ms) => (ms / 1000).toFixed(2)).join(','),
    });
    report.ratio('prep_s', ours, bare, { unit: ' s', max: 1.1, label: 'ffmpeg_cli' });
    report.info('ours_breakdown_ms', {
      sniff: median(parts.sniff),
      ffprobe: median(parts.probe),
      normalise: median(parts.normalise),
      assert_audible_after: median(parts.audible),
    });
    report.info('speed_x_realtime', { ours: SECONDS / ours, ffmpeg_cli: SECONDS / bare });
    report.info('output_samples', { ours: ourSamples, ffmpeg_cli: bareSamples, same: ourSamples === bareSamples ? 'yes' : 'NO' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ffmpegCli(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr.slice(-500)}`))));
  });
}
