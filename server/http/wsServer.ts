/**
 * GraphQL over WebSocket (graphql-ws) on /graphql, through Yoga's envelop, so both transports share
 * context, plugins and limits. What the socket enforces:
 * - the `Origin` of a browser is checked at the handshake (CORS_ORIGINS and the app's own origin);
 * - at most MAX_SOCKETS_PER_USER sockets per user (anonymous ones: per address), the next one closed
 *   with 4429;
 * - at most 100 operations at once per socket, the next one refused with RATE_LIMITED;
 * - one refused or failing operation gets its own error; the socket and its other operations stay;
 * - the credential from connection_init is re-checked for every operation and, through
 *   `refreshViewer` (subscriptionViewer.ts), for every event a subscription delivers.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Context as GraphqlWsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { credentialFrom, resolveViewer } from '../services/authentication.ts';
import { coalesce } from '../pubsub/coalesce.ts';
import { sharedForEvent } from '../pubsub/eventShare.ts';
import type { AppDeps, Viewer } from '../context.ts';
import type { Env } from '../env.ts';
import { AppError } from '../errors.ts';
import type { ViewerRefresh } from '../pubsub/subscriptionViewer.ts';
import { linkBaseFor } from './linkBase.ts';
import { deliveredDirectly, nextMessage } from './wsNextMessages.ts';
import { isExpectedError, type Yoga } from './yoga.ts';

const MAX_OPERATIONS_PER_SOCKET = 100;
const MAX_PAYLOAD_BYTES = 1024 * 1024;
/** Close code for a socket over MAX_SOCKETS_PER_USER (4xxx: application codes; 429 as in HTTP). */
const TOO_MANY_SOCKETS = 4429;

/** Kept per socket: the credential from connection_init, re-checked for every operation and event. */
interface SocketState {
  credential: string | null;
  address: string;
  /** Operation ids holding one of the socket's slots, from their subscribe message until they end. */
  active: Set<string>;
  /** Who the socket counts against for MAX_SOCKETS_PER_USER. */
  owner: string;
}

