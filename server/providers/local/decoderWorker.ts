/**
 * Worker-thread entry: owns one PocketSphinx decoder for the life of the thread. Started by
 * `StreamingDecoder` with `workerData: WorkerInit`; speaks the protocol in protocol.ts. Loaded by
 * Node's built-in type stripping (or tsx when the parent runs under it), so the files it imports
 * stay erasable TypeScript.
 */
import type { MessagePort } from 'node:worker_threads';
import { parentPort, workerData } from 'node:worker_threads';
import { EngineUnavailableError, loadPocketSphinx } from './binding.ts';
import { ModelNotFoundError, resolveModelFiles } from './model.ts';
import type { FromWorker, ToWorker, WorkerInit } from './protocol.ts';
import { Recognizer } from './recognizer.ts';

function requireParentPort(): MessagePort {
  if (!parentPort) throw new Error('decoderWorker.ts must run in a worker thread');
  return parentPort;
}

const port = requireParentPort();
const post = (message: FromWorker): void => port.postMessage(message);

function fail(error: unknown): void {
  const unavailable = error instanceof EngineUnavailableError || error instanceof ModelNotFoundError;
  post({ type: 'error', kind: unavailable ? 'unavailable' : 'failed', message: (error as Error).message ?? String(error) });
}

async function start(init: WorkerInit): Promise<void> {
  const api = await loadPocketSphinx(init.library);
  const model = resolveModelFiles(init.modelDir);
  const recognizer = new Recognizer(
    api,
    { model, decoderArgs: init.decoderArgs, maxUtteranceSeconds: init.maxUtteranceSeconds },
    (event) => post(event),
  );
  let samples = 0;
  let failed = false;
  port.on('message', (message: ToWorker) => {
    if (failed) return;
    try {
      if (message.type === 'audio') {
        const pcm = new Int16Array(message.samples);
        recognizer.process(pcm);
        samples += pcm.length;
        post({ type: 'progress', samples });
      } else if (message.type === 'flush') {
        post({ type: 'flushed', id: message.id });
      } else if (message.type === 'end') {
        recognizer.end();
        recognizer.free();
        post({ type: 'ended' });
        port.close();
      }
    } catch (error) {
      failed = true;
      recognizer.free();
      fail(error);
    }
  });
  post({ type: 'ready' });
}

start(workerData as WorkerInit).catch(fail);
