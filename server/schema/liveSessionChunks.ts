/**
 * transcriptChunks(sessionId:): interim and final chunks of a live session as the engine produces
 * them. Events arrive through LISTEN/NOTIFY (see live/runtime.ts); every one is re-read with the
 * subscriber's authorization (services/access/liveSessions.ts) before it is sent: finals from
 * live_segments, interims from the event itself (or from the session row when the text was too
 * large for NOTIFY).
 */
import type { SignedInContext } from '../context.ts';
import type { LiveSegment } from '../db/db.ts';
import { canSeeSession, findVisibleSession } from '../services/access/liveSessions.ts';
import { abortable } from '../pubsub/abortableStream.ts';
import { sharedPayload, sharedRead } from '../pubsub/eventShare.ts';
import { topics } from '../pubsub/pubsub.ts';
import { decideAtDelivery } from '../pubsub/subscriptionViewer.ts';
import { indexedSegmentFromStored } from '../transcripts/storedSegments.ts';
import type { TranscriptChunk } from './transcripts.ts';
import { redactionFor } from '../services/access/redaction.ts';
import { redactedRows } from '../services/redaction.ts';
import { redactText } from '../transcripts/redaction/index.ts';

interface StoredInterim {
  index: number;
  start: number;
  end: number;
  text: string;
}

export function sessionChunkEvents(context: SignedInContext, sessionId: string): AsyncGenerator<TranscriptChunk> {
  return abortable((signal) => sessionChunkStream(context, sessionId, signal));
}

async function* sessionChunkStream(context: SignedInContext, sessionId: string, signal: AbortSignal): AsyncGenerator<TranscriptChunk> {
  const { subscriber, db } = context.deps;
  if (!subscriber) throw new Error('This process does not serve subscriptions.');
  // Listening starts before the session is read, so nothing published in between is missed.
  const events = subscriber.subscribe(topics.sessionChunks(sessionId), signal);
  const session = await findVisibleSession(context.deps, context.viewer, sessionId);
  if (session.status !== 'ACTIVE') return;
  for await (const event of events) {
    if (event.done) return;
    const index = Number(event.index);
    if (!Number.isInteger(index)) continue;
    // Each event re-reads the session (and the final segment it names). Every subscriber got the
    // same event object, so they share one read (eventShare.ts), and those holding one credential
    // share one decision; each subscriber's right to see it is decided as of now.
    const inline = typeof event.text === 'string';
    const sessionRead = sharedRead(event, 'session', () =>
      db.liveSession.findUnique({
        where: { id: sessionId },
        select: {
          id: true,
          ownerId: true,
          projectId: true,
          interim: !inline && event.isFinal !== true,
          segments: event.isFinal === true ? { where: { idx: index } } : false,
        },
      }),
    );
    const redact = await decideAtDelivery(context, event, `session-chunks:${sessionId}`, async (viewer) => {
      const read = await sessionRead;
      if (!read || !(await canSeeSession(db, viewer, read))) return null;
      return redactionFor(db, viewer, read);
    });
    if (!redact) return; // gone or no longer visible: ends like a missing session
    const read = (await sessionRead)!;
    // What this subscriber reads is decided by its redaction kinds alone: everyone with the same
    // kinds gets one chunk, built and executed once for this event.
    const visibility = redact.join(',');
    if (event.isFinal === true) {
      const [row] = (read as { segments?: LiveSegment[] }).segments ?? [];
      if (row) {
        yield sharedPayload(event, visibility, () => ({
          jobId: null,
          sessionId,
          segment: indexedSegmentFromStored(redactedRows([row], redact)[0]),
          isFinal: true,
        }));
      }
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
    const { start, end, text } = interim;
    yield sharedPayload(event, visibility, () => ({
      jobId: null,
      sessionId,
      isFinal: false,
      segment: { index, start, end, text: redact.length > 0 ? redactText(text, redact) : text, speaker: null, words: [] },
    }));
  }
}
