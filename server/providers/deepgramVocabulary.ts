/**
 * Deepgram's way with vocabulary: Nova-3 models take `keyterm` (one parameter per term, phrases
 * allowed; at most 100 terms and 500 tokens), older models take `keywords` (single words only; Parlance
 * sends at most 100). Deepgram takes no context prompt.
 */
import { promptNotTaken, takeWithinBudget, type Vocabulary, type VocabularyReport } from './vocabulary.ts';

export const DEEPGRAM_MAX_KEYTERMS = 100;
export const DEEPGRAM_KEYTERM_TOKENS = 500;
export const DEEPGRAM_MAX_KEYWORDS = 100;

/** Deepgram's own limit is in tokens; a word is at least one, and a long word more (about 4 characters each). */
const estimatedTokens = (term: string) =>
  term.split(/\s+/).filter(Boolean).reduce((sum, word) => sum + Math.max(1, Math.ceil(word.length / 4)), 0);

export function isNova3(model: string): boolean {
  return /^nova-3(?:$|-)/.test(model);
}

export function deepgramVocabulary(
  vocabulary: Vocabulary,
  model: string,
): { params: { keyterm?: string[]; keywords?: string[] }; report: VocabularyReport } {
  const prompt = promptNotTaken(vocabulary, 'Deepgram takes no context prompt');
  if (isNova3(model)) {
    const byCount = takeWithinBudget(vocabulary.terms, DEEPGRAM_MAX_KEYTERMS, () => 1, `Over Deepgram's limit of ${DEEPGRAM_MAX_KEYTERMS} key terms.`);
    const byTokens = takeWithinBudget(byCount.taken, DEEPGRAM_KEYTERM_TOKENS, estimatedTokens, `Over Deepgram's limit of ${DEEPGRAM_KEYTERM_TOKENS} key-term tokens.`);
    const left = [...byTokens.left, ...byCount.left];
    return {
      params: byTokens.taken.length > 0 ? { keyterm: byTokens.taken } : {},
      report: {
        termsApplied: byTokens.taken,
        termsNotApplied: left,
        truncated: left.length > 0,
        contextPromptPassed: false,
        notes: [`Sent as keyterm (${model}).`, ...prompt.notes],
      },
    };
  }
  const single = vocabulary.terms.filter((term) => /^[\p{L}\p{N}'-]+$/u.test(term));
  const phrases = vocabulary.terms
    .filter((term) => !single.includes(term))
    .map((term) => ({ term, reason: `${model} boosts single words only (keywords); Nova-3 models take phrases.` }));
  const byCount = takeWithinBudget(single, DEEPGRAM_MAX_KEYWORDS, () => 1, `Over Parlance's limit of ${DEEPGRAM_MAX_KEYWORDS} Deepgram keywords.`);
  return {
    params: byCount.taken.length > 0 ? { keywords: byCount.taken } : {},
    report: {
      termsApplied: byCount.taken,
      termsNotApplied: [...phrases, ...byCount.left],
      truncated: byCount.left.length > 0,
      contextPromptPassed: false,
      notes: [`Sent as keywords (${model}).`, ...prompt.notes],
    },
  };
}
