import { randomUUID } from 'node:crypto';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, handleStreamOrSingleExecutionResult, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { credentialFrom, resolveViewer } from '../services/authentication.ts';
import type { AppDeps, Context, Viewer } from '../context.ts';
import { AppError } from '../errors.ts';
import { errorsAnswerTheirStatus } from './graphqlGuards/errorStatus.ts';
import { hideSuggestions } from './graphqlGuards/hideSuggestions.ts';
import { limitQueryDocument } from './graphqlGuards/queryDocumentLimit.ts';
import { limitRequestBody } from './graphqlGuards/requestBodyLimit.ts';
import { graphiqlEnabled, graphiqlPageHeaders, renderGraphiqlPage } from './graphiqlPage.ts';
import { linkBaseFor } from './linkBase.ts';
import { refuseNulCharacters } from './graphqlGuards/refuseNul.ts';
import { streamingTokensStayInTheirSession } from './graphqlGuards/streamingTokenGuard.ts';
import type { Logger } from 'pino';
import { runInRequest } from '../observability/requestContext.ts';
import { buildSchema } from '../schema/index.ts';
import { countOperations } from './graphqlMetrics.ts';
import { shareSubscriptionResults } from './sharedSubscriptionResults.ts';

/** What the HTTP and WebSocket layers hand to Yoga for each request or operation. */
interface ServerContext {
  requestId?: string;
  clientAddress?: string;
  /** Set by the WebSocket layer, which authenticates the socket's credential itself. */
  wsViewer?: Viewer | null;
  /** Set by the WebSocket layer, from its handshake (an HTTP request's own headers say it otherwise). */
  linkBase?: string;
}

export type Yoga = YogaServerInstance<ServerContext, Context>;

export function createYogaServer(deps: AppDeps): Yoga {
  const { env } = deps;
  return createYoga<ServerContext, Context>({
    schema: buildSchema(),
    graphqlEndpoint: '/graphql',
    graphiql: graphiqlEnabled(env),
    renderGraphiQL: renderGraphiqlPage,
    landingPage: false,
    batching: false,
    logging: false,
    // limitRequestBody() below refuses a body over MAX_JSON_BODY_BYTES (413 PAYLOAD_TOO_LARGE).
    maxRequestBodySize: false,
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (!origin || !env.CORS_ORIGINS.includes(origin)) return false;
      return {
        origin,
        credentials: true,
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: ['authorization', 'content-type', 'x-api-key', 'x-graphql-yoga-csrf', 'graphql-preflight'],
        maxAge: 600,
      };
    },
    maskedErrors: {
      maskError: (error, message) =>
        isExpectedError(error) ? (error as GraphQLError) : new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
      errorMessage: 'Unexpected error.',
    },
    context: async ({ request, requestId, clientAddress, wsViewer, linkBase }) => {
      const id = requestId ?? request.headers.get('x-request-id') ?? randomUUID();
      const logger = deps.logger.child({ requestId: id });
      const viewer = wsViewer !== undefined ? wsViewer : await viewerOfRequest(deps, request, logger);
      const links =
        linkBase ??
        linkBaseFor(env, {
          host: request.headers.get('host'),
          origin: request.headers.get('origin'),
          fetchSite: request.headers.get('sec-fetch-site'),
        });
      return { deps, viewer, requestId: id, clientAddress: clientAddress ?? 'unknown', logger, linkBase: links };
    },
    plugins: [
      ...(env.isProduction ? [disableIntrospection(), hideSuggestions()] : []),
      limitRequestBody(env.MAX_JSON_BODY_BYTES),
      limitQueryDocument(env.MAX_QUERY_BYTES),
      EnvelopArmorPlugin({
        maxDepth: { n: 10 },
        maxAliases: { n: 15 },
        maxDirectives: { n: 50 },
        maxTokens: { n: 2000 },
        costLimit: { maxCost: 5000 },
        // hideSuggestions() covers every error, enum values and variables too.
        blockFieldSuggestion: { enabled: false },
      }),
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight'] }),
      refuseNulCharacters(),
      streamingTokensStayInTheirSession(),
      readOnlyKeysCannotMutate(),
      maskAndLogErrors(),
      // Before requestScope, which wraps whatever subscribe function is in place when it runs.
      shareSubscriptionResults(deps.metrics),
      requestScope(),
      errorsAnswerTheirStatus(),
      countOperations(deps.metrics),
      graphiqlPageHeaders(),
    ],
  });
}

