// Runs ffmpeg/ffprobe: no shell, no stdin, a hard timeout, SIGKILL on abort, bounded output capture.
import { spawn } from 'node:child_process';

/** Where the binaries are. Defaults to the system ones on PATH. */
export interface MediaTools {
  ffmpegPath: string;
  ffprobePath: string;
}

export const defaultMediaTools: MediaTools = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe' };

/** FFMPEG_PATH / FFPROBE_PATH from the validated env, else the system binaries. */
export function mediaToolsFromEnv(env: { FFMPEG_PATH?: string; FFPROBE_PATH?: string }): MediaTools {
  return {
    ffmpegPath: env.FFMPEG_PATH || defaultMediaTools.ffmpegPath,
    ffprobePath: env.FFPROBE_PATH || defaultMediaTools.ffprobePath,
  };
}

interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Cap on collected stdout; the process is killed beyond it. */
  maxStdoutBytes?: number;
  /** How much of the end of stderr to keep (default 8 KiB). */
  stderrKeepBytes?: number;
}

interface RunResult {
  exitCode: number | null;
  killedBy: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  /** The last few KiB of stderr, for logs only (it can contain paths). */
  stderr: string;
}

const STDERR_KEEP = 8 * 1024;

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Calls `kill` once `timeoutMs` have passed or `signal` aborts, and says which; `clear` when the
 * process has ended. The one timeout and abort rule of every media tool run.
 */
export function watchdog(timeoutMs: number, signal: AbortSignal | undefined, kill: () => void) {
  const state = {
    timedOut: false,
    aborted: false,
    clear: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
  const timer = setTimeout(() => {
    state.timedOut = true;
    kill();
  }, timeoutMs);
  const onAbort = () => {
    state.aborted = true;
    kill();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  return state;
}

/** Resolves when the process exits (any status); rejects only when it cannot start or on abort. */
export function runTool(bin: string, args: string[], options: RunOptions): Promise<RunResult> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const stdoutParts: Buffer[] = [];
    let stdoutBytes = 0;
    let stdoutOverflow = false;
    let stderr = '';
    let settled = false;

    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const watch = watchdog(options.timeoutMs, signal, kill);
    child.stdout.on('data', (data: Buffer) => {
      stdoutBytes += data.length;
      if (options.maxStdoutBytes !== undefined && stdoutBytes > options.maxStdoutBytes) {
        stdoutOverflow = true;
        kill();
        return;
      }
      stdoutParts.push(data);
    });
    child.stderr.on('data', (data: Buffer) => {
      stderr = (stderr + data.toString('utf8')).slice(-(options.stderrKeepBytes ?? STDERR_KEEP));
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      watch.clear();
      kill();
      reject(new Error(`Could not run ${bin}: ${error.code ?? error.message}`));
    });
    child.on('close', (exitCode, killedBy) => {
      if (settled) return;
      settled = true;
      watch.clear();
      if (watch.aborted && signal) return reject(abortError(signal));
      resolve({
        exitCode: stdoutOverflow ? null : exitCode,
        killedBy,
        timedOut: watch.timedOut,
        stdout: Buffer.concat(stdoutParts).toString('utf8'),
        stderr: stdoutOverflow ? `${stderr}\n(output exceeded ${options.maxStdoutBytes} bytes)` : stderr,
      });
    });
  });
}

/** Tool output with the input path replaced, for the `detail` of an error. */
export function scrubPaths(text: string, ...paths: string[]): string {
  let scrubbed = text;
  for (const path of paths) if (path) scrubbed = scrubbed.split(path).join('<file>');
  return scrubbed.trim();
}
