// What the protocol fakes of cloud APIs share: recorded requests, scripted failures (fail, drop,
// delay) taken in order, body reading, and recognising audio. Each fake formats its own errors.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}

/** A scripted misbehaviour for one coming request (for `path` only, when given). */
export type Interceptor =
  | { kind: 'fail'; status: number; headers: Record<string, string>; body?: unknown; path?: string }
  | { kind: 'drop'; path?: string }
  | { kind: 'delay'; ms: number; path?: string }
  | { kind: 'hold'; held: HeldRequest; path?: string };

export type FailInterceptor = Extract<Interceptor, { kind: 'fail' }>;

/**
 * A request the fake keeps unanswered until the test calls `release()` (a slow engine), noting
 * whether its client gave up and closed the connection while it waited.
 */
export class HeldRequest {
  /** Resolves when the request has arrived (its body read) and is being held. */
  readonly arrived: Promise<void>;
  /** Set when the client closed the connection before the answer. */
  clientLeft = false;
  #arrive!: () => void;
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));

  constructor() {
    this.arrived = new Promise<void>((resolve) => (this.#arrive = resolve));
  }

  release(): void {
    this.#release();
  }

  /** Resolves once the request is held; rejects after `timeoutMs` (a generous bound for busy machines). */
  async arrival(timeoutMs = 60_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the held request did not arrive within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.arrived, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Holds `res` until released or until its client leaves; true when the client left. */
  async hold(res: ServerResponse): Promise<boolean> {
    const left = new Promise<true>((resolve) => res.once('close', () => resolve(true)));
    this.#arrive();
    const gone = await Promise.race([this.#released.then(() => false), left]);
    if (gone) this.clientLeft = true;
    return gone;
  }
}

/** Scripted failures, taken first in, first out by the requests they match. */
export class Interceptors {
  #queue: Interceptor[] = [];

  push(interceptor: Interceptor, times: number): void {
    for (let i = 0; i < times; i += 1) this.#queue.push(interceptor);
  }

  take(path: string): Interceptor | undefined {
    const index = this.#queue.findIndex((item) => !item.path || item.path === path);
    return index < 0 ? undefined : this.#queue.splice(index, 1)[0];
  }

  clear(): void {
    this.#queue = [];
  }
}

/**
 * Plays the request's interceptor: a drop closes the socket, a delay waits, a hold waits for the test. Answers 'done' when the
 * request is over (dropped, or its client left while waiting), the interceptor when it is a failure
 * for the fake to answer in its own format, and null when the request goes on normally.
 */
export async function playInterceptor(
  interceptor: Interceptor | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  record: RecordedRequest,
): Promise<'done' | FailInterceptor | null> {
  if (interceptor?.kind === 'drop') {
    record.status = -1;
    req.socket.destroy();
    return 'done';
  }
  if (interceptor?.kind === 'delay') {
    await new Promise((resolve) => setTimeout(resolve, interceptor.ms));
    if (res.destroyed || req.socket.destroyed) {
      record.status = -1;
      return 'done';
    }
  }
  if (interceptor?.kind === 'hold' && (await interceptor.held.hold(res))) {
    record.status = -1;
    return 'done';
  }
  return interceptor?.kind === 'fail' ? interceptor : null;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function headerValue(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The container magic numbers both APIs accept (wav, mp3, flac, ogg, mp4/m4a, webm). */
export function looksLikeAudio(bytes: Buffer): boolean {
  if (bytes.length < 12) return false;
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  return (
    (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') ||
    ascii(0, 3) === 'ID3' ||
    (bytes[0] === 0xff && (bytes[1] & 0xe0) === 0xe0) ||
    ascii(0, 4) === 'fLaC' ||
    ascii(0, 4) === 'OggS' ||
    ascii(4, 8) === 'ftyp' ||
    bytes.readUInt32BE(0) === 0x1a45dfa3
  );
}

/** Where a PCM WAV's samples are, from its header; null when it is not one. */
export function wavHeader(bytes: Buffer): { byteRate: number; dataOffset: number; dataSize: number } | null {
  if (bytes.length < 12 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') return null;
  let offset = 12;
  let byteRate = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 16 <= bytes.length) byteRate = bytes.readUInt32LE(offset + 16);
    if (id === 'data') return byteRate ? { byteRate, dataOffset: offset + 8, dataSize: size } : null;
    offset += 8 + size + (size % 2);
  }
  return null;
}

/** Duration of a PCM WAV file from its header, or null when it is not one. */
export function wavDurationSeconds(bytes: Buffer): number | null {
  const header = wavHeader(bytes);
  if (!header) return null;
  return Math.min(header.dataSize, bytes.length - header.dataOffset) / header.byteRate;
}
