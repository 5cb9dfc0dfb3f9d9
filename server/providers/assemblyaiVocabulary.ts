/**
 * AssemblyAI's way with vocabulary: `keyterms_prompt` on its current models (the default,
 * "universal", "slam-1"), `word_boost` on the older "best" and "nano"; both take up to 1000 terms of at
 * most 6 words. Only "slam-1" takes a context `prompt`, and never together with key terms, so the
 * prompt is passed there only when no term is.
 */
import { promptNotTaken, takeWithinBudget, wordCount, type Vocabulary, type VocabularyReport } from './vocabulary.ts';

export const ASSEMBLYAI_MAX_TERMS = 1000;
export const ASSEMBLYAI_MAX_TERM_WORDS = 6;

type VocabularyParams = { keyterms_prompt?: string[]; word_boost?: string[]; prompt?: string };

export function assemblyaiVocabulary(vocabulary: Vocabulary, model: string | null): { params: VocabularyParams; report: VocabularyReport } {
  const legacy = model === 'best' || model === 'nano';
  const parameter = legacy ? 'word_boost' : 'keyterms_prompt';
  const long = vocabulary.terms
    .filter((term) => wordCount(term) > ASSEMBLYAI_MAX_TERM_WORDS)
    .map((term) => ({ term, reason: `AssemblyAI takes terms of at most ${ASSEMBLYAI_MAX_TERM_WORDS} words.` }));
  const fitting = vocabulary.terms.filter((term) => wordCount(term) <= ASSEMBLYAI_MAX_TERM_WORDS);
  const { taken, left } = takeWithinBudget(fitting, ASSEMBLYAI_MAX_TERMS, () => 1, `Over AssemblyAI's limit of ${ASSEMBLYAI_MAX_TERMS} terms.`);
  const params: VocabularyParams = taken.length > 0 ? { [parameter]: taken } : {};
  const notes = taken.length > 0 ? [`Sent as ${parameter} (${model ?? 'the default model'}).`] : [];
  let contextPromptPassed = false;
  if (vocabulary.contextPrompt) {
    if (model === 'slam-1' && taken.length === 0) {
      params.prompt = vocabulary.contextPrompt;
      contextPromptPassed = true;
    } else {
      const why = model === 'slam-1' ? 'AssemblyAI takes a prompt or key terms, not both, and the terms were sent' : 'only the slam-1 model takes a prompt';
      notes.push(...promptNotTaken(vocabulary, why).notes);
    }
  }
  return {
    params,
    report: { termsApplied: taken, termsNotApplied: [...long, ...left], truncated: left.length > 0, contextPromptPassed, notes },
  };
}
