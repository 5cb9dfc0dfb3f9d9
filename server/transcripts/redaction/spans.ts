/** The redaction rules run over one text: where its emails, phone and card numbers, … are, and the text with them replaced. */
import { emailMatches, urlMatches } from './addresses.ts';
import { placeholderOf, type RedactionKind } from './kinds.ts';
import { numberMatches } from './numbers.ts';
import { tokenize, type Token, type TokenMatch } from './tokens.ts';

/** A redacted stretch of a text: [from, to) in characters. */
export interface TextSpan {
  kind: RedactionKind;
  from: number;
  to: number;
}

const LEADING = /^[^\p{L}\p{N}@+(]+/u;
const TRAILING = /[^\p{L}\p{N}]+$/u;

/** The spans of `text` of the given kinds, in order, never overlapping (addresses win over the numbers in them). */
export function findSpans(text: string, kinds: readonly RedactionKind[]): TextSpan[] {
  if (kinds.length === 0 || text.length === 0) return [];
  const wanted = new Set(kinds);
  const tokens = tokenize(text);
  const matches: TokenMatch<RedactionKind>[] = [
    ...(wanted.has('EMAIL') ? emailMatches(tokens) : []),
    ...(wanted.has('URL') ? urlMatches(tokens) : []),
    ...numberMatches(tokens, wanted),
  ];
  const priority = (kind: RedactionKind) => (kind === 'EMAIL' || kind === 'URL' ? 0 : 1);
  matches.sort((a, b) => priority(a.kind) - priority(b.kind) || a.first - b.first || b.last - a.last);
  const taken: TokenMatch<RedactionKind>[] = [];
  for (const match of matches) {
    if (!taken.some((other) => match.first <= other.last && other.first <= match.last)) taken.push(match);
  }
  return taken.sort((a, b) => a.first - b.first).map((match) => spanOf(tokens, match));
}

function spanOf(tokens: readonly Token[], match: TokenMatch<RedactionKind>): TextSpan {
  const first = tokens[match.first];
  const last = tokens[match.last];
  const lead = LEADING.exec(first.raw)?.[0].length ?? 0;
  const trail = TRAILING.exec(last.raw)?.[0].length ?? 0;
  // Keep a sentence's own punctuation ("…1212," stays "[PHONE],"), but never cut into the token itself.
  const from = first.from + (lead < first.raw.length ? lead : 0);
  const to = last.to - (trail < last.raw.length && last.to - trail > from ? trail : 0);
  return { kind: match.kind, from, to };
}

/** The text with each span replaced by its placeholder ("[PHONE]"). */
export function applySpans(text: string, spans: readonly TextSpan[]): string {
  let out = '';
  let at = 0;
  for (const span of spans) {
    out += text.slice(at, span.from) + placeholderOf(span.kind);
    at = span.to;
  }
  return out + text.slice(at);
}

/** The rules applied to a text on its own (recognised texts of recordings, a translation). */
export function redactText(text: string, kinds: readonly RedactionKind[]): string {
  return applySpans(text, findSpans(text, kinds));
}
