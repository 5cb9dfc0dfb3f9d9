import { Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from '../../errors.ts';

/**
 * No string argument or input may hold a NUL character: PostgreSQL cannot store or compare one, so
 * it would fail deep in a query as an unexpected error. Checked once for every operation, over the
 * document's string literals and the raw variables, on HTTP and graphql-ws alike (both run Yoga's
 * envelop), before anything executes.
 */
export function refuseNulCharacters(): Plugin {
  const refusal = () => ({ errors: [badInput('Text may not contain a NUL character (\\u0000).')] });
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      if (holdsNul(args.document, args.variableValues)) setResultAndStopExecution(refusal());
    },
    onSubscribe: ({ args, setResultAndStopExecution }) => {
      if (holdsNul(args.document, args.variableValues)) setResultAndStopExecution(refusal());
    },
  };
}

function holdsNul(document: DocumentNode, variables: unknown): boolean {
  return valueHoldsNul(variables) || literalHoldsNul(document);
}

/** Yoga's parse cache hands the same document object to every request of one query text. */
const literalVerdicts = new WeakMap<DocumentNode, boolean>();

function literalHoldsNul(document: DocumentNode): boolean {
  let verdict = literalVerdicts.get(document);
  if (verdict === undefined) {
    verdict = visitLiterals(document);
    literalVerdicts.set(document, verdict);
  }
  return verdict;
}

function visitLiterals(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes('\0')) found = true;
    },
  });
  return found;
}

function valueHoldsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (Array.isArray(value)) return value.some(valueHoldsNul);
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([key, item]) => key.includes('\0') || valueHoldsNul(item));
  }
  return false;
}
