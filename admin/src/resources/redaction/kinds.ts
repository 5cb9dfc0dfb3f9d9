// The kinds of redaction the server knows (RedactionKind), as the web app offers them.
import type { RedactionKind } from '../../gql/graphql.ts';

export const REDACTION_KINDS: { value: RedactionKind; label: string }[] = [
  { value: 'PHONE', label: 'Phone numbers' },
  { value: 'CARD_NUMBER', label: 'Card numbers' },
  { value: 'EMAIL', label: 'Email addresses' },
  { value: 'SSN', label: 'Social security numbers' },
  { value: 'URL', label: 'Web addresses' },
  { value: 'NUMBER', label: 'Other numbers (3+ digits)' },
];

/** Toggles one kind in a list, keeping the server's order. */
export function toggledKinds(kinds: readonly RedactionKind[], kind: RedactionKind, on: boolean): RedactionKind[] {
  const next = new Set(kinds);
  if (on) next.add(kind);
  else next.delete(kind);
  return REDACTION_KINDS.map((entry) => entry.value).filter((value) => next.has(value));
}
