/**
 * Vocabulary and context for engines (README, "Vocabulary and context"): the terms a job favours and
 * its free-text context prompt, and the report each engine gives of what it did with them. Each
 * engine passes them in its own way (OpenAI `prompt`, Deepgram `keyterm`/`keywords`, AssemblyAI
 * `keyterms_prompt`/`word_boost`/`prompt`, LOCAL new dictionary words) and answers a
 * `VocabularyReport`; the job keeps one per engine used (`Job.vocabularyApplied`).
 */

export interface Vocabulary {
  /** Distinct terms, as written (a term may be several words). */
  terms: string[];
  contextPrompt: string | null;
}

export interface TermNotApplied {
  term: string;
  reason: string;
}

export interface VocabularyReport {
  termsApplied: string[];
  termsNotApplied: TermNotApplied[];
  contextPromptPassed: boolean;
  /** Something was cut to fit the engine's limits (terms left out, or the prompt shortened). */
  truncated: boolean;
  /** What the user should know: why the prompt was not passed, what was cut, which parameter carried the terms. */
  notes: string[];
}

/** Whether a job asked for anything at all. */
export function hasVocabulary(vocabulary: Vocabulary | null | undefined): vocabulary is Vocabulary {
  return !!vocabulary && (vocabulary.terms.length > 0 || !!vocabulary.contextPrompt);
}

/** The report of an engine that takes no context prompt: `notes` say so when one was given. */
export function promptNotTaken(vocabulary: Vocabulary, why: string): Pick<VocabularyReport, 'contextPromptPassed' | 'notes'> {
  return { contextPromptPassed: false, notes: vocabulary.contextPrompt ? [`The context prompt was not passed: ${why}.`] : [] };
}

/**
 * Takes terms in order while their summed cost stays within `budget`; the rest are left out with
 * `reason`. Keeps the configured order, so what an engine receives is predictable.
 */
export function takeWithinBudget(
  terms: string[],
  budget: number,
  cost: (term: string) => number,
  reason: string,
): { taken: string[]; left: TermNotApplied[] } {
  const taken: string[] = [];
  const left: TermNotApplied[] = [];
  let spent = 0;
  for (const term of terms) {
    const next = spent + cost(term);
    if (next <= budget && left.length === 0) {
      taken.push(term);
      spent = next;
    } else left.push({ term, reason });
  }
  return { taken, left };
}

/** Words of a term (whitespace-separated). */
export function wordCount(term: string): number {
  return term.split(/\s+/).filter(Boolean).length;
}
