// The one place ffmpeg commands are built and run, through fluent-ffmpeg. What it keeps from
// runTool (./run.ts): only the file protocol and a forced demuxer on the input, a hard timeout and
// SIGKILL on abort (both also before the process has started), bounded stderr, no stdin.
// ffprobe stays on runTool: fluent-ffmpeg's ffprobe has no timeout, cannot be killed and collects
// all of stdout. Its `progress` event is not used either: it starts an ffprobe of the input without
// our input options; progress comes from ffmpeg's own `-progress` lines instead.
import ffmpeg, { type FfmpegCommand } from 'fluent-ffmpeg';
import { abortError, runTool, watchdog, type MediaTools } from './run.ts';
import { demuxerFor, type MediaContainer } from './sniff.ts';

/** The input options shared by ffprobe and ffmpeg: file protocol only, one demuxer, forced. */
export function inputOptions(container: MediaContainer): string[] {
  const demuxer = demuxerFor[container];
  return ['-protocol_whitelist', 'file', '-format_whitelist', demuxer, '-f', demuxer];
}

/** "file:" so that a name with a colon or a leading dash is never read as a protocol or an option. */
export const fileUrl = (path: string) => `file:${path}`;

/** An ffmpeg command reading one local file of a known container. Add outputs, then runFfmpeg. */
export function ffmpegCommand(inputPath: string, container: MediaContainer, logLevel: 'error' | 'info' = 'error'): FfmpegCommand {
  return ffmpeg()
    .input(fileUrl(inputPath))
    .inputOptions(inputOptions(container))
    .addOptions(['-nostdin', '-hide_banner', '-nostats', '-v', logLevel, '-y']);
}

interface FfmpegRunOptions {
  timeoutMs: number;
  /** Aborting kills ffmpeg and rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Each `out_time` of ffmpeg's progress report, in seconds (about twice a second). */
  onProgress?: (seconds: number) => void;
  /** How much of the end of stderr to keep (default 8 KiB). */
  stderrKeepBytes?: number;
}

export interface FfmpegResult {
  exitCode: number | null;
  timedOut: boolean;
  /** The end of stderr (progress lines left out), for logs and parsing only (it can contain paths). */
  stderr: string;
}

const STDERR_KEEP = 8 * 1024;
const PROGRESS_LINE = /^[a-z_0-9]+=\S*$/;

/**
 * Binaries known to start. fluent-ffmpeg throws an uncaught TypeError when its ffmpeg cannot be
 * spawned (its end callback reads output buffers that were never made), so each path is tried once
 * with runTool before fluent-ffmpeg is given it.
 */
const runnable = new Set<string>();

async function assertRunnable(bin: string): Promise<void> {
  if (runnable.has(bin)) return;
  await runTool(bin, ['-version'], { timeoutMs: 10_000, maxStdoutBytes: 64 * 1024 });
  runnable.add(bin);
}

/** Resolves when ffmpeg exits (any status); rejects only when it cannot start or on abort. */
export async function runFfmpeg(command: FfmpegCommand, tools: MediaTools, options: FfmpegRunOptions): Promise<FfmpegResult> {
  const { signal, onProgress } = options;
  signal?.throwIfAborted();
  await assertRunnable(tools.ffmpegPath);
  signal?.throwIfAborted();
  if (onProgress) command.addOptions(['-progress', 'pipe:2']);
  const keep = options.stderrKeepBytes ?? STDERR_KEEP;
  return new Promise((resolve, reject) => {
    let stderr = '';
    let started = false;
    let killWanted = false;
    const watch = watchdog(options.timeoutMs, signal, () => {
      killWanted = true;
      if (started) command.kill('SIGKILL');
    });
    const settle = (result: FfmpegResult | Error) => {
      watch.clear();
      if (watch.aborted && signal) reject(abortError(signal));
      else if (result instanceof Error) reject(result);
      else resolve(result);
    };
    command
      .on('start', () => {
        started = true;
        if (killWanted) command.kill('SIGKILL');
      })
      .on('stderr', (line: string) => {
        if (PROGRESS_LINE.test(line)) {
          const progress = /^out_time_(us|ms)=(\d+)$/.exec(line);
          if (progress && onProgress) onProgress(Number(progress[2]) / 1e6);
          return;
        }
        stderr = `${stderr}${line}\n`.slice(-keep);
      })
      .on('end', () => settle({ exitCode: 0, timedOut: watch.timedOut, stderr }))
      .on('error', (error: Error) => {
        // Before the start: fluent-ffmpeg's own checks (formats, codecs) refused the command.
        if (!started) return settle(new Error(`Could not run ${tools.ffmpegPath}: ${error.message}`));
        const exited = /ffmpeg exited with code (\d+)/.exec(error.message);
        settle({ exitCode: exited ? Number(exited[1]) : null, timedOut: watch.timedOut, stderr });
      });
    // fluent-ffmpeg keeps the binary's path process-wide: set just before the run, from the same env.
    command.setFfmpegPath(tools.ffmpegPath);
    command.run();
  });
}
