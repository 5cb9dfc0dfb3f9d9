import { GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * Production hides the schema (no introspection), so errors must not spell it out either: graphql-js
 * suggests field, argument, type and enum value names ("Did you mean the enum value …?") in
 * validation errors and, for variables, at execution. Both are cleaned here, for HTTP and graphql-ws.
 */
export function hideSuggestions(): Plugin {
  const onResult = (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
    handleStreamOrSingleExecutionResult(payload, ({ result, setResult }) => {
      if (result.errors?.some(suggests)) setResult({ ...result, errors: result.errors.map(withoutSuggestion) });
    });
  return {
    onValidate: () => ({ result, setResult }) => {
      const errors = result as GraphQLError[];
      if (errors.some(suggests)) setResult(errors.map(withoutSuggestion));
    },
    onExecute: () => ({ onExecuteDone: onResult }),
    onSubscribe: () => ({ onSubscribeResult: onResult }),
  };
}

function suggests(error: GraphQLError): boolean {
  SUGGESTION.lastIndex = 0;
  return SUGGESTION.test(error.message);
}

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!suggests(error)) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}
