/**
 * Numbers in a transcript, written ("555-1212", "4111 1111 1111 1111") or spoken ("five five five
 * one two one two", "twenty one", "double five", "oh"), as runs of tokens with the digits they say.
 * Engines' common mishearings of digits inside a run ("to" for two, "for" for four) count as digits
 * only between two number tokens.
 */
import { passesLuhn } from './luhn.ts';
import type { RedactionKind } from './kinds.ts';
import type { Token, TokenMatch } from './tokens.ts';

const UNITS: Record<string, number> = { zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9 };
const TEENS: Record<string, number> = {
  ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 2, thirty: 3, forty: 4, fifty: 5, sixty: 6, seventy: 7, eighty: 8, ninety: 9 };
const MULTIPLIERS: Record<string, number> = { double: 2, triple: 3 };
/** Heard for a digit: "oh" next to a number; "to", "too", "for" only between two. */
const SOUNDALIKES: Record<string, { digit: string; between: boolean }> = {
  oh: { digit: '0', between: false },
  o: { digit: '0', between: false },
  to: { digit: '2', between: true },
  too: { digit: '2', between: true },
  for: { digit: '4', between: true },
};
const CONNECTORS = new Set(['', 'dash', 'hyphen']);
const WRITTEN = /^\+?\d[\d\-().,/]*$/;

type Piece =
  | { type: 'digits'; digits: string }
  | { type: 'unit'; value: number }
  | { type: 'teen'; value: number }
  | { type: 'tens'; value: number }
  | { type: 'hundred' }
  | { type: 'multiplier'; times: number }
  | { type: 'soundalike'; digit: string; between: boolean }
  | { type: 'connector' }
  | null;

function pieceOf(token: Token): Piece {
  const bare = token.bare;
  if (WRITTEN.test(bare) && /\d/.test(bare)) return { type: 'digits', digits: bare.replace(/\D/g, '') };
  if (Object.hasOwn(UNITS, bare)) return { type: 'unit', value: UNITS[bare] };
  if (Object.hasOwn(TEENS, bare)) return { type: 'teen', value: TEENS[bare] };
  if (Object.hasOwn(TENS, bare)) return { type: 'tens', value: TENS[bare] };
  if (bare === 'hundred') return { type: 'hundred' };
  if (Object.hasOwn(MULTIPLIERS, bare)) return { type: 'multiplier', times: MULTIPLIERS[bare] };
  if (Object.hasOwn(SOUNDALIKES, bare)) return { type: 'soundalike', ...SOUNDALIKES[bare] };
  if (CONNECTORS.has(bare)) return { type: 'connector' };
  // "twenty-one", "five-five-five"
  if (bare.includes('-')) {
    const parts = bare.split('-');
    if (parts.every((part) => Object.hasOwn(UNITS, part))) return { type: 'digits', digits: parts.map((part) => String(UNITS[part])).join('') };
    if (parts.length === 2 && Object.hasOwn(TENS, parts[0]) && Object.hasOwn(UNITS, parts[1]) && UNITS[parts[1]] > 0) {
      return { type: 'digits', digits: `${TENS[parts[0]]}${UNITS[parts[1]]}` };
    }
  }
  return null;
}

const isNumeral = (piece: Piece) =>
  piece !== null && (piece.type === 'digits' || piece.type === 'unit' || piece.type === 'teen' || piece.type === 'tens' || piece.type === 'multiplier');

/** A run of number tokens [first, last] and the digits it says. */
export interface NumberRun {
  first: number;
  last: number;
  digits: string;
}

export function findNumberRuns(tokens: readonly Token[]): NumberRun[] {
  const pieces = tokens.map(pieceOf);
  const runs: NumberRun[] = [];
  let i = 0;
  while (i < tokens.length) {
    const run = readRun(pieces, i);
    if (run) {
      runs.push(run);
      i = run.last + 1;
    } else {
      i += 1;
    }
  }
  return runs;
}

function readRun(pieces: readonly Piece[], start: number): NumberRun | null {
  let digits = '';
  let last = -1;
  let i = start;
  const nextIsNumeral = (at: number) => isNumeral(pieces[at] ?? null) || (pieces[at]?.type === 'soundalike' && !pieces[at].between);
  while (i < pieces.length) {
    const piece = pieces[i];
    if (piece === null) break;
    if (piece.type === 'digits') {
      digits += piece.digits;
    } else if (piece.type === 'unit') {
      if (pieces[i + 1]?.type === 'hundred') {
        const rest = readBelowHundred(pieces, i + 2);
        digits += String(piece.value * 100 + (rest?.value ?? 0)).padStart(3, '0');
        last = rest ? rest.last : i + 1;
        i = last + 1;
        continue;
      }
      digits += String(piece.value);
    } else if (piece.type === 'teen') {
      digits += String(piece.value);
    } else if (piece.type === 'tens') {
      const unit = pieces[i + 1];
      if (unit?.type === 'unit' && unit.value > 0 && pieces[i + 2]?.type !== 'hundred') {
        digits += `${piece.value}${unit.value}`;
        i += 1;
      } else {
        digits += `${piece.value}0`;
      }
    } else if (piece.type === 'multiplier') {
      const unit = pieces[i + 1];
      if (unit?.type !== 'unit') break;
      digits += String(unit.value).repeat(piece.times);
      i += 1;
    } else if (piece.type === 'soundalike') {
      const before = digits.length > 0;
      const after = nextIsNumeral(i + 1);
      if (piece.between ? !(before && after) : !(before || after)) break;
      digits += piece.digit;
    } else if (piece.type === 'connector') {
      if (digits.length === 0 || !nextIsNumeral(i + 1)) break;
    } else {
      break;
    }
    last = i;
    i += 1;
  }
  return digits.length > 0 ? { first: start, last, digits } : null;
}

function readBelowHundred(pieces: readonly Piece[], at: number): { value: number; last: number } | null {
  const piece = pieces[at];
  if (piece?.type === 'teen' || (piece?.type === 'unit' && piece.value > 0)) return { value: piece.value, last: at };
  if (piece?.type === 'tens') {
    const unit = pieces[at + 1];
    if (unit?.type === 'unit' && unit.value > 0) return { value: piece.value * 10 + unit.value, last: at + 1 };
    return { value: piece.value * 10, last: at };
  }
  return null;
}

/**
 * What a number run is, among the kinds asked for: a card number (13-19 digits passing Luhn), a
 * US social security number (9 digits), a phone number (7-15 digits), any number of 3 or more
 * digits (NUMBER); null when none of the asked kinds fits.
 */
export function classifyNumber(digits: string, kinds: ReadonlySet<RedactionKind>): RedactionKind | null {
  const n = digits.length;
  if (kinds.has('CARD_NUMBER') && n >= 13 && n <= 19 && passesLuhn(digits)) return 'CARD_NUMBER';
  if (kinds.has('SSN') && n === 9) return 'SSN';
  if (kinds.has('PHONE') && n >= 7 && n <= 15) return 'PHONE';
  if (kinds.has('NUMBER') && n >= 3) return 'NUMBER';
  return null;
}

export function numberMatches(tokens: readonly Token[], kinds: ReadonlySet<RedactionKind>): TokenMatch<RedactionKind>[] {
  const matches: TokenMatch<RedactionKind>[] = [];
  for (const run of findNumberRuns(tokens)) {
    const kind = classifyNumber(run.digits, kinds);
    if (kind) matches.push({ kind, first: run.first, last: run.last });
  }
  return matches;
}
