/**
 * OpenAI's way with vocabulary: one `prompt` text. Whisper reads only the last 224 tokens of a
 * prompt, so Parlance sends at most OPENAI_PROMPT_MAX_CHARS characters (about 224 tokens of English):
 * the context prompt first (cut when longer on its own), then (after a space; multipart form fields
 * turn a newline into CRLF) the terms joined by ", ", as many as fit in their configured order; the rest are reported as not applied.
 */
import { promptNotTaken, type TermNotApplied, type Vocabulary, type VocabularyReport } from './vocabulary.ts';

export const OPENAI_PROMPT_MAX_CHARS = 800;

export function openaiVocabularyPrompt(
  vocabulary: Vocabulary,
  options: { acceptsPrompt: boolean; model: string },
): { prompt: string | null; report: VocabularyReport } {
  if (!options.acceptsPrompt) {
    const why = `the model ${options.model} takes no prompt`;
    return {
      prompt: null,
      report: {
        termsApplied: [],
        termsNotApplied: vocabulary.terms.map((term) => ({ term, reason: `${why[0].toUpperCase()}${why.slice(1)}.` })),
        truncated: false,
        ...promptNotTaken(vocabulary, why),
      },
    };
  }
  const notes: string[] = [];
  let truncated = false;
  let context = vocabulary.contextPrompt ?? '';
  if (context.length > OPENAI_PROMPT_MAX_CHARS) {
    context = context.slice(0, OPENAI_PROMPT_MAX_CHARS).trimEnd();
    truncated = true;
    notes.push(`The context prompt was cut to ${context.length} characters (OpenAI reads about 224 tokens of a prompt).`);
  }
  const applied: string[] = [];
  const notApplied: TermNotApplied[] = [];
  let list = '';
  for (const term of vocabulary.terms) {
    const nextList = list ? `${list}, ${term}` : term;
    const length = (context ? context.length + 1 : 0) + nextList.length;
    if (notApplied.length === 0 && length <= OPENAI_PROMPT_MAX_CHARS) {
      applied.push(term);
      list = nextList;
    } else {
      notApplied.push({ term, reason: `Over OpenAI's prompt limit (${OPENAI_PROMPT_MAX_CHARS} characters, about 224 tokens).` });
    }
  }
  if (notApplied.length > 0) {
    truncated = true;
    notes.push(`${notApplied.length} term(s) did not fit in OpenAI's prompt and were left out.`);
  }
  const prompt = [context, list].filter(Boolean).join(' ');
  return {
    prompt: prompt || null,
    report: { termsApplied: applied, termsNotApplied: notApplied, contextPromptPassed: context.length > 0, truncated, notes },
  };
}
