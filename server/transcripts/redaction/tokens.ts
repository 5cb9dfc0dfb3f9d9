/** A whitespace-separated token of a text, where it is, and its bare form (lowercase, edge punctuation cut). */
export interface Token {
  from: number;
  to: number;
  raw: string;
  bare: string;
}

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}@+]+|[^\p{L}\p{N}]+$/gu;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const raw = match[0];
    tokens.push({ from: match.index, to: match.index + raw.length, raw, bare: raw.toLowerCase().replace(EDGE_PUNCTUATION, '') });
  }
  return tokens;
}

/** A match over tokens [first, last] (inclusive) of one kind. */
export interface TokenMatch<K extends string = string> {
  kind: K;
  first: number;
  last: number;
}
