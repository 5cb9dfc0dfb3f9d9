/**
 * Turns a session's received bytes into 16 kHz mono s16le PCM for the engines.
 *
 * - PCM_S16LE at 16 kHz passes straight through (an odd trailing byte waits for the next chunk).
 * - Anything else (PCM at another rate, WebM/Opus, Ogg/Opus) goes through one long-lived ffmpeg
 *   child process per session, fed on stdin: only the `pipe` protocol, the demuxer forced
 *   (`-f s16le|webm|ogg`), no probing delay, output flushed packet by packet.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { AudioFormat } from './audioSeconds.ts';
import { LIVE_SAMPLE_RATE } from './types.ts';

interface PcmSink {
  pcm: (pcm: Buffer) => void;
  error: (error: Error) => void;
}

export interface PcmSource {
  write(bytes: Buffer): void;
  /** Resolves once the PCM of everything written has been handed to the sink. */
  end(): Promise<void>;
  destroy(): void;
}

export function createPcmSource(
  format: AudioFormat,
  sink: PcmSink,
  options: { ffmpegPath: string },
): PcmSource {
  if (format.encoding === 'PCM_S16LE' && format.sampleRate === LIVE_SAMPLE_RATE) return new PassthroughPcm(sink);
  return new FfmpegPcm(inputFormatArgs(format), sink, options.ffmpegPath);
}

function inputFormatArgs(format: AudioFormat): string[] {
  switch (format.encoding) {
    case 'PCM_S16LE':
      return ['-format_whitelist', 's16le', '-f', 's16le', '-ar', String(format.sampleRate), '-ac', '1'];
    case 'WEBM_OPUS':
      return ['-format_whitelist', 'matroska', '-f', 'webm'];
    case 'OGG_OPUS':
      return ['-format_whitelist', 'ogg', '-f', 'ogg'];
  }
}

/** Keeps sample alignment across chunks whose length is odd. */
class EvenBytes {
  #carry: Buffer | null = null;

  take(bytes: Buffer): Buffer {
    let input = bytes;
    if (this.#carry) {
      input = Buffer.concat([this.#carry, bytes]);
      this.#carry = null;
    }
    if (input.length % 2 === 1) {
      this.#carry = Buffer.from(input.subarray(input.length - 1));
      input = input.subarray(0, input.length - 1);
    }
    return input;
  }
}

class PassthroughPcm implements PcmSource {
  readonly #even = new EvenBytes();
  constructor(readonly sink: PcmSink) {}

  write(bytes: Buffer): void {
    const pcm = this.#even.take(bytes);
    if (pcm.length > 0) this.sink.pcm(pcm);
  }

  async end(): Promise<void> {}

  destroy(): void {}
}

const STDERR_KEEP = 4096;

class FfmpegPcm implements PcmSource {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #even = new EvenBytes();
  readonly #closed: Promise<number | null>;
  #stderr = '';
  #ending = false;
  #destroyed = false;

  constructor(
    inputArgs: string[],
    readonly sink: PcmSink,
    ffmpegPath: string,
  ) {
    const args = [
      '-nostdin', '-hide_banner', '-v', 'error',
      '-protocol_whitelist', 'pipe',
      '-probesize', '32', '-analyzeduration', '0', '-fflags', 'nobuffer',
      ...inputArgs,
      '-i', 'pipe:0',
      '-map', '0:a:0', '-vn', '-sn', '-dn',
      '-ac', '1', '-ar', String(LIVE_SAMPLE_RATE), '-c:a', 'pcm_s16le',
      '-f', 's16le', '-flush_packets', '1', 'pipe:1',
    ];
    // stdin is the audio itself here, so -nostdin only stops ffmpeg reading keyboard commands.
    this.#child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    this.#child.stdout.on('data', (data: Buffer) => {
      if (this.#destroyed) return;
      const pcm = this.#even.take(data);
      if (pcm.length > 0) this.sink.pcm(pcm);
    });
    this.#child.stderr.on('data', (data: Buffer) => {
      this.#stderr = (this.#stderr + data.toString('utf8')).slice(-STDERR_KEEP);
    });
    this.#child.stdin.on('error', () => {}); // EPIPE after ffmpeg gave up: reported through 'close'
    this.#closed = new Promise((resolve) => {
      this.#child.on('error', (error) => {
        this.#fail(new Error(`ffmpeg could not start: ${error.message}`));
        resolve(null);
      });
      this.#child.on('close', (code) => {
        if (code !== 0 && !this.#destroyed) {
          this.#fail(new Error(`The audio could not be decoded${this.#stderr ? `: ${this.#stderr.trim().split('\n').pop()}` : ''}`));
        } else if (!this.#ending && !this.#destroyed) {
          this.#fail(new Error('The audio decoder stopped unexpectedly'));
        }
        resolve(code);
      });
    });
  }

  #failed = false;
  #fail(error: Error): void {
    if (this.#failed || this.#destroyed) return;
    this.#failed = true;
    this.sink.error(error);
  }

  write(bytes: Buffer): void {
    if (this.#destroyed || this.#ending || this.#failed) return;
    this.#child.stdin.write(bytes);
  }

  async end(): Promise<void> {
    if (this.#destroyed) return;
    this.#ending = true;
    this.#child.stdin.end();
    await this.#closed;
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
  }
}
