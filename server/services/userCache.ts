/**
 * The users behind this server's access tokens, kept in memory so a read checks its token without a
 * database round trip. Bounded: the least recently used entry goes first.
 *
 * An entry goes the moment its row changes (password reset or change bumping the token version,
 * deactivation, role change, erasure): this process's own writes forget it as they run (the
 * `onUserWrite` hook of server/db/db.ts), every other process's writes through the `users_changed`
 * trigger (migration 0026), whose NOTIFY this process LISTENs to on a connection of its own. While
 * that connection is down the cache is off (every lookup reads the row), since changes made meanwhile
 * would be missed; it is emptied again when the connection is back.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { User } from '../db/db.ts';

/** The channel of migration 0026's trigger; its payload is the changed user's id. */
export const USER_CHANGES_CHANNEL = 'parlance_user_changes';
const RECONNECT_DELAY_MS = 1_000;

export class UserCache {
  private readonly entries = new Map<string, Readonly<User>>();
  /** Bumped by every invalidation, so a row read before one is never stored after it. */
  private generation = 0;
  private listening = false;
  /** Set by listenForUserChanges: ends the LISTEN connection. */
  private stopListening: (() => Promise<void>) | null = null;

  constructor(readonly maxEntries: number) {}

  /** The user `id`, from memory when the cache is on and holds it, else from `read` (stored if still current). */
  async user(id: string, read: () => Promise<User | null>): Promise<Readonly<User> | null> {
    if (this.listening) {
      const hit = this.entries.get(id);
      if (hit) {
        this.entries.delete(id);
        this.entries.set(id, hit);
        return hit;
      }
    }
    const generation = this.generation;
    const row = await read();
    if (row && this.listening && this.maxEntries > 0 && generation === this.generation) {
      this.entries.set(id, Object.freeze(row));
      if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    }
    return row;
  }

  /** Forgets one user, or everyone when the id is not known (a write by another condition than the id). */
  forget(id?: string | null): void {
    this.generation += 1;
    if (id) this.entries.delete(id);
    else this.entries.clear();
  }

  /** Whether the user is held now (tests, metrics). */
  holds(id: string): boolean {
    return this.entries.has(id);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether lookups may be answered from memory: only while the change listener is connected. */
  get isOn(): boolean {
    return this.listening;
  }

  setListening(on: boolean): void {
    this.forget();
    this.listening = on;
  }

  /** Ends the change listener (server shutdown); lookups then always read the row. */
  async close(): Promise<void> {
    await this.stopListening?.();
  }

  attachListener(stop: () => Promise<void>): void {
    this.stopListening = stop;
  }
}

/**
 * LISTENs for migration 0026's user-change notifications and forgets each changed user. The cache is
 * on only while this connection is up; after a drop it reconnects and empties the cache again.
 */
export async function listenForUserChanges(connectionString: string, cache: UserCache, logger: Logger): Promise<void> {
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString });
    next.on('notification', (message) => {
      if (message.channel === USER_CHANGES_CHANNEL) cache.forget(message.payload || null);
    });
    next.on('error', (error) => {
      cache.setListening(false);
      if (client !== next) return;
      logger.warn({ err: error }, 'user change listener lost its connection; the user cache is off until it is back');
      client = null;
      next.end().catch(() => {});
      scheduleReconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${USER_CHANGES_CHANNEL}`);
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    cache.setListening(true);
  };
  const scheduleReconnect = () => {
    if (closed) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch((error: unknown) => {
        logger.warn({ err: error }, 'user change listener could not reconnect');
        scheduleReconnect();
      });
    }, RECONNECT_DELAY_MS);
    retry.unref();
  };
  cache.attachListener(async () => {
    closed = true;
    if (retry) clearTimeout(retry);
    cache.setListening(false);
    await client?.end().catch(() => {});
    client = null;
  });
  await connect();
}
