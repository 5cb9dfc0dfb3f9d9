/**
 * Transcript downloads: plain text, SubRip, WebVTT and JSON renderings of a job's (or a live
 * session's) segments. Pure functions; no I/O. The documents (DOCX, PDF) are in documents/.
 */
import type { Segment } from '../providers/types.ts';
import { splitIntoCues, type Cue, type CueOptions } from './cues.ts';
import { formatTimestamp, roundSeconds } from './timecode.ts';
import { normalizeSpeaker, normalizeText, segmentTokens, joinTokens, sortSegments, speakerLabel } from './tokens.ts';

export { splitIntoCues, DEFAULT_CUE_OPTIONS, type Cue, type CueOptions } from './cues.ts';
export { formatTimestamp } from './timecode.ts';

const TRANSCRIPT_FORMATS = ['TXT', 'SRT', 'VTT', 'JSON', 'DOCX', 'PDF'] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];
/** The binary formats: documents built by transcripts/documents/. */
export type DocumentFormat = Extract<TranscriptFormat, 'DOCX' | 'PDF'>;
/** The formats renderTranscript writes as text. */
export type TextTranscriptFormat = Exclude<TranscriptFormat, DocumentFormat>;

export function isDocumentFormat(format: TranscriptFormat): format is DocumentFormat {
  return format === 'DOCX' || format === 'PDF';
}

export interface TranscriptInput {
  segments: Segment[];
  language: string | null;
  durationSeconds: number | null;
  translatedText?: string | null;
  jobId?: string;
  /** The names given to speakers (id -> name); an unnamed speaker reads as `speakerLabel(id)`. */
  speakerNames?: SpeakerNames;
  /** The transcript's revision (0, the default: the engine's output). */
  revision?: number;
  /** The whole transcript's sentiment, once analysed. */
  sentiment?: { label: string; score: number } | null;
  /** The job's summary, once made (JSON only). */
  summary?: TranscriptJsonSummary | null;
}

/** A summary in the JSON download: its text, and points with the segments and time ranges they come from. */
export interface TranscriptJsonSummary {
  text: string;
  keyPoints: Array<{ text: string; segments: number[]; ranges: Array<{ start: number; end: number }> }>;
  actionItems: Array<{ text: string; segments: number[]; ranges: Array<{ start: number; end: number }> }>;
  model: string | null;
  revision: number;
  createdAt: string;
}

/** Names given to speakers, by speaker id. */
export type SpeakerNames = Readonly<Record<string, string>>;

/** How a speaker is shown: its given name, else `speakerLabel(id)` ("Speaker 1"). */
export function speakerDisplayName(speaker: string, names: SpeakerNames = {}): string {
  return Object.hasOwn(names, speaker) ? names[speaker] : speakerLabel(speaker);
}

/** The JSON download's shape (stable: fields are only ever added). Times in seconds, ms precision. */
interface TranscriptJson {
  jobId: string | null;
  language: string | null;
  durationSeconds: number | null;
  /** The whole transcript: segment texts joined by single spaces. */
  text: string;
  translatedText: string | null;
  /** 0: the engine's output; each saved correction adds one. */
  revision: number;
  /** The whole transcript's sentiment (label POSITIVE, NEUTRAL or NEGATIVE; score 0..1), null until analysed. */
  sentiment: { label: string; score: number } | null;
  /** The summary (summarize: true or summarizeJob), null until made. */
  summary: TranscriptJsonSummary | null;
  segments: Array<{
    /** 0-based, in time order. */
    index: number;
    start: number;
    end: number;
    text: string;
    speaker: string | null;
    /** How the speaker is shown: the name given to it, else "Speaker n" (null without a speaker). */
    speakerName: string | null;
    words: Array<{ word: string; start: number; end: number; confidence: number | null; speaker: string | null }>;
    /** This segment's sentiment, null until analysed. */
    sentiment: { label: string; score: number } | null;
  }>;
}

const CONTENT_TYPES: Record<TranscriptFormat, string> = {
  TXT: 'text/plain; charset=utf-8',
  SRT: 'application/x-subrip; charset=utf-8',
  VTT: 'text/vtt; charset=utf-8',
  JSON: 'application/json; charset=utf-8',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  PDF: 'application/pdf',
};

function isTranscriptFormat(value: unknown): value is TranscriptFormat {
  return typeof value === 'string' && (TRANSCRIPT_FORMATS as readonly string[]).includes(value);
}

/** The Content-Type header for a download. */
export function transcriptContentType(format: TranscriptFormat): string {
  return CONTENT_TYPES[format];
}

/** The file extension, without the dot: "txt", "srt", "vtt", "json", "docx", "pdf". */
export function transcriptExtension(format: TranscriptFormat): string {
  return format.toLowerCase();
}

/** The format for a file extension ("srt", ".VTT", "pdf"), or null when it is none of them. */
export function transcriptFormatFromExtension(extension: string): TranscriptFormat | null {
  const upper = extension.replace(/^\./, '').toUpperCase();
  return isTranscriptFormat(upper) ? upper : null;
}

/** The whole transcript as one line of text (segment texts in time order, single spaces). */
function transcriptPlainText(segments: readonly Segment[]): string {
  return sortSegments(segments)
    .map((s) => normalizeText(s.text))
    .filter(Boolean)
    .join(' ');
}

