/**
 * Word clean-up for PocketSphinx output: fillers (`<s>`, `</s>`, `<sil>`, `[NOISE]`, `++BREATH++`)
 * are dropped and alternate-pronunciation suffixes (`read(2)`) are stripped.
 */

const ALTERNATE_PRONUNCIATION = /\(\d+\)$/;

/** Whether a decoder token is a filler rather than a spoken word. */
function isFiller(token: string): boolean {
  return (
    token.length === 0 ||
    (token.startsWith('<') && token.endsWith('>')) ||
    (token.startsWith('[') && token.endsWith(']')) ||
    (token.startsWith('+') && token.endsWith('+'))
  );
}

/** The spoken word for a decoder token, or null for a filler. */
export function cleanWord(token: string): string | null {
  const word = token.trim().replace(ALTERNATE_PRONUNCIATION, '');
  return isFiller(word) ? null : word;
}

/** A hypothesis string with fillers and pronunciation suffixes removed. */
export function cleanHypothesis(hypothesis: string | null): string {
  if (!hypothesis) return '';
  const words: string[] = [];
  for (const token of hypothesis.split(/\s+/)) {
    const word = cleanWord(token);
    if (word) words.push(word);
  }
  return words.join(' ');
}
