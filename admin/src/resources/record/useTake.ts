// One take: a live session (for a project's prompt on the Record screen, or the Live page's own with
// its vocabulary), MediaRecorder (WebM/Opus) chunks streamed through LiveUpload, the session's
// transcript chunks (interim and final) shown as they arrive; then stop, listen back, and submit
// (endLiveSession: a prompt's take goes to review) or discard to record again.
import { useCallback, useEffect, useRef, useState } from 'react';
import { useClient } from 'urql';
import { toApiError, unwrap } from '../../api/client.ts';
import {
  DiscardRecordingSessionMutation,
  EndRecordingSessionMutation,
  RecordingTranscriptSubscription,
  StartRecordingSessionMutation,
} from '../../api/operations.ts';
import type { StartLiveSessionInput } from '../../gql/graphql.ts';
import { LiveUpload, type UploadState } from './liveUpload.ts';

/** What a take's session starts with, besides the recorder's encoding. */
export type TakeSessionInput = Omit<StartLiveSessionInput, 'encoding' | 'sampleRate'>;

export type TakePhase = 'idle' | 'starting' | 'recording' | 'stopping' | 'review' | 'submitting' | 'submitted';

/** How often MediaRecorder hands over a chunk: the latency of the interim text, and the size of a lost chunk. */
const TIMESLICE_MS = 250;
const MIME_TYPE = 'audio/webm;codecs=opus';

export interface Take {
  phase: TakePhase;
  /** Final text so far, then the current interim text. */
  finalText: string;
  interimText: string;
  upload: UploadState | null;
  /** The session of the take in progress or last submitted; null before a start and after a discard. */
  sessionId: string | null;
  /** A blob: URL of the take, for listening back. */
  playbackUrl: string | null;
  error: string | null;
  start: () => Promise<void>;
  /** True when the take is kept for review (every chunk reached the server). */
  stop: () => Promise<boolean>;
  submit: () => Promise<boolean>;
  discard: () => Promise<void>;
}

export function supportsWebmOpus(): boolean {
  return typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(MIME_TYPE);
}

/**
 * `session`: null while there is nothing to record. `resetKey`: a new value (the next prompt) starts
 * a fresh take and drops the one not submitted.
 */
export function useTake(session: TakeSessionInput | null, resetKey: string | null, stream: MediaStream | null): Take {
  const client = useClient();
  // Read when a take starts: the caller may pass a new object on every render.
  const sessionInput = useRef(session);
  sessionInput.current = session;
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [phase, setPhase] = useState<TakePhase>('idle');
  const [segments, setSegments] = useState<Map<number, { text: string; isFinal: boolean }>>(new Map());
  const [upload, setUpload] = useState<UploadState | null>(null);
  const [playbackUrl, setPlaybackUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const live = useRef<{
    sessionId: string;
    uploader: LiveUpload;
    recorder: MediaRecorder;
    blobs: Blob[];
    unsubscribe: () => void;
    pending: Promise<void>;
  } | null>(null);

  const reset = useCallback(() => {
    live.current?.unsubscribe();
    live.current?.uploader.close();
    live.current = null;
    setSegments(new Map());
    setUpload(null);
    setPlaybackUrl((url) => {
      if (url) URL.revokeObjectURL(url);
      return null;
    });
  }, []);

  // A new prompt starts a fresh take; leaving the screen drops what was not submitted.
  useEffect(() => {
    setPhase('idle');
    setError(null);
    setSessionId(null);
    return () => {
      const current = live.current;
      if (current && current.recorder.state !== 'inactive') current.recorder.stop();
      reset();
    };
  }, [resetKey, reset]);

  const start = useCallback(async () => {
    const input = sessionInput.current;
    if (!stream || !input) return;
    reset();
    setError(null);
    setSessionId(null);
    setPhase('starting');
    try {
      const started = unwrap(
        await client.mutation(StartRecordingSessionMutation, { input: { ...input, encoding: 'WEBM_OPUS', sampleRate: 48_000 } }).toPromise(),
      ).startLiveSession;
      const sessionId = started.id;
      setSessionId(sessionId);
      const subscription = client.subscription(RecordingTranscriptSubscription, { sessionId }).subscribe((result) => {
        const chunk = result.data?.transcriptChunks;
        if (!chunk) return;
        setSegments((previous) => new Map(previous).set(chunk.segment.index, { text: chunk.segment.text, isFinal: chunk.isFinal }));
      });
      const uploader = new LiveUpload(client, sessionId, setUpload);
      const recorder = new MediaRecorder(stream, { mimeType: MIME_TYPE });
      const blobs: Blob[] = [];
      // Chunks are read in the order they come, so each gets the next seq.
      let pending = Promise.resolve();
      recorder.ondataavailable = (event) => {
        if (event.data.size === 0) return;
        blobs.push(event.data);
        pending = pending.then(async () => uploader.push(new Uint8Array(await event.data.arrayBuffer())));
        if (live.current) live.current.pending = pending;
      };
      live.current = { sessionId, uploader, recorder, blobs, unsubscribe: () => subscription.unsubscribe(), pending };
      recorder.start(TIMESLICE_MS);
      setUpload({ kind: 'sending' });
      setPhase('recording');
    } catch (failure) {
      setError((failure as Error).message);
      setPhase('idle');
    }
  }, [client, reset, stream]);

  const stop = useCallback(async () => {
    const current = live.current;
    if (!current) return false;
    setPhase('stopping');
    await new Promise<void>((resolve) => {
      current.recorder.addEventListener('stop', () => resolve(), { once: true });
      current.recorder.stop();
    });
    try {
      await current.pending;
      await current.uploader.drain();
      setPlaybackUrl(URL.createObjectURL(new Blob(current.blobs, { type: current.recorder.mimeType || 'audio/webm' })));
      setPhase('review');
      return true;
    } catch (failure) {
      setError(`${(failure as Error).message} Record again.`);
      setPhase('idle');
      return false;
    }
  }, []);

  const submit = useCallback(async () => {
    const current = live.current;
    if (!current) return false;
    setPhase('submitting');
    const result = await client.mutation(EndRecordingSessionMutation, { id: current.sessionId }).toPromise();
    if (result.error) {
      setError(toApiError(result.error).message);
      setPhase('review');
      return false;
    }
    reset();
    setPhase('submitted');
    return true;
  }, [client, reset]);

  const discard = useCallback(async () => {
    const current = live.current;
    if (current) {
      if (current.recorder.state !== 'inactive') current.recorder.stop();
      current.uploader.close();
      // Gone already (ended by the idle timer, say): nothing to drop.
      await client.mutation(DiscardRecordingSessionMutation, { id: current.sessionId }).toPromise();
    }
    reset();
    setError(null);
    setSessionId(null);
    setPhase('idle');
  }, [client, reset]);

  const ordered = [...segments.entries()].sort(([a], [b]) => a - b).map(([, segment]) => segment);
  return {
    phase,
    finalText: ordered.filter((segment) => segment.isFinal).map((segment) => segment.text).join(' '),
    interimText: ordered.filter((segment) => !segment.isFinal).map((segment) => segment.text).join(' '),
    upload,
    sessionId,
    playbackUrl,
    error,
    start,
    stop,
    submit,
    discard,
  };
}
