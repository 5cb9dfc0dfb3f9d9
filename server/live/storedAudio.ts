/**
 * The database side of one live session's audio: chunks stored in live_audio_chunks, and the
 * session row's next_seq. A run of chunks is applied by one conditional UPDATE
 * (`next_seq = from + n WHERE next_seq = from`), so each chunk is applied exactly once even when
 * several processes receive the session's audio.
 */
import { Prisma, type Db } from '../db/db.ts';
import { receivedPcmSeconds, type AudioFormat } from './audioSeconds.ts';

/** Rows read at once when replaying stored audio. */
const REPLAY_PAGE = 64;

export class StoredSessionAudio {
  readonly #db: Db;
  readonly #sessionId: string;
  readonly #format: AudioFormat;

  constructor(db: Db, sessionId: string, format: AudioFormat) {
    this.#db = db;
    this.#sessionId = sessionId;
    this.#format = format;
  }

  /**
   * Stores chunk `seq` (a repeat is ignored) and applies it when it is next in line and the session
   * ACTIVE. Returns whether it was applied. `decodedSeconds` (what the decoder has read so far)
   * keeps received_seconds right for Opus.
   */
  async store(seq: number, bytes: Buffer, decodedSeconds: number): Promise<boolean> {
    const rows = await this.#db.$queryRaw<{ next_seq: number }[]>`
      WITH stored AS (
        INSERT INTO live_audio_chunks (session_id, seq, bytes) VALUES (${this.#sessionId}, ${seq}::int, ${bytes})
        ON CONFLICT DO NOTHING
      )
      ${this.#advance(seq, [bytes], decodedSeconds)}`;
    return rows.length > 0;
  }

  /** Applies already stored chunks `from`, `from + 1`, ... when `from` is next in line. Returns whether it did. */
  async apply(from: number, run: Buffer[], decodedSeconds: number): Promise<boolean> {
    const rows = await this.#db.$queryRaw<{ next_seq: number }[]>(this.#advance(from, run, decodedSeconds));
    return rows.length > 0;
  }

  #advance(from: number, run: Buffer[], decodedSeconds: number): Prisma.Sql {
    const bytes = run.reduce((sum, chunk) => sum + chunk.length, 0);
    const seconds = receivedPcmSeconds(this.#format, bytes);
    return Prisma.sql`
      UPDATE live_sessions
      SET next_seq = ${from + run.length}::int, received_bytes = received_bytes + ${bytes}::bigint,
          received_seconds = GREATEST(received_seconds + ${seconds}::float8, ${decodedSeconds}::float8),
          last_audio_at = now(), updated_at = now()
      WHERE id = ${this.#sessionId} AND next_seq = ${from}::int AND status = 'ACTIVE'
      RETURNING next_seq`;
  }

  /** The row's next_seq and whether the session is still ACTIVE; null when the row is gone. */
  async progress(): Promise<{ nextSeq: number; active: boolean } | null> {
    const [row] = await this.#db.$queryRaw<{ next_seq: number; status: string }[]>`
      SELECT next_seq, status::text AS status FROM live_sessions WHERE id = ${this.#sessionId}`;
    return row ? { nextSeq: row.next_seq, active: row.status === 'ACTIVE' } : null;
  }

  /** The stored chunks `from`, `from + 1`, ... up to the first gap, at most `max`. */
  async runFrom(from: number, max: number): Promise<Buffer[]> {
    const rows = await this.#db.$queryRaw<{ seq: number; bytes: Uint8Array }[]>`
      SELECT seq, bytes FROM live_audio_chunks
      WHERE session_id = ${this.#sessionId} AND seq >= ${from}::int AND seq < ${from + max}::int ORDER BY seq`;
    const run: Buffer[] = [];
    for (const row of rows) {
      if (row.seq !== from + run.length) break;
      run.push(Buffer.from(row.bytes));
    }
    return run;
  }

  /** Where a new engine takes over: next_seq, the index of the next final segment and the end of the last one. */
  async resumePoint(): Promise<{ nextSeq: number; nextIndex: number; lastFinalEnd: number } | null> {
    const [row] = await this.#db.$queryRaw<{ next_seq: number; next_idx: number; last_end: number }[]>`
      SELECT s.next_seq,
        COALESCE((SELECT MAX(idx) + 1 FROM live_segments WHERE session_id = s.id), 0)::int AS next_idx,
        COALESCE((SELECT MAX(end_seconds) FROM live_segments WHERE session_id = s.id), 0)::float8 AS last_end
      FROM live_sessions s WHERE s.id = ${this.#sessionId}`;
    return row ? { nextSeq: row.next_seq, nextIndex: row.next_idx, lastFinalEnd: row.last_end } : null;
  }

  /** The byte length of each chunk before `before`, in order. */
  chunkLengths(before: number): Promise<{ seq: number; n: number }[]> {
    return this.#db.$queryRaw<{ seq: number; n: number }[]>`
      SELECT seq, length(bytes)::int AS n FROM live_audio_chunks
      WHERE session_id = ${this.#sessionId} AND seq < ${before}::int ORDER BY seq`;
  }

  /** The stored chunks from `from` up to (not including) `before`, in order, read page by page. */
  async *chunks(from: number, before: number): AsyncGenerator<Buffer> {
    for (let seq = from; seq < before; ) {
      const rows = await this.#db.$queryRaw<{ seq: number; bytes: Uint8Array }[]>`
        SELECT seq, bytes FROM live_audio_chunks
        WHERE session_id = ${this.#sessionId} AND seq >= ${seq}::int AND seq < ${before}::int ORDER BY seq LIMIT ${REPLAY_PAGE}::int`;
      if (rows.length === 0) return;
      for (const row of rows) yield Buffer.from(row.bytes);
      seq = rows[rows.length - 1].seq + 1;
    }
  }
}
