import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './root.ts';
import './users.ts';
import './auth.ts';
import './mfa.ts';
import './passwords.ts';
import './oidcSignIn.ts';
import './emailVerification.ts';
import './apiKeys.ts';
import './passkeys.ts';
import './providerKeys.ts';
import './transcripts.ts';
import './fileUpload.ts';
import './jobs.ts';
import './jobOutputs.ts';
import './jobRerun.ts';
import './jobSummaries.ts';
import './transcriptRevisions.ts';
import './jobSubscriptions.ts';
import './jobTimeline.ts';
import './liveSessions.ts';
import './transcriptChunks.ts';
import './projects.ts';
import './prompts.ts';
import './recordings.ts';
import './datasetExports.ts';
import './outbox.ts';
import './usage.ts';
import './quotas.ts';
import './audit.ts';
import './webhooks.ts';
import './housekeeping.ts';
import './accountErasure.ts';
import './streamingTokens.ts';
import './vocabulary.ts';

let schema: GraphQLSchema | undefined;

export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: false });
  return schema;
}

export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(buildSchema()))}\n`;
}
