/**
 * transcriptChunks(sessionId:): interim and final chunks of a live session as the engine produces
 * them. Events arrive through LISTEN/NOTIFY (see runtime.ts); every one is re-read with the
 * subscriber's authorization before it is sent: finals from live_segments, interims from the
 * event itself (or from the session row when the text was too large for NOTIFY).
 */
import type { Context } from '../context.ts';
import type { LiveSegment } from '../db.ts';
import { topics } from '../pubsub.ts';
import { coalesce } from '../coalesce.ts';
import { indexedSegmentFromStored, type IndexedSegment } from '../transcripts/storedSegments.ts';
import { findVisibleSession, ownsSession } from '../services/liveSessions.ts';

export interface LiveChunkShape {
  jobId: string | null;
  sessionId: string | null;
  segment: IndexedSegment;
  isFinal: boolean;
}

interface StoredInterim {
  index: number;
  start: number;
  end: number;
  text: string;
}

/**
 * A subscription's event stream whose `return()` (the client unsubscribed, the socket closed) takes
 * effect at once: an async generator waiting for its next event would only see the request when
 * that event arrived, keeping its listener until then.
 */
export function abortable<T>(make: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const abort = new AbortController();
  const inner = make(abort.signal);
  const outer: AsyncGenerator<T> = {
    next: (...args) => inner.next(...args),
    return: (value) => {
      abort.abort();
      return inner.return(value as never);
    },
    throw: (error) => {
      abort.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => outer,
    [Symbol.asyncDispose]: async () => {
      await outer.return(undefined as never);
    },
  };
  return outer;
}

export function sessionChunkEvents(context: Context, sessionId: string): AsyncGenerator<LiveChunkShape> {
  return abortable((signal) => sessionChunkStream(context, sessionId, signal));
}

async function* sessionChunkStream(context: Context, sessionId: string, signal: AbortSignal): AsyncGenerator<LiveChunkShape> {
  const { subscriber, db } = context.deps;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  const viewer = context.viewer!;
  const abort = new AbortController();
  signal.addEventListener('abort', () => abort.abort(), { once: true });
  // Listening starts before the session is read, so nothing published in between is missed.
  const events = subscriber.subscribe(topics.sessionChunks(sessionId), abort.signal);
  try {
    const session = await findVisibleSession(context.deps, viewer, sessionId);
    if (session.status !== 'ACTIVE') return;
    // A project member sees the session through its project (checked above); its owner never changes.
    const throughProject = !ownsSession(viewer, session);
    for await (const event of events) {
      if (event.done) return;
      const index = Number(event.index);
      if (!Number.isInteger(index)) continue;
      // Each event re-reads the session (and the final segment it names) and checks this
      // subscriber's visibility on the fresh row. Every subscriber got the same event, so they
      // share one read.
      const inline = typeof event.text === 'string';
      const read = await coalesce(db, `live:${sessionId}:${index}:${event.isFinal === true}:${inline}`, () =>
        db.liveSession.findUnique({
          where: { id: sessionId },
          select: {
            ownerId: true,
            projectId: true,
            interim: !inline && event.isFinal !== true,
            segments: event.isFinal === true ? { where: { idx: index } } : false,
          },
        }),
      );
      if (!read || !(throughProject ? read.projectId === session.projectId : ownsSession(viewer, read))) return; // gone: ends like a missing session
      if (event.isFinal === true) {
        const [row] = (read as { segments?: LiveSegment[] }).segments ?? [];
        if (row) yield { jobId: null, sessionId, segment: indexedSegmentFromStored(row), isFinal: true };
        continue;
      }
      let interim: StoredInterim | null = null;
      if (inline) {
        interim = { index, start: Number(event.start), end: Number(event.end), text: String(event.text) };
      } else {
        const stored = (read as { interim?: StoredInterim | null }).interim;
        if (stored && stored.index === index) interim = stored;
      }
      if (!interim) continue;
      yield {
        jobId: null,
        sessionId,
        isFinal: false,
        segment: { index, start: interim.start, end: interim.end, text: interim.text, speaker: null, words: [] },
      };
    }
  } finally {
    abort.abort();
    await events.return(undefined);
  }
}