/** Credentials that do not check out are UNAUTHENTICATED (401, like every refusal of that code). */
async function viewerOfRequest(deps: AppDeps, request: Request, logger: Logger): Promise<Viewer | null> {
  try {
    return await resolveViewer(
      deps,
      credentialFrom({ authorization: request.headers.get('authorization'), apiKey: request.headers.get('x-api-key') }),
      { streaming: true },
    );
  } catch (error) {
    if (!(error instanceof AppError)) logger.error({ err: error }, 'unexpected error while authenticating');
    throw error;
  }
}

function disableIntrospection(): Plugin {
  return {
    onValidate: ({ addValidationRule }) => {
      addValidationRule(NoSchemaIntrospectionCustomRule);
    },
  };
}

/** Resolvers run inside the request's scope, so deep code (the audit log) knows the request id. */
function requestScope(): Plugin<Context> {
  return {
    onExecute: ({ args, executeFn, setExecuteFn }) => {
      const { requestId } = args.contextValue as Context;
      setExecuteFn((executeArgs) => runInRequest({ requestId }, () => executeFn(executeArgs)));
    },
    onSubscribe: ({ args, subscribeFn, setSubscribeFn }) => {
      const { requestId } = args.contextValue as Context;
      setSubscribeFn((subscribeArgs) => runInRequest({ requestId }, () => subscribeFn(subscribeArgs)));
    },
  };
}

/** READ-scoped API keys may query and subscribe, never mutate. */
function readOnlyKeysCannotMutate(): Plugin<Context> {
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const operation = getOperationAST(args.document, args.operationName);
      const viewer = (args.contextValue as Context).viewer;
      // A streaming token's one mutation is judged by streamingTokensStayInTheirSession.
      if (operation?.operation === 'mutation' && viewer && !viewer.canWrite && viewer.via !== 'streaming') {
        setResultAndStopExecution({
          errors: [new AppError('FORBIDDEN', 'This API key is read-only; mutations need the WRITE scope.')],
        });
      }
    },
  };
}

/**
 * Replaces unexpected errors in results with "Unexpected error." and logs the original with the
 * request id. Runs at execution, where the context is known; Yoga's own masking stays behind it
 * for anything thrown before execution.
 */
function maskAndLogErrors(): Plugin<Context> {
  const maskAll = (errors: readonly GraphQLError[], context: Context) =>
    errors.map((error) => {
      if (isExpectedError(error)) return error;
      // Pothos refuses bad connection arguments (negative first/last, a malformed cursor): bad input.
      if ((error.originalError as { name?: string } | undefined)?.name === 'PothosValidationError') {
        return new GraphQLError(error.message, {
          path: error.path,
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
      context.logger.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
      return new GraphQLError('Unexpected error.', {
        path: error.path,
        extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: context.requestId },
      });
    });
  const onResult = (context: Context) => (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
    handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
      if (result.errors?.length) setResult({ ...result, errors: maskAll(result.errors, context) });
    });
  return {
    onExecute: ({ args }) => ({ onExecuteDone: onResult(args.contextValue as Context) }),
    onSubscribe: ({ args }) => ({ onSubscribeResult: onResult(args.contextValue as Context) }),
  };
}

/**
 * Our AppErrors (possibly wrapped by graphql-js with a path), and GraphQL's own syntax and
 * validation errors, reach the client; anything else is a bug and is masked. Checked by shape
 * rather than `instanceof GraphQLError`, since graphql can be loaded twice (CJS and ESM).
 */
export function isExpectedError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (current instanceof AppError) return true;
    const candidate = current as { name?: string; originalError?: unknown };
    if (candidate.name === 'GraphQLError' && !candidate.originalError) return true;
    current = candidate.originalError;
  }
  return false;
}
