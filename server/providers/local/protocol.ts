/**
 * Messages between `StreamingDecoder` (main thread) and `decoderWorker.ts` (one worker thread
 * per decoder). Audio travels as transferred ArrayBuffers of s16le samples, at most 500 ms each.
 */
import type { RecognizedSegment, RecognizerOptions } from './recognizer.ts';

export interface WorkerInit {
  library: string;
  modelDir: string;
  decoderArgs?: RecognizerOptions['decoderArgs'];
  maxUtteranceSeconds?: number;
  /** Words to add to the decoder's dictionary (vocabulary). */
  words?: RecognizerOptions['words'];
  /** Int32Array(1) over shared memory: set to 1 to make the worker free its decoder and exit. */
  cancel: SharedArrayBuffer;
}

export type ToWorker =
  | { type: 'audio'; samples: ArrayBuffer }
  | { type: 'flush'; id: number }
  | { type: 'end' }
  /** End the stream (its last 'final' is sent) and start a new one on the same decoder, as if fresh. */
  | { type: 'restart'; id: number }
  /** Free the decoder and exit now (queued audio is skipped once `cancel` is set). */
  | { type: 'destroy' };

export type FromWorker =
  /** `refusedWords`: words of `WorkerInit.words` the decoder did not take. */
  | { type: 'ready'; refusedWords?: string[]; restartable?: boolean }
  | { type: 'partial'; text: string }
  | { type: 'final'; segment: RecognizedSegment }
  /** Total samples decoded so far, sent after each audio message. */
  | { type: 'progress'; samples: number }
  | { type: 'flushed'; id: number }
  | { type: 'ended' }
  | { type: 'restarted'; id: number }
  | { type: 'error'; kind: 'unavailable' | 'failed'; message: string };
