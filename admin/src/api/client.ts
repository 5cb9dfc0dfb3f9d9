// The console's one urql client: queries and mutations over HTTP POST /graphql, subscriptions
// over graphql-ws on the same path. No document cache: react-admin keeps its own, and an
// operations console should show what the server says now.
import { Client, CombinedError, fetchExchange, subscriptionExchange, type OperationResult } from '@urql/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
// The server's one table from error code to HTTP status (a pure module: graphql is its only import).
import { httpStatusOf } from '../../../server/errors.ts';

export interface ApiClientOptions {
  /** Absolute URL of the GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** The access token to send, or null for anonymous calls; asked before every request. */
  getToken?: () => Promise<string | null> | string | null;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

export interface ApiClient {
  client: Client;
  /** Closes the subscription socket, if one is open. */
  dispose: () => void;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const baseFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let socket: { client: WsClient; token: string | null } | null = null;

  // One socket per access token: the server checks the token given at connection_init, so after a
  // refresh new subscriptions go over a new socket (the old one closes once its operations end).
  const socketFor = (token: string | null): WsClient => {
    if (socket && socket.token === token) return socket.client;
    const client = createWsClient({
      url: options.url.replace(/^http/, 'ws'),
      lazy: true,
      lazyCloseTimeout: 1_000,
      retryAttempts: 5,
      connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
    });
    socket = { client, token };
    return client;
  };

  const client = new Client({
    url: options.url,
    requestPolicy: 'network-only',
    preferGetMethod: false,
    fetchSubscriptions: false,
    fetch: async (input, init) => {
      const token = (await options.getToken?.()) ?? null;
      const headers = new Headers(init?.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return baseFetch(input, { ...init, headers });
    },
    // The socket also carries the operations asked for with `{ overSocket: true }` in their context
    // (the Record screen streams audio chunks by mutation over it); everything else goes by fetch.
    exchanges: [
      subscriptionExchange({
        isSubscriptionOperation: (operation) => operation.kind === 'subscription' || operation.context.overSocket === true,
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              let unsubscribe = () => {};
              let closed = false;
              Promise.resolve(options.getToken?.() ?? null).then(
                (token) => {
                  if (!closed) unsubscribe = socketFor(token).subscribe(input, sink);
                },
                (error: unknown) => sink.error(error),
              );
              return {
                unsubscribe: () => {
                  closed = true;
                  unsubscribe();
                },
              };
            },
          };
        },
      }),
      fetchExchange,
    ],
  });

  return {
    client,
    dispose: () => {
      void socket?.client.dispose();
      socket = null;
    },
  };
}

/**
 * An API failure as react-admin expects it: a readable `message` (shown as a notification) and
 * an HTTP-like `status` (401 sends the operator back to the login page).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: { code: string; requestId?: string; extensions?: Record<string, unknown> };

  constructor(message: string, code: string, status: number, extensions?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    const requestId = typeof extensions?.requestId === 'string' ? extensions.requestId : undefined;
    this.body = { code, requestId, extensions };
  }
}

/** Turns urql's CombinedError into an ApiError with the server's message and code. */
export function toApiError(error: CombinedError): ApiError {
  const first = error.graphQLErrors[0];
  if (first) {
    const extensions = (first.extensions ?? {}) as Record<string, unknown>;
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    const requestId = typeof extensions.requestId === 'string' ? extensions.requestId : null;
    const field = typeof extensions.field === 'string' ? ` (${extensions.field})` : '';
    const message = requestId ? `${first.message}${field} Request id: ${requestId}` : `${first.message}${field}`;
    return new ApiError(message, code, httpStatusOf(code) ?? 500, extensions);
  }
  const response = error.response as { status?: number } | undefined;
  const status = response?.status ?? 0;
  if (status === 401) return new ApiError('Your session has ended. Please sign in again.', 'UNAUTHENTICATED', 401);
  const reason = error.networkError?.message ?? error.message;
  return new ApiError(
    status ? `The server answered ${status}: ${reason}` : `Cannot reach the server: ${reason}`,
    'NETWORK_ERROR',
    status || 503,
  );
}

/** The data of a result, or the result's error as an ApiError. */
export function unwrap<T>(result: OperationResult<T>): T {
  if (result.error) throw toApiError(result.error);
  if (result.data === undefined || result.data === null) throw new ApiError('The server sent no data.', 'NO_DATA', 500);
  return result.data;
}

/** A GraphQL response read outside urql (an upload sent with XMLHttpRequest for its progress) as an ApiError. */
export function apiErrorFromResponse(status: number, body: unknown): ApiError {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return toApiError(new CombinedError({ graphQLErrors: errors, response: { status } }));
  }
  if (status === 401) return new ApiError('Your session has ended. Please sign in again.', 'UNAUTHENTICATED', 401);
  return new ApiError(status ? `The server answered ${status}.` : 'Cannot reach the server.', 'NETWORK_ERROR', status || 503);
}
