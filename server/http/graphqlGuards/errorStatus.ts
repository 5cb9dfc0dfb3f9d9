import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { codeOfHttpStatus, httpStatusOf } from '../../errors.ts';

/** Yoga's own codes, renamed to the codes of our table (errors.ts). */
const codeOfYogaCode: Record<string, string> = {
  REQUEST_ENTITY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BAD_REQUEST: 'BAD_USER_INPUT',
};

/**
 * One status per error code over HTTP. An error without a path refuses the request as a whole (bad
 * credentials, a body or document over its limit, a syntax or validation error, CSRF, a bad variable):
 * it gets a code of our table (Yoga's own errors too) and the response answers that code's status.
 * Errors of fields (with a path) stay in a 200 response beside the data, as GraphQL over HTTP expects.
 */
export function errorsAnswerTheirStatus(): Plugin {
  return {
    onResultProcess: ({ result, setResult }) => {
      if (Array.isArray(result) || !('errors' in result) || !result.errors?.length) return;
      setResult({ ...result, errors: result.errors.map((error) => (error.path ? error : requestError(error))) });
    },
  };
}

function requestError(error: GraphQLError): GraphQLError {
  const extensions = error.extensions ?? {};
  const http = (extensions.http ?? {}) as { status?: number; headers?: Record<string, string> };
  const code = ourCode(extensions.code, http.status);
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...extensions, code, http: { headers: http.headers, status: httpStatusOf(code) } },
  });
}

function ourCode(code: unknown, status: number | undefined): string {
  if (httpStatusOf(code) !== undefined) return code as string;
  if (typeof code === 'string' && codeOfYogaCode[code]) return codeOfYogaCode[code];
  // Without a code: Yoga's own refusals carry a status (CSRF 403, a wrong method 405); graphql-js's
  // variable coercion errors carry nothing and are bad input (anything unexpected is masked by now).
  return (status !== undefined && codeOfHttpStatus(status)) || 'BAD_USER_INPUT';
}
