/**
 * What a Word or PDF document of a transcript shows: a title (the job's file name), when it was made,
 * the media's duration and language, the speakers (with the names given to them), the summary when
 * there is one, the overall sentiment when analysed, then every segment with its start time and
 * speaker. Segments arrive as an async iterable, so a long transcript is read (and, for PDF, written)
 * a page of rows at a time.
 */
export interface DocumentSegment {
  start: number;
  end: number;
  /** The speaker's shown name (given name, else "Speaker n"); null without a speaker. */
  speaker: string | null;
  text: string;
}

export interface TranscriptDocument {
  title: string;
  date: Date;
  durationSeconds: number | null;
  language: string | null;
  /** Shown names, in order of first appearance. */
  speakers: string[];
  /** A summary of the transcript, when there is one (issue 17 fills it); shown before the transcript. */
  summary?: string | null;
  sentiment?: { label: string; score: number } | null;
  segments: AsyncIterable<DocumentSegment> | Iterable<DocumentSegment>;
}

/** `H:MM:SS` (hours as many digits as needed): a segment's start, a duration. */
export function clock(seconds: number): string {
  const total = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

/** The header lines under the title, as label/value pairs (both renderers show the same ones). */
export function documentFacts(doc: TranscriptDocument): Array<[string, string]> {
  const facts: Array<[string, string]> = [['Date', `${doc.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`]];
  if (doc.durationSeconds !== null && Number.isFinite(doc.durationSeconds)) facts.push(['Duration', clock(Math.round(doc.durationSeconds))]);
  if (doc.language) facts.push(['Language', languageLabel(doc.language)]);
  facts.push(['Speakers', doc.speakers.length > 0 ? doc.speakers.join(', ') : 'not labelled']);
  if (doc.sentiment) facts.push(['Sentiment', `${capitalise(doc.sentiment.label)} (${doc.sentiment.score.toFixed(2)})`]);
  return facts;
}

/** A segment's lead: "[00:01:05] Alice: " (no speaker part without one). */
export function segmentLead(segment: DocumentSegment): string {
  return `[${clock(segment.start)}] ${segment.speaker ? `${segment.speaker}: ` : ''}`;
}

function languageLabel(code: string): string {
  try {
    const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1).toLowerCase();
}
