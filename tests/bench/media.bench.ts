/**
 * Media prep: our prepareAudio of a 30-minute MP3 (what the transcribe task does before chunking:
 * sniff, ffprobe alongside the decode, the silence check), for media the worker sees first (a URL
 * job: the probe runs here) against the plain ffmpeg command line doing the same decode:
 * `ffmpeg -i in.mp3 -ac 1 -ar 16000 -c:a pcm_s16le out.wav`. Runs alternate, the file is in the page
 * cache before either starts, and the median of REPS runs counts. Goal: at most 1.1x. Also
 * printed: an uploaded file (probed at submission, so no probe here) and the probe on its own.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadEnv } from '../../server/env.ts';
import { prepareAudio } from '../../server/media/prepare.ts';
import { probeMedia } from '../../server/media/probe.ts';
import { mediaToolsFromEnv } from '../../server/media/run.ts';
import { readMonoPcmInfo } from '../../server/media/wav.ts';
import { speechMp3 } from './lib/fixtures.ts';
import { BenchReport } from './lib/report.ts';
import { median, now } from './lib/stats.ts';

export const name = 'media';
export const description = 'prepareAudio (sniff, ffprobe alongside the decode, silence check) of a 30-minute MP3 vs the ffmpeg command line';

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
    const uploadedTimes: number[] = [];
    const probeTimes: number[] = [];
    let bareSamples = 0;
    let ourSamples = 0;
    const options = { timeoutMs: env.FFMPEG_TIMEOUT_MS, maxSeconds: env.MAX_MEDIA_SECONDS, tools };
    for (let rep = 0; rep < REPS; rep++) {
      const bareOut = path.join(dir, `bare-${rep}.wav`);
      let started = now();
      await ffmpegCli(tools.ffmpegPath, ['-nostdin', '-v', 'error', '-y', '-i', mp3, '-ac', '1', '-ar', '16000', '-c:a', 'pcm_s16le', bareOut]);
      bareTimes.push(now() - started);
      bareSamples = (await readMonoPcmInfo(bareOut)).samples;
      await rm(bareOut);

      const ourOut = path.join(dir, `ours-${rep}.wav`);
      started = now();
      await prepareAudio(mp3, ourOut, options);
      ourTimes.push(now() - started);
      ourSamples = (await readMonoPcmInfo(ourOut)).samples;
      await rm(ourOut);

      started = now();
      await prepareAudio(mp3, ourOut, { ...options, probed: true });
      uploadedTimes.push(now() - started);
      await rm(ourOut);

      started = now();
      await probeMedia(mp3, { maxSeconds: env.MAX_MEDIA_SECONDS, tools });
      probeTimes.push(now() - started);
    }
    const ours = median(ourTimes) / 1000;
    const bare = median(bareTimes) / 1000;
    report.info('runs_s', {
      ours: ourTimes.map((ms) => (ms / 1000).toFixed(2)).join(','),
      bare: bareTimes.map((ms) => (ms / 1000).toFixed(2)).join(','),
    });
    report.ratio('prep_s', ours, bare, { unit: ' s', max: 1.1, label: 'ffmpeg_cli' });
    report.info('uploaded_prep_s', { ours: median(uploadedTimes) / 1000, ratio: median(uploadedTimes) / median(bareTimes) });
    report.info('probe_alone_ms', { ffprobe: median(probeTimes) });
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
