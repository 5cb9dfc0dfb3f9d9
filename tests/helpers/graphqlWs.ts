// graphql-ws clients for tests: the graphql-ws package's own client, and a raw socket for what that
// client hides (handshake refusals, close codes).
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export function wsUrl(base: string): string {
  return `${base.replace('http', 'ws')}/graphql`;
}

export function connectWs(base: string, token?: string): Client {
  return createClient({
    url: wsUrl(base),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export interface WsError {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface Collected<T> {
  events: T[];
  /** Resolves when the operation completes or errors (errors as the server sent them, or the close event). */
  done: Promise<{ events: T[]; error?: unknown }>;
  /** Whether it has ended, and how. */
  ended: () => { error?: unknown } | null;
  unsubscribe: () => void;
}

/** Collects every result of an operation until it completes or errors. */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown> = {}): Collected<T> {
  const events: T[] = [];
  let end: { error?: unknown } | null = null;
  let resolveDone!: (value: { events: T[]; error?: unknown }) => void;
  const done = new Promise<{ events: T[]; error?: unknown }>((resolve) => (resolveDone = resolve));
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => events.push(result as T),
      error: (error) => {
        end = { error };
        resolveDone({ events, error });
      },
      complete: () => {
        end = {};
        resolveDone({ events });
      },
    },
  );
  return { events, done, ended: () => end, unsubscribe };
}

/** What one query or mutation over a socket answered. */
export interface WsResult<T = any> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, any> }>;
}

/** One query or mutation over the socket; a closed socket answers as one error carrying its close reason. */
export function requestOverWs<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Promise<WsResult<T>> {
  return new Promise((resolve) => {
    let result: WsResult<T> = {};
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => (result = value as WsResult<T>),
        error: (error) =>
          resolve({ errors: (Array.isArray(error) ? error : [{ message: String((error as { reason?: string })?.reason ?? error) }]) as WsResult['errors'] }),
        complete: () => resolve(result),
      },
    );
  });
}

/** The codes of the errors a graphql-ws operation ended with. */
export function errorCodes(error: unknown): string[] {
  return Array.isArray(error) ? (error as WsError[]).map((item) => String(item.extensions?.code)) : [];
}

export interface RawSocket {
  socket: WebSocket;
  /** Resolves with the server's connection_ack, or with how the socket was closed or refused. */
  outcome: Promise<{ ack: true } | { ack: false; code?: number; reason?: string; status?: number }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A graphql-transport-ws socket that sends connection_init with the token at once. */
export function openRawSocket(base: string, token: string | null, headers: Record<string, string> = {}): RawSocket {
  const socket = new WebSocket(wsUrl(base), 'graphql-transport-ws', { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const outcome = new Promise<{ ack: true } | { ack: false; code?: number; reason?: string; status?: number }>((resolve) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ ack: true });
    });
    socket.once('unexpected-response', (_request, response) => {
      resolve({ ack: false, status: response.statusCode });
      socket.terminate();
    });
    socket.once('error', () => {});
    void closed.then(({ code, reason }) => resolve({ ack: false, code, reason }));
  });
  return { socket, outcome, closed };
}
