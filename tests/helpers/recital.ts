// Recording a prompt through the live API, as a recorder app would: start a session in the
// project, send 16 kHz PCM in 100 ms chunks (faster than real time, inside the server's burst
// allowance), end it, and wait for the worker to turn it into a recording.
import type { TestApp } from './testApp.ts';
import { waitFor } from './wait.ts';

const CHUNK_BYTES = 3200; // 100 ms of 16 kHz s16le

/** Streams `pcm` as one LOCAL live session of the token's user for the prompt; returns the session id once ENDED. */
export async function recordPrompt(t: TestApp, token: string, target: { projectId: string; promptId: string }, pcm: Buffer): Promise<string> {
  const started = await t.gql(
    `mutation ($input: StartLiveSessionInput!) { startLiveSession(input: $input) { id } }`,
    { input: { provider: 'LOCAL', encoding: 'PCM_S16LE', sampleRate: 16000, ...target } },
    { token },
  );
  if (!started.data) throw new Error(`startLiveSession failed: ${started.raw}`);
  const id = started.data.startLiveSession.id as string;
  for (let seq = 0; seq * CHUNK_BYTES < pcm.length; seq += 1) {
    const chunk = pcm.subarray(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES).toString('base64');
    const appended = await t.gql(
      `mutation ($id: ID!, $seq: Int!, $chunk: String!) { appendLiveAudio(sessionId: $id, seq: $seq, chunk: $chunk) }`,
      { id, seq, chunk },
      { token },
    );
    if (appended.data?.appendLiveAudio !== true) throw new Error(`appendLiveAudio ${seq} failed: ${appended.raw}`);
  }
  const ended = await t.gql(`mutation ($id: ID!) { endLiveSession(id: $id) { status } }`, { id }, { token });
  if (ended.data?.endLiveSession?.status !== 'ENDED') throw new Error(`endLiveSession failed: ${ended.raw}`);
  return id;
}

/** Waits (for a job runner) until the session is READY with its recording; returns the recording id. */
export async function waitForRecording(t: TestApp, sessionId: string, timeoutMs = 120_000): Promise<string> {
  return waitFor(
    `session ${sessionId} aggregated into a recording`,
    async () => {
      const session = await t.deps.db.liveSession.findUniqueOrThrow({ where: { id: sessionId }, include: { recording: true } });
      if (session.status === 'FAILED') throw new Error(`session ${sessionId} failed: ${session.error}`);
      return session.status === 'READY' && session.recording?.id;
    },
    timeoutMs,
    200,
  );
}
