import { createStreamingToken, STREAMING_TOKEN_DEFAULT_SECONDS, STREAMING_TOKEN_MAX_SECONDS, type StreamingToken } from '../services/streamingTokens.ts';
import { builder } from './builder.ts';

const StreamingTokenRef = builder.objectRef<StreamingToken>('StreamingToken').implement({
  description: 'A short-lived token that can only append audio to one live session and subscribe to its transcript chunks.',
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as "Authorization: Bearer <token>" (HTTP) or in connection_init (graphql-ws).' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    sessionId: t.exposeID('sessionId'),
  }),
});

builder.mutationFields((t) => ({
  createStreamingToken: t.withAuth({ write: true }).field({
    type: StreamingTokenRef,
    description:
      `For a browser that streams a live session: the token may only call appendLiveAudio and subscribe to transcriptChunks ` +
      `of this session; it expires (default ${STREAMING_TOKEN_DEFAULT_SECONDS} s, at most ${STREAMING_TOKEN_MAX_SECONDS} s), ` +
      `is never refreshed, and stops working when the session ends. The session's owner (or an admin), while it is ACTIVE.`,
    args: {
      sessionId: t.arg.id({ required: true }),
      expiresInSeconds: t.arg.int({ description: `Default ${STREAMING_TOKEN_DEFAULT_SECONDS}; at most ${STREAMING_TOKEN_MAX_SECONDS}.` }),
    },
    resolve: (_root, args, context) => createStreamingToken(context.deps, context.viewer, args.sessionId, args.expiresInSeconds),
  }),
}));
