/**
 * Worker-thread entry: owns one PocketSphinx decoder for the life of the thread. Started by
 * `StreamingDecoder` with `workerData: WorkerInit`; speaks the protocol in protocol.ts. Loaded by
 * Node's built-in type stripping (or tsx when the parent runs under it), so the files it imports
 * stay erasable TypeScript.
 *
 * The thread always frees its decoder before it exits (terminating a worker would leak the
 * decoder's ~100 MB of C memory), including when the main thread cancels it.
 */
import type { MessagePort } from 'node:worker_threads';
import { parentPort, workerData } from 'node:worker_threads';
import { EngineUnavailableError, loadPocketSphinx } from './binding.ts';
import { ModelNotFoundError, resolveModelFiles } from './model.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { Recognizer } from './recognizer.ts';
import { createStreamReset, type StreamReset } from './streamReset.ts';

function requireParentPort(): MessagePort {
  if (!parentPort) throw new Error('decoderWorker.ts must run in a worker thread');
  return parentPort;
}

const port = requireParentPort();
const init = workerData as WorkerInit;
const cancel = new Int32Array(init.cancel);
const cancelled = (): boolean => Atomics.load(cancel, 0) === 1;
const post = (message: FromWorker): void => port.postMessage(message);
let recognizer: Recognizer | null = null;
let resetStream: StreamReset | null = null;

/** Frees the decoder and closes the port; the thread then exits on its own. */
function shutdown(): void {
  recognizer?.free();
  recognizer = null;
  port.close();
}

function fail(error: unknown): void {
  const unavailable = error instanceof EngineUnavailableError || error instanceof ModelNotFoundError;
  const message = error instanceof Error ? error.message : String(error);
  post({ type: 'error', kind: unavailable ? 'unavailable' : 'failed', message });
  shutdown();
}

function handle(message: ToWorker, active: Recognizer): void {
  if (message.type === 'audio') {
    active.process(new Int16Array(message.samples));
    post({ type: 'progress', samples: active.samplesFed });
  } else if (message.type === 'flush') {
    post({ type: 'flushed', id: message.id });
  } else if (message.type === 'end') {
    active.end();
    post({ type: 'ended' });
    shutdown();
  } else if (message.type === 'restart') {
    if (!resetStream) throw new Error('This decoder cannot be restarted');
    active.end();
    active.restart(resetStream);
    post({ type: 'restarted', id: message.id });
  }
}

async function start(): Promise<void> {
  const api = await loadPocketSphinx(init.library);
  const model = resolveModelFiles(init.modelDir);
  recognizer = new Recognizer(
    api,
    { model, decoderArgs: init.decoderArgs, maxUtteranceSeconds: init.maxUtteranceSeconds, words: init.words },
    (event) => post(event),
  );
  resetStream = await createStreamReset(init.library, recognizer.decoder);
  if (cancelled()) {
    shutdown();
    return;
  }
  port.on('message', (message: ToWorker) => {
    const active = recognizer;
    if (!active) return;
    if (cancelled() || message.type === 'destroy') {
      shutdown();
      return;
    }
    try {
      handle(message, active);
    } catch (error) {
      fail(error);
    }
  });
  post({ type: 'ready', refusedWords: recognizer.refusedWords, restartable: resetStream !== null });
}

start().catch(fail);
