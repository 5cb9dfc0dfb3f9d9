import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from '../observability/metrics.ts';

/**
 * Counts GraphQL operations (HTTP and WebSocket alike: both run Yoga's envelop) by their first root
 * field, type and first error code. The root field, not the client's operation name, labels them:
 * the schema bounds it, so no client can grow the metrics without bound.
 */
export function countOperations(metrics: Metrics): Plugin {
  const count = (document: DocumentNode, operationName: string | null | undefined, result: unknown) => {
    const operation = getOperationAST(document, operationName ?? undefined);
    const first = operation?.selectionSet.selections.find((selection) => selection.kind === 'Field');
    const errors = (result as ExecutionResult | null)?.errors;
    metrics.graphqlOperations.inc({
      operation: first?.kind === 'Field' ? first.name.value : '',
      type: operation?.operation ?? '',
      code: errors?.length ? String(errors[0].extensions?.code ?? 'INTERNAL_SERVER_ERROR') : '',
    });
  };
  return {
    onValidate:
      () =>
      ({ valid, result }) => {
        if (valid) return;
        const code = (result as readonly { extensions?: { code?: unknown } }[])[0]?.extensions?.code;
        metrics.graphqlOperations.inc({ operation: '', type: '', code: String(code ?? 'GRAPHQL_VALIDATION_FAILED') });
      },
    onExecute: ({ args }) => ({
      onExecuteDone: ({ result }) => count(args.document, args.operationName, Symbol.asyncIterator in result ? null : result),
    }),
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result }) => count(args.document, args.operationName, Symbol.asyncIterator in result ? null : result),
    }),
  };
}
