/**
 * LOCAL's way with vocabulary: PocketSphinx recognises only words of its dictionary, so a term's
 * unknown words are added to the decoder (ps_add_word, which also puts them in the language model)
 * with a pronunciation derived from words it knows: the word is split into the fewest dictionary
 * words of two letters or more ("tarkindale" = tar + kin + dale) and their phones are joined. A word
 * that cannot be split so, or has characters other than letters, leaves its term not applied; so does
 * a term whose words are all known already (the engine has no way to favour a known word). The
 * engine takes no context prompt.
 */
import { readFile } from 'node:fs/promises';
import { ProviderError, type Segment } from '../types.ts';
import { promptNotTaken, type TermNotApplied, type Vocabulary, type VocabularyReport } from '../vocabulary.ts';
import { resolveModelFiles } from './model.ts';

/** A word to add to the decoder's dictionary, with its phones ("T AA R K IH N D EY L"). */
export interface AddedWord {
  word: string;
  phones: string;
}

export type Dictionary = ReadonlyMap<string, string>;

const MIN_PIECE_LETTERS = 2;
const MAX_WORD_LETTERS = 40;

const dictionaries = new Map<string, Promise<Dictionary>>();

/** The dictionary file's words and their first pronunciations, read once per path (about 130k words). */
export function loadDictionary(dictPath: string): Promise<Dictionary> {
  let dictionary = dictionaries.get(dictPath);
  if (!dictionary) {
    dictionary = readFile(dictPath, 'utf8').then(parseDictionary);
    dictionaries.set(dictPath, dictionary);
    dictionary.catch(() => dictionaries.delete(dictPath));
  }
  return dictionary;
}

export function parseDictionary(text: string): Dictionary {
  const words = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^(\S+?)(?:\(\d+\))?\s+(.+?)\s*$/.exec(line);
    if (match && !words.has(match[1])) words.set(match[1], match[2]);
  }
  return words;
}

/** The fewest dictionary words that spell `word` end to end, or null. */
export function splitIntoKnownWords(word: string, dictionary: Dictionary): string[] | null {
  if (word.length > MAX_WORD_LETTERS) return null;
  const best: Array<string[] | null> = [[]];
  for (let end = 1; end <= word.length; end += 1) {
    best[end] = null;
    for (let start = 0; start <= end - MIN_PIECE_LETTERS; start += 1) {
      const before = best[start];
      const piece = word.slice(start, end);
      if (before && dictionary.has(piece) && (!best[end] || before.length + 1 < best[end]!.length)) {
        best[end] = [...before, piece];
      }
    }
  }
  return best[word.length] ?? null;
}

/** The words a term is made of, lowercased, without surrounding punctuation; hyphens separate words. */
function wordsOf(term: string): string[] {
  return term
    .toLowerCase()
    .split(/[\s-]+/)
    .map((word) => word.replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, ''))
    .filter(Boolean);
}

export interface LocalVocabularyPlan {
  words: AddedWord[];
  /** The term's own spelling of each added word (lowercase word -> as written), to restore in the transcript. */
  spellings: Map<string, string>;
  report: VocabularyReport;
}

export function planLocalVocabulary(vocabulary: Vocabulary, dictionary: Dictionary): LocalVocabularyPlan {
  const added = new Map<string, string>();
  const spellings = new Map<string, string>();
  const applied: string[] = [];
  const notApplied: TermNotApplied[] = [];
  for (const term of vocabulary.terms) {
    const newWords: AddedWord[] = [];
    let refusal: string | null = null;
    for (const word of wordsOf(term)) {
      if (dictionary.has(word) || added.has(word)) continue;
      if (!/^[a-z']+$/.test(word)) {
        refusal = `"${word}" has characters other than the letters a-z: the local engine cannot derive its pronunciation.`;
        break;
      }
      const pieces = splitIntoKnownWords(word, dictionary);
      if (!pieces) {
        refusal = `No pronunciation for "${word}" can be derived from words the local engine knows.`;
        break;
      }
      newWords.push({ word, phones: pieces.map((piece) => dictionary.get(piece)!).join(' ') });
    }
    if (refusal) notApplied.push({ term, reason: refusal });
    else if (newWords.length === 0 && !wordsOf(term).some((word) => added.has(word))) {
      notApplied.push({ term, reason: 'Already in the local engine\'s dictionary: it has no way to favour a word it knows.' });
    } else {
      for (const word of newWords) {
        added.set(word.word, word.phones);
        const spelled = term.split(/[\s-]+/).find((written) => written.toLowerCase().replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, '') === word.word);
        if (spelled) spellings.set(word.word, spelled.replace(/^[^\p{L}\p{N}']+|[^\p{L}\p{N}']+$/gu, ''));
      }
      applied.push(term);
    }
  }
  return {
    words: [...added].map(([word, phones]) => ({ word, phones })),
    spellings,
    report: {
      termsApplied: applied,
      termsNotApplied: notApplied,
      truncated: false,
      ...promptNotTaken(vocabulary, 'the local engine takes no context prompt'),
    },
  };
}

/** The plan for `vocabulary` against the dictionary of the model in `modelDir` (file jobs and live sessions alike). */
export async function planLocalVocabularyFor(modelDir: string, vocabulary: Vocabulary): Promise<LocalVocabularyPlan> {
  let dictionary: Dictionary;
  try {
    dictionary = await loadDictionary(resolveModelFiles(modelDir).dict);
  } catch (error) {
    throw new ProviderError('unavailable', `The local engine's dictionary cannot be read: ${(error as Error).message}`);
  }
  return planLocalVocabulary(vocabulary, dictionary);
}

/** Added words come out of the decoder lowercased: `text` with them written as their terms spell them. */
export function respellText(text: string, spellings: ReadonlyMap<string, string>): string {
  return spellings.size > 0 ? text.split(' ').map((word) => spellings.get(word) ?? word).join(' ') : text;
}

/** A segment with its added words written as their terms spell them. */
export function respell(segment: Segment, spellings: ReadonlyMap<string, string>): Segment {
  if (spellings.size === 0) return segment;
  const words = segment.words.map((word) => ({ ...word, word: spellings.get(word.word) ?? word.word }));
  return { ...segment, words, text: respellText(segment.text, spellings) };
}

/** Marks the terms of words the decoder refused (it should not: they are checked against its dictionary first). */
export function withRefusedWords(plan: LocalVocabularyPlan, refused: readonly string[]): VocabularyReport {
  if (refused.length === 0) return plan.report;
  const refusedSet = new Set(refused);
  const stillApplied: string[] = [];
  const notApplied = [...plan.report.termsNotApplied];
  for (const term of plan.report.termsApplied) {
    if (wordsOf(term).some((word) => refusedSet.has(word))) notApplied.push({ term, reason: 'The local engine refused the derived pronunciation.' });
    else stillApplied.push(term);
  }
  return { ...plan.report, termsApplied: stillApplied, termsNotApplied: notApplied };
}
