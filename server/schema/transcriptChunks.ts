import { badInput } from '../errors.ts';
import { builder } from './builder.ts';
import { jobChunkEvents } from './jobSubscriptions.ts';
import { sessionChunkEvents } from './liveSessionChunks.ts';
import { TranscriptChunkRef } from './transcripts.ts';

builder.subscriptionField('transcriptChunks', (t) =>
  t.withAuth({ $any: { authenticated: true, liveStream: true } }).field({
    type: TranscriptChunkRef,
    description: "Exactly one of jobId and sessionId. A streaming token may subscribe to its own session's chunks.",
    args: { jobId: t.arg.id(), sessionId: t.arg.id() },
    subscribe: (_root, args, context) => {
      if (args.sessionId && !args.jobId) return sessionChunkEvents(context, args.sessionId);
      if (args.jobId && !args.sessionId) return jobChunkEvents(context, args.jobId);
      throw badInput('Give exactly one of jobId and sessionId.');
    },
    resolve: (chunk) => chunk,
  }),
);
