/**
 * A question about a transcript, answered through the chat endpoint with citations to the segments
 * the answer rests on. A transcript that fits the context budget takes one request; a longer one is
 * read in parts (map: what each part says about the question, with the segments it cites) and the
 * notes are merged into the answer (reduce). Cited ids the transcript does not have are dropped.
 */
import { chatJson, estimateTokens, type ChatCallOptions } from './chatJson.ts';
import { answerReserveTokens, knownIds, partBudgetTokens, reduceWithin, transcriptParts, type ChatSegment } from './transcriptParts.ts';
import { ProviderError } from './types.ts';

export interface TranscriptAnswer {
  answer: string;
  /** The indexes of the cited segments, in transcript order. */
  citations: number[];
}

const MAX_ANSWER_CHARS = 4000;

const ANSWER_SYSTEM =
  'You answer a question about a speech transcript from the transcript alone. Its segments are lines "[id] start-end speaker: text". ' +
  'Answer with one JSON object only: {"answer":"<the answer>","citations":[<ids of the segments the answer rests on>]}. ' +
  'When the transcript does not say, answer so and cite nothing. Answer in the language of the question.';
const MAP_SYSTEM =
  'You read one part of a longer speech transcript for a question. Its segments are lines "[id] start-end speaker: text". ' +
  'Answer with one JSON object only: {"notes":"<what this part says that bears on the question; empty when nothing>","citations":[<ids>]}.';
const REDUCE_SYSTEM =
  'You answer a question about a speech transcript from notes taken on its parts; each note lists the segment ids it rests on. ' +
  'Answer with one JSON object only: {"answer":"<the answer>","citations":[<ids of the segments the answer rests on, from the notes>]}. ' +
  'When the notes do not say, answer so and cite nothing. Answer in the language of the question.';

interface Note {
  notes: string;
  citations: number[];
}

export interface QuestionOptions extends ChatCallOptions {
  contextTokens: number;
}

export async function answerQuestion(segments: readonly ChatSegment[], question: string, options: QuestionOptions): Promise<TranscriptAnswer> {
  const known = new Map(segments.map((segment) => [segment.index, segment]));
  const questionBlock = `Question: ${question}\n\nTranscript:\n`;
  const framing = estimateTokens(questionBlock) + 10;
  const single = transcriptParts(segments, partBudgetTokens(options.contextTokens, ANSWER_SYSTEM, framing));
  if (single.length <= 1) {
    const answer = await chatJson(options, ANSWER_SYSTEM, questionBlock + (single[0] ?? []).join('\n'));
    return readAnswer(answer.answer, answer.citations, known);
  }
  const parts = transcriptParts(segments, partBudgetTokens(options.contextTokens, MAP_SYSTEM, framing));
  const notes: Note[] = [];
  for (const [i, lines] of parts.entries()) {
    const answer = await chatJson(options, MAP_SYSTEM, `Question: ${question}\n\nPart ${i + 1} of ${parts.length}:\n${lines.join('\n')}`);
    const text = typeof answer.notes === 'string' ? answer.notes.trim() : '';
    if (text) notes.push({ notes: text.slice(0, MAX_ANSWER_CHARS), citations: knownIds(answer.citations, known) });
  }
  if (notes.length === 0) return { answer: 'The transcript does not say.', citations: [] };
  const cap = answerReserveTokens(options.contextTokens) * 3;
  const render = (note: Note) => `- ${note.notes} [segments: ${note.citations.join(', ')}]`.slice(0, cap);
  const merge = async (group: Note[], final: boolean): Promise<Note> => {
    const answer = await chatJson(options, final ? REDUCE_SYSTEM : MAP_SYSTEM, `Question: ${question}\n\nNotes:\n${group.map(render).join('\n')}`);
    const text = final ? answer.answer : answer.notes;
    return { notes: typeof text === 'string' ? text.trim() : '', citations: knownIds(answer.citations, known) };
  };
  // A single note still goes through the final merge, which turns notes into an answer.
  const merged =
    notes.length === 1
      ? await merge(notes, true)
      : await reduceWithin(notes, (note) => estimateTokens(render(note)) + 1, partBudgetTokens(options.contextTokens, REDUCE_SYSTEM, framing), merge);
  return readAnswer(merged.notes, merged.citations, known);
}

function readAnswer(answer: unknown, citations: unknown, known: ReadonlyMap<number, ChatSegment>): TranscriptAnswer {
  const text = typeof answer === 'string' ? answer.trim().slice(0, MAX_ANSWER_CHARS) : '';
  if (!text) throw new ProviderError('transient', 'The model answered without an answer');
  return { answer: text, citations: knownIds(citations, known) };
}
