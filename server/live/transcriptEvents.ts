/**
 * What one live session's engine hears, stored and published in order: finals are stored
 * (live_segments) and published by index; interims are only published (their text inline, or on
 * the row when too long for NOTIFY). Every event goes out through one chain, so an interim never
 * overtakes the final that replaces it; interims waiting to go out coalesce into the newest.
 */
import type { CoreDeps } from '../context.ts';
import { isUniqueViolation, type Provider } from '../db/db.ts';
import type { Segment } from '../providers/types.ts';
import { topics, type EventPayload } from '../pubsub/pubsub.ts';
import { roundTo } from '../rounding.ts';
import { storedSegmentAt } from '../transcripts/storedSegments.ts';
import type { LivePartial } from './types.ts';

/** NOTIFY refuses 8000 bytes; interim text beyond this is stored on the row and re-read. */
const MAX_INLINE_EVENT_BYTES = 7_000;

export class TranscriptEvents {
  /** Index of the next final segment. */
  nextIndex = 0;
  /** Session time where the last stored final ends. */
  lastFinalEnd = 0;
  readonly #deps: Pick<CoreDeps, 'db' | 'publisher' | 'logger'>;
  readonly #sessionId: string;
  readonly #decodedSeconds: () => number;
  #events: Promise<void> = Promise.resolve();
  #partialSlot: { value: LivePartial; offset: number } | null = null;

  /** `decodedSeconds`: session time of the audio decoded so far (where an interim without an end ends). */
  constructor(deps: Pick<CoreDeps, 'db' | 'publisher' | 'logger'>, sessionId: string, decodedSeconds: () => number) {
    this.#deps = deps;
    this.#sessionId = sessionId;
    this.#decodedSeconds = decodedSeconds;
  }

  /** Catches up with what is stored (another engine, possibly in another process, stored finals). */
  resume(point: { nextIndex: number; lastFinalEnd: number }): void {
    this.nextIndex = Math.max(this.nextIndex, point.nextIndex);
    this.lastFinalEnd = Math.max(this.lastFinalEnd, point.lastFinalEnd);
  }

  /** An interim; `offset` is the session time of the engine's time 0. */
  partial(partial: LivePartial, offset: number): void {
    if (this.#partialSlot) {
      this.#partialSlot.value = partial;
      return;
    }
    const slot = { value: partial, offset };
    this.#partialSlot = slot;
    this.#chain(async () => {
      if (this.#partialSlot === slot) this.#partialSlot = null;
      await this.#publishPartial(slot.value, slot.offset);
    });
  }

  /** A final segment from engine `provider`; `offset` is the session time of the engine's time 0. */
  final(segment: Segment, offset: number, provider: Provider): void {
    this.dropPartial(); // a later interim belongs to the next segment
    this.#chain(() => this.#storeFinal(segment, offset, provider));
  }

  /** Forgets an interim that has not gone out yet (its engine is gone). */
  dropPartial(): void {
    this.#partialSlot = null;
  }

  /** Resolves once every event queued so far has gone out. */
  settled(): Promise<void> {
    return this.#events;
  }

  #chain(step: () => Promise<void>): void {
    this.#events = this.#events.then(step).catch((error: unknown) => {
      this.#deps.logger.warn({ err: error, sessionId: this.#sessionId }, 'could not store or publish a live transcript event');
    });
  }

  async #publishPartial(partial: LivePartial, offset: number): Promise<void> {
    const start = partial.start !== undefined ? offset + partial.start : this.lastFinalEnd;
    const end = partial.end !== undefined ? offset + partial.end : this.#decodedSeconds();
    const payload: EventPayload = {
      sessionId: this.#sessionId,
      index: this.nextIndex,
      isFinal: false,
      start: roundTo(start, 3),
      end: roundTo(Math.max(start, end), 3),
      text: partial.text,
    };
    if (Buffer.byteLength(JSON.stringify(payload)) > MAX_INLINE_EVENT_BYTES) {
      await this.#deps.db.liveSession.update({
        where: { id: this.#sessionId },
        data: { interim: { index: payload.index, start: payload.start, end: payload.end, text: partial.text } },
      });
      payload.text = null;
    }
    await this.#deps.publisher.publish(topics.sessionChunks(this.#sessionId), payload);
  }

  async #storeFinal(segment: Segment, offset: number, provider: Provider): Promise<void> {
    const data = { sessionId: this.#sessionId, provider, ...storedSegmentAt(segment, offset) };
    if (!data.text) return;
    const { db } = this.#deps;
    let idx = this.nextIndex;
    try {
      await db.liveSegment.create({ data: { ...data, idx } });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another process stored a segment of this session meanwhile (no sticky routing).
      const last = await db.liveSegment.findFirst({ where: { sessionId: this.#sessionId }, orderBy: { idx: 'desc' } });
      idx = (last?.idx ?? -1) + 1;
      await db.liveSegment.create({ data: { ...data, idx } });
    }
    this.nextIndex = idx + 1;
    this.lastFinalEnd = Math.max(this.lastFinalEnd, data.endSeconds);
    await this.#deps.publisher.publish(topics.sessionChunks(this.#sessionId), { sessionId: this.#sessionId, index: idx, isFinal: true });
  }
}
