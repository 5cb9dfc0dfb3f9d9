// Streams one take to its live session: each MediaRecorder chunk gets the next `seq` and is sent by
// `appendLiveAudio` over the app's graphql-ws socket, one at a time and in order. When the
// connection drops, the take keeps recording into memory; the upload asks the session for its
// `nextSeq` (every chunk before it was applied) and resends from there once the server answers.
import type { Client } from '@urql/core';
import { ApiError, toApiError } from '../../api/client.ts';
import { AppendRecordingAudioMutation, RecordingSessionSeqQuery } from '../../api/operations.ts';

export type UploadState =
  | { kind: 'sending' }
  | { kind: 'reconnecting'; resumeFrom: number | null; reason: string }
  | { kind: 'failed'; message: string };

/** A send that has not answered by then counts as lost (the socket may be half-open). */
const SEND_TIMEOUT_MS = 10_000;
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];
/** Give up after this long without getting through. */
const GIVE_UP_MS = 120_000;
/** Codes worth trying again: the connection, the server's rate limit. Anything else ends the take. */
const RETRYABLE = new Set(['NETWORK_ERROR', 'RATE_LIMITED', 'TIMEOUT']);

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ApiError('The server did not answer in time.', 'TIMEOUT', 504)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class LiveUpload {
  readonly #chunks: string[] = [];
  #next = 0;
  #pumping: Promise<void> | null = null;
  #failed: ApiError | null = null;
  #closed = false;

  constructor(
    readonly client: Client,
    readonly sessionId: string,
    readonly onState: (state: UploadState) => void,
  ) {}

  /** Chunks sent and applied so far. */
  get sent(): number {
    return this.#next;
  }

  get total(): number {
    return this.#chunks.length;
  }

  push(bytes: Uint8Array): void {
    if (this.#closed || bytes.length === 0) return;
    this.#chunks.push(toBase64(bytes));
    this.#pump();
  }

  /** Resolves once every chunk pushed so far is applied; rejects when the upload gave up. */
  async drain(): Promise<void> {
    while (this.#pumping) await this.#pumping;
    if (this.#failed) throw this.#failed;
  }

  /** Stops sending (a discarded take). */
  close(): void {
    this.#closed = true;
  }

  #pump(): void {
    if (this.#pumping || this.#failed) return;
    this.#pumping = this.#run().finally(() => {
      this.#pumping = null;
      if (!this.#closed && !this.#failed && this.#next < this.#chunks.length) this.#pump();
    });
  }

  async #run(): Promise<void> {
    /** Since when no append got through (null: all well); the notice stays up until one does. */
    let troubleSince: number | null = null;
    let askSeq = false;
    let attempt = 0;
    while (!this.#closed && this.#next < this.#chunks.length) {
      try {
        if (askSeq) {
          // Back after a loss: the session says which chunk it expects next.
          const answer = await withTimeout(this.client.query(RecordingSessionSeqQuery, { id: this.sessionId }).toPromise(), SEND_TIMEOUT_MS);
          if (answer.error) throw toApiError(answer.error);
          const session = answer.data?.liveSession;
          if (!session) throw new ApiError('The recording session is gone.', 'NOT_FOUND', 404);
          if (session.status !== 'ACTIVE') throw new ApiError(`The recording session has ended (${session.status}).`, 'CONFLICT', 409);
          this.#next = Math.min(session.nextSeq, this.#chunks.length);
          askSeq = false;
          continue;
        }
        const seq = this.#next;
        const result = await withTimeout(
          this.client
            .mutation(AppendRecordingAudioMutation, { sessionId: this.sessionId, seq, chunk: this.#chunks[seq]! }, { overSocket: true })
            .toPromise(),
          SEND_TIMEOUT_MS,
        );
        if (result.error) throw toApiError(result.error);
        this.#next = Math.max(this.#next, seq + 1);
        if (troubleSince !== null) {
          troubleSince = null;
          attempt = 0;
          this.onState({ kind: 'sending' });
        }
      } catch (error) {
        const failure = error instanceof ApiError ? error : new ApiError((error as Error).message, 'NETWORK_ERROR', 503);
        if (!RETRYABLE.has(failure.code)) return this.#fail(failure);
        troubleSince ??= Date.now();
        if (Date.now() - troubleSince > GIVE_UP_MS) {
          return this.#fail(new ApiError('The connection to the server was lost for too long; this take could not be sent.', failure.code, failure.status));
        }
        this.onState({ kind: 'reconnecting', resumeFrom: this.#next, reason: failure.message });
        await delay(RETRY_DELAYS_MS[Math.min(attempt, RETRY_DELAYS_MS.length - 1)]!);
        attempt += 1;
        askSeq = true;
      }
    }
  }

  #fail(error: ApiError): void {
    this.#failed = error;
    this.onState({ kind: 'failed', message: error.message });
  }
}