/** Paragraphs of one segment: one, unless its words carry different speakers and it has none. */
function segmentParagraphs(segment: Segment): Array<{ speaker: string | null; text: string }> {
  const text = normalizeText(segment.text);
  const own = normalizeSpeaker(segment.speaker);
  const wordSpeakers = new Set(
    (Array.isArray(segment.words) ? segment.words : []).map((w) => normalizeSpeaker(w?.speaker)).filter((x) => x !== null),
  );
  if (own !== null || wordSpeakers.size <= 1) {
    const [only] = wordSpeakers;
    return text ? [{ speaker: own ?? only ?? null, text }] : [];
  }
  const tokens = segmentTokens(segment, () => Number.MAX_SAFE_INTEGER);
  const paragraphs: Array<{ speaker: string | null; text: string }> = [];
  let start = 0;
  for (let k = 1; k <= tokens.length; k++) {
    if (k < tokens.length && tokens[k].speaker === tokens[start].speaker) continue;
    paragraphs.push({ speaker: tokens[start].speaker, text: joinTokens(tokens.slice(start, k)) });
    start = k;
  }
  return paragraphs;
}

/**
 * Plain text: one paragraph per segment, paragraphs separated by a blank line; when segments
 * carry speakers, a paragraph starts with "Speaker: " whenever the speaker changes.
 */
export function renderTxt(segments: readonly Segment[], speakerNames: SpeakerNames = {}): string {
  const paragraphs: string[] = [];
  let previous: string | null = null;
  for (const segment of sortSegments(segments)) {
    for (const { speaker, text } of segmentParagraphs(segment)) {
      paragraphs.push(speaker !== null && speaker !== previous ? `${speakerDisplayName(speaker, speakerNames)}: ${text}` : text);
      previous = speaker;
    }
  }
  return paragraphs.length === 0 ? '' : `${paragraphs.join('\n\n')}\n`;
}

/** SubRip: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a "Speaker 1: " prefix when diarized. */
export function renderSrt(segments: readonly Segment[], options: CueOptions & { speakerNames?: SpeakerNames } = {}): string {
  const { speakerNames, ...cueOptions } = options;
  const cues = splitIntoCues(segments, {
    firstLinePrefix: (speaker) => `${speakerDisplayName(speaker, speakerNames)}: `,
    ...cueOptions,
  });
  return cues.length === 0 ? '' : `${cues.map(srtBlock).join('\n\n')}\n`;
}

function srtBlock(cue: Cue): string {
  const lines = cue.lines.map((line, i) => (i === 0 ? cue.prefix + line : line));
  return `${cue.index}\n${formatTimestamp(cue.start, 'SRT')} --> ${formatTimestamp(cue.end, 'SRT')}\n${lines.join('\n')}`;
}

/** Cue text for WebVTT: `&`, `<` and `>` escaped. */
function escapeVttText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * WebVTT: the `WEBVTT` header, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm`; a diarized cue opens
 * with a voice tag (`<v Speaker 1>`). Also used for live-session subtitles.
 */
export function renderVtt(segments: readonly Segment[], options: CueOptions & { speakerNames?: SpeakerNames } = {}): string {
  const { speakerNames, ...cueOptions } = options;
  const cues = splitIntoCues(segments, { ...cueOptions, firstLinePrefix: null });
  const blocks = cues.map((cue) => {
    const voice = cue.speaker !== null ? `<v ${escapeVttText(speakerDisplayName(cue.speaker, speakerNames))}>` : '';
    const lines = cue.lines.map((line, i) => (i === 0 ? voice : '') + escapeVttText(line));
    return `${formatTimestamp(cue.start, 'VTT')} --> ${formatTimestamp(cue.end, 'VTT')}\n${lines.join('\n')}`;
  });
  return ['WEBVTT', ...blocks].join('\n\n') + '\n';
}

/** The JSON download's object (see `TranscriptJson`). */
function transcriptJson(transcript: TranscriptInput): TranscriptJson {
  const segments = sortSegments(transcript.segments);
  return {
    jobId: transcript.jobId ?? null,
    language: transcript.language ?? null,
    durationSeconds: roundSeconds(transcript.durationSeconds),
    text: transcriptPlainText(segments),
    translatedText: transcript.translatedText ?? null,
    revision: transcript.revision ?? 0,
    sentiment: transcript.sentiment ?? null,
    summary: transcript.summary ?? null,
    segments: segments.map((segment, index) => {
      const speaker = normalizeSpeaker(segment.speaker);
      return {
        index,
        start: roundSeconds(segment.start) ?? 0,
        end: roundSeconds(segment.end) ?? roundSeconds(segment.start) ?? 0,
        text: normalizeText(segment.text),
        speaker,
        speakerName: speaker === null ? null : speakerDisplayName(speaker, transcript.speakerNames),
        words: (Array.isArray(segment.words) ? segment.words : []).map((w) => ({
          word: normalizeText(w.word),
          start: roundSeconds(w.start) ?? 0,
          end: roundSeconds(w.end) ?? roundSeconds(w.start) ?? 0,
          confidence: typeof w.confidence === 'number' && Number.isFinite(w.confidence) ? w.confidence : null,
          speaker: normalizeSpeaker(w.speaker),
        })),
        sentiment: segment.sentiment ? { label: segment.sentiment.label, score: segment.sentiment.score } : null,
      };
    }),
  };
}

/** A transcript in one of the text download formats (each ends with a newline, except empty TXT/SRT). */
export function renderTranscript(format: TextTranscriptFormat, transcript: TranscriptInput): string {
  switch (format) {
    case 'TXT':
      return renderTxt(transcript.segments, transcript.speakerNames);
    case 'SRT':
      return renderSrt(transcript.segments, { endLimitSeconds: transcript.durationSeconds, speakerNames: transcript.speakerNames });
    case 'VTT':
      return renderVtt(transcript.segments, { endLimitSeconds: transcript.durationSeconds, speakerNames: transcript.speakerNames });
    case 'JSON':
      return `${JSON.stringify(transcriptJson(transcript), null, 2)}\n`;
    default: {
      const never: never = format;
      throw new Error(`Unknown transcript format: ${String(never)}`);
    }
  }
}
