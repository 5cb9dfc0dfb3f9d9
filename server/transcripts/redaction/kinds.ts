/** What can be redacted from a transcript (README, "Redaction"). */
export const REDACTION_KINDS = ['EMAIL', 'PHONE', 'CARD_NUMBER', 'SSN', 'URL', 'NUMBER'] as const;
export type RedactionKind = (typeof REDACTION_KINDS)[number];

/** What a redacted span reads as: "[PHONE]", "[CARD_NUMBER]", … */
export function placeholderOf(kind: RedactionKind): string {
  return `[${kind}]`;
}

/** The kinds in their canonical order, each once (so two lists of the same kinds compare equal). */
export function normaliseKinds(kinds: Iterable<string>): RedactionKind[] {
  const wanted = new Set(kinds);
  return REDACTION_KINDS.filter((kind) => wanted.has(kind));
}

export function sameKinds(a: readonly string[], b: readonly string[]): boolean {
  const x = normaliseKinds(a);
  const y = normaliseKinds(b);
  return x.length === y.length && x.every((kind, i) => kind === y[i]);
}