/** What onSubscribe hands graphql-ws's execute and subscribe as the operation's root value. */
interface OperationRoot {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
  deliver: (result: ExecutionResult) => void;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

type Extra = { socket: WebSocket; request: http.IncomingMessage } & Partial<SocketState>;

interface WsServer {
  /** Ends every operation at once and closes every socket. */
  close: () => Promise<void>;
}

export function attachGraphqlWs(
  deps: AppDeps,
  yoga: Yoga,
  server: http.Server,
  clientAddress: (request: http.IncomingMessage) => string,
): WsServer {
  const { env, logger } = deps;
  const wsServer = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: MAX_PAYLOAD_BYTES,
    verifyClient: ({ origin, req }, accept) => {
      if (originAllowed(env, origin, req.headers.host)) accept(true);
      else accept(false, 403, 'Origin not allowed');
    },
  });
  const socketsPerOwner = new Map<string, number>();
  const connections = new Set<GraphqlWsContext<Record<string, unknown>, Extra>>();

  const refused = (error: unknown): GraphQLError[] => [asGraphqlError(error, logger)];

  const handle = useServer<Record<string, unknown>, Extra>(
    {
      connectionInitWaitTimeout: 3_000,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        let credential: string | null;
        let viewer: Viewer | null;
        try {
          credential = credentialFrom({ authorization: typeof raw === 'string' ? raw : null });
          viewer = await resolveViewer(deps, credential, { streaming: true });
        } catch {
          return false;
        }
        const address = clientAddress(ctx.extra.request);
        const owner = viewer ? `user:${viewer.user.id}` : `address:${address}`;
        const open = socketsPerOwner.get(owner) ?? 0;
        if (open >= env.MAX_SOCKETS_PER_USER) {
          ctx.extra.socket.close(TOO_MANY_SOCKETS, `At most ${env.MAX_SOCKETS_PER_USER} sockets per user.`);
          return false;
        }
        socketsPerOwner.set(owner, open + 1);
        Object.assign(ctx.extra, { credential, address, owner, active: new Set() } satisfies SocketState);
        connections.add(ctx);
        return true;
      },
      onClose: (ctx) => {
        connections.delete(ctx);
        const { owner } = ctx.extra;
        if (!owner) return;
        const open = (socketsPerOwner.get(owner) ?? 1) - 1;
        if (open > 0) socketsPerOwner.set(owner, open);
        else socketsPerOwner.delete(owner);
      },
      onSubscribe: async (ctx, id, payload) => {
        const extra = ctx.extra as Extra & SocketState;
        // The slot is taken before anything is awaited, so a burst of operations cannot overrun it.
        if (extra.active.size >= MAX_OPERATIONS_PER_SOCKET) {
          return [new AppError('RATE_LIMITED', `At most ${MAX_OPERATIONS_PER_SOCKET} operations per socket.`)];
        }
        extra.active.add(id);
        try {
          // Re-checked per operation, so a deactivated user or an expired token stops working at once.
          const viewer = await resolveViewer(deps, extra.credential, { streaming: true });
          const viewerKey = `viewer:${extra.credential ?? ''}`;
          const refreshViewer: ViewerRefresh['refreshViewer'] = (event) => {
            const check = () => resolveViewer(deps, extra.credential, { streaming: true });
            // Every subscriber of one event holding this credential (any socket) shares one check;
            // without the event, the operations of this socket that are checking at once share one.
            return event ? sharedForEvent(event, viewerKey, check) : coalesce(extra, 'viewer', check);
          };
          // A subscription's events go straight to the socket, in graphql-ws's `next` message
          // (wsNextMessages.ts); shared results without errors are handed over before the plugins'
          // per-result hooks, which only rewrite errors (sharedSubscriptionResults.ts).
          const socket = ctx.extra.socket;
          const deliver = (result: ExecutionResult) => {
            if (socket.readyState === socket.OPEN) socket.send(nextMessage(id, result));
          };
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            requestId: randomUUID(),
            clientAddress: extra.address,
            wsViewer: viewer,
            linkBase: linkBaseFor(env, { host: ctx.extra.request.headers.host, origin: ctx.extra.request.headers.origin }),
            refreshViewer,
            credentialKey: extra.credential ?? '',
            deliverSharedResult: deliver,
            // No `request`: Yoga would take the socket's upgrade GET for the operation's method and
            // refuse mutations (appendLiveAudio runs on this socket too).
            params: payload,
          } as never);
          const document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) {
            extra.active.delete(id);
            return (errors as readonly unknown[]).map((error) => asGraphqlError(error, logger));
          }
          return {
            schema,
            document,
            operationName: payload.operationName,
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe, deliver } satisfies OperationRoot,
          };
        } catch (error) {
          extra.active.delete(id);
          return refused(error);
        }
      },
      onComplete: (ctx, id) => {
        ctx.extra.active?.delete(id);
      },
      onError: (ctx, id, _payload, errors) => {
        ctx.extra.active?.delete(id);
        // Errors a stream throws (an expired token, a failed read) reach the client as their own
        // GraphQL error when expected, masked otherwise.
        return errors.map((error) => asGraphqlError(error, logger).toJSON());
      },
      execute: (args) => (args.rootValue as OperationRoot).execute(args) as never,
      subscribe: async (args) => {
        const { subscribe, deliver } = args.rootValue as OperationRoot;
        const result = await subscribe(args);
        return (isAsyncIterable(result) ? deliveredDirectly(result, deliver) : result) as never;
      },
    },
    wsServer,
  );

  const untrackMetrics = deps.metrics.trackWebSockets(() => ({
    sockets: connections.size,
    operations: [...connections].reduce((sum, ctx) => sum + (ctx.extra.active?.size ?? 0), 0),
  }));
  return {
    close: async () => {
      untrackMetrics();
      // Ends every stream now; the sockets' closing handshakes follow.
      for (const ctx of connections) {
        for (const operation of Object.values(ctx.subscriptions)) {
          void (operation as AsyncGenerator | null)?.return?.(undefined);
        }
      }
      await handle.dispose();
    },
  };
}

/**
 * Browsers send the page's origin with every WebSocket handshake and let any page open a socket to
 * any server: allowed are CORS_ORIGINS, the app's own origin (PUBLIC_URL, or the host the request
 * was addressed to), and clients that send no Origin (not browsers).
 */
function originAllowed(env: Pick<Env, 'CORS_ORIGINS' | 'publicUrl'>, origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  if (env.CORS_ORIGINS.includes(origin) || origin === new URL(env.publicUrl).origin) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host;
  } catch {
    return false;
  }
}

/** An error for one operation: expected ones (AppErrors, GraphQL's own) as they are, anything else masked and logged. */
function asGraphqlError(error: unknown, logger: AppDeps['logger']): GraphQLError {
  if (isExpectedError(error)) {
    // graphql-ws sends only GraphQLError instances of its own graphql module.
    if (error instanceof GraphQLError) return error;
    const { message, extensions } = error as { message: string; extensions?: Record<string, unknown> };
    return new GraphQLError(message, { extensions });
  }
  logger.error({ err: error }, 'unexpected error in a WebSocket operation');
  return new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
