/**
 * Email and web addresses, written ("ana@example.com", "https://example.com/x", "www.example.org")
 * or spoken ("ana dot silva at example dot com", "example dot com slash pricing", "w w w dot …").
 * A spoken address needs a known top-level domain at its end, so "at home dot" is left alone.
 */
import type { Token, TokenMatch } from './tokens.ts';

const TLDS = new Set([
  'com', 'org', 'net', 'edu', 'gov', 'mil', 'int', 'io', 'co', 'uk', 'us', 'de', 'fr', 'es', 'it', 'nl', 'eu', 'ca', 'au',
  'jp', 'ch', 'se', 'no', 'dk', 'fi', 'pl', 'be', 'at', 'ie', 'nz', 'in', 'br', 'info', 'biz', 'me', 'app', 'dev', 'ai', 'tv',
]);
const LABEL = /^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u;
const WRITTEN_EMAIL = /^[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u;
const WRITTEN_DOMAIN = /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u;
const WRITTEN_URL = /^(https?:\/\/\S+|www\.\S+|[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)*\.[a-z]{2,6}\/\S*)$/iu;
const LOCAL_JOINERS = new Set(['dot', 'underscore', 'dash', 'hyphen']);

const isWrittenDomain = (bare: string) => WRITTEN_DOMAIN.test(bare) && TLDS.has(bare.slice(bare.lastIndexOf('.') + 1));

/** The last token of a domain starting at `at` ("example dot co dot uk", or "example.com"), or -1. */
function domainEnd(tokens: readonly Token[], at: number): number {
  if (tokens[at] && isWrittenDomain(tokens[at].bare)) return at;
  if (!tokens[at] || !LABEL.test(tokens[at].bare)) return -1;
  let end = -1;
  let i = at;
  while (tokens[i + 1]?.bare === 'dot' && tokens[i + 2] && LABEL.test(tokens[i + 2].bare)) {
    i += 2;
    if (TLDS.has(tokens[i].bare)) end = i;
  }
  return end;
}

/** The first token of an email's spoken local part ending at `end` ("ana dot silva"). */
function localStart(tokens: readonly Token[], end: number): number {
  let start = end;
  while (start >= 2 && LOCAL_JOINERS.has(tokens[start - 1].bare) && LABEL.test(tokens[start - 2].bare)) start -= 2;
  return start;
}

export function emailMatches(tokens: readonly Token[]): TokenMatch<'EMAIL'>[] {
  const matches: TokenMatch<'EMAIL'>[] = [];
  tokens.forEach((token, i) => {
    if (WRITTEN_EMAIL.test(token.bare)) matches.push({ kind: 'EMAIL', first: i, last: i });
    if (token.bare !== 'at' || i === 0 || !LABEL.test(tokens[i - 1].bare)) return;
    const end = domainEnd(tokens, i + 1);
    if (end >= 0) matches.push({ kind: 'EMAIL', first: localStart(tokens, i - 1), last: end });
  });
  return matches;
}

export function urlMatches(tokens: readonly Token[]): TokenMatch<'URL'>[] {
  const matches: TokenMatch<'URL'>[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const bare = tokens[i].bare;
    if (bare.includes('@')) continue;
    if (WRITTEN_URL.test(bare) || isWrittenDomain(bare)) {
      matches.push({ kind: 'URL', first: i, last: i });
      continue;
    }
    // "w w w dot example dot com": the letters of www spoken one by one.
    let at = i;
    if (bare === 'w' && tokens[i + 1]?.bare === 'w' && tokens[i + 2]?.bare === 'w' && tokens[i + 3]?.bare === 'dot') at = i + 4;
    const end = domainEnd(tokens, at);
    if (end < 0 || tokens[i - 1]?.bare === 'at') continue;
    let last = end;
    while (tokens[last + 1]?.bare === 'slash' && tokens[last + 2] && LABEL.test(tokens[last + 2].bare)) last += 2;
    matches.push({ kind: 'URL', first: i, last });
    i = last;
  }
  return matches;
}
