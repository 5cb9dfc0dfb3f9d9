import {
  getArgumentValues,
  getOperationAST,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../context.ts';
import { forbidden } from '../../errors.ts';

/**
 * What a streaming token (README, "Streaming tokens for browsers") may run: appendLiveAudio and the
 * transcriptChunks subscription, both for the token's own session. Every other operation, and any
 * of these two naming another session or a job, is FORBIDDEN before anything executes, on HTTP and
 * graphql-ws alike. (The auth scopes in schema/builder.ts refuse such a viewer everywhere else too.)
 */
const ALLOWED: Record<'mutation' | 'subscription', string> = {
  mutation: 'appendLiveAudio',
  subscription: 'transcriptChunks',
};

export function streamingTokensStayInTheirSession(): Plugin<Context> {
  const check = (args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
    contextValue: unknown;
  }): string | null => {
    const sessionId = (args.contextValue as Context).viewer?.streamingSessionId;
    if (!sessionId) return null;
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation || operation.operation === 'query') return 'A streaming token may only append audio to its live session and subscribe to it.';
    const rootType = operation.operation === 'mutation' ? args.schema.getMutationType() : args.schema.getSubscriptionType();
    const fields = rootFields(args.document, operation.selectionSet);
    for (const field of fields) {
      if (field.name.value === '__typename') continue;
      const definition = rootType?.getFields()[field.name.value];
      if (field.name.value !== ALLOWED[operation.operation] || !definition) {
        return 'A streaming token may only append audio to its live session and subscribe to it.';
      }
      const values = getArgumentValues(definition, field, args.variableValues ?? {});
      if (values.sessionId !== sessionId || values.jobId != null) return 'This streaming token is for another live session.';
    }
    return null;
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const refusal = check(args);
      if (refusal) setResultAndStopExecution({ errors: [forbidden(refusal)] });
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      const refusal = check(args);
      if (refusal) setResultAndStopExecution({ errors: [forbidden(refusal)] });
    },
  };
}

/** The operation's top-level fields, through fragments. */
function rootFields(document: DocumentNode, selectionSet: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...rootFields(document, selection.selectionSet, seen));
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) fields.push(...rootFields(document, fragment.selectionSet, seen));
    }
  }
  return fields;
}
