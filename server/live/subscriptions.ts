/**
 * transcriptChunks(sessionId:): interim and final chunks of a live session as the engine produces
 * them. Events arrive through LISTEN/NOTIFY (see runtime.ts); every one is re-read with the
 * subscriber's authorization before it is sent: finals from live_segments, interims from the
 * event itself (or from the session row when the text was too large for NOTIFY).
 */
import type { Context } from '../context.ts';
import type { LiveSegment, LiveSession } from '../db/db.ts';
import { topics } from '../pubsub/pubsub.ts';
import { coalesce } from '../pubsub/coalesce.ts';
import { indexedSegmentFromStored, type IndexedSegment } from '../transcripts/storedSegments.ts';
import { findVisibleSession, ownsSession, visibleSessionWhere } from '../services/liveSessions.ts';
import { abortable } from '../pubsub/abortableStream.ts';
import { viewerAtDelivery } from '../pubsub/subscriptionViewer.ts';

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

export function sessionChunkEvents(context: Context, sessionId: string): AsyncGenerator<LiveChunkShape> {
  return abortable((signal) => sessionChunkStream(context, sessionId, signal));
}

async function* sessionChunkStream(context: Context, sessionId: string, signal: AbortSignal): AsyncGenerator<LiveChunkShape> {
  const { subscriber, db } = context.deps;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  // Listening starts before the session is read, so nothing published in between is missed.
  const events = subscriber.subscribe(topics.sessionChunks(sessionId), signal);
  const session = await findVisibleSession(context.deps, context.viewer!, sessionId);
  if (session.status !== 'ACTIVE') return;
  for await (const event of events) {
    if (event.done) return;
    const index = Number(event.index);
    if (!Number.isInteger(index)) continue;
    // Each event re-reads the session (and the final segment it names). Every subscriber got the
    // same event, so they share one read; each then checks its own right to see it as of now.
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
    if (!read || !(await stillSeesSession(context, sessionId, read))) return; // gone or no longer visible: ends like a missing session
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
}

/**
 * Whether the subscriber may see the session at this event: its owner and admins at once; anyone
 * else (a project member) by the session visibility rule, re-read now, so a member removed from
 * the project mid-session stops receiving chunks.
 */
async function stillSeesSession(context: Context, sessionId: string, session: Pick<LiveSession, 'ownerId'>): Promise<boolean> {
  const viewer = await viewerAtDelivery(context);
  if (ownsSession(viewer, session)) return true;
  const { db } = context.deps;
  const visible = await coalesce(db, `live-visible:${sessionId}:${viewer.user.id}`, () =>
    db.liveSession.count({ where: { id: sessionId, ...visibleSessionWhere(viewer) } }),
  );
  return visible > 0;
}
