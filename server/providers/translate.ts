/**
 * Text translation through OpenAI chat completions (or any OpenAI-compatible server).
 *
 * Long texts are split into pieces under `maxChunkChars`: whole paragraphs where they fit (several
 * per request), a paragraph too long for one request by sentences, a sentence too long by words.
 * Pieces are translated in order and joined with the whitespace that separated them in the source,
 * so paragraph breaks survive. A piece the model cuts short (`finish_reason: "length"`) or rejects as
 * too long (`context_length_exceeded`) is split in half and retried.
 */
import type OpenAI from 'openai';
import { APIError } from 'openai';
import { estimateTokens, type ChatMeter } from './chatJson.ts';
import { cloudKey } from './cloudKey.ts';
import { createOpenAIClient } from './openai.ts';
import { mapOpenAIError } from './openaiErrors.ts';
import { ProviderError } from './types.ts';

interface TranslateOptions {
  /** The resolved key; null only for keyless OpenAI-compatible servers (then `baseURL` is required). */
  apiKey: string | null;
  baseURL?: string | null;
  /** A chat model (OPENAI_TRANSLATE_MODEL). */
  model: string;
  /** The source language, when known (code or name). */
  sourceLanguage?: string | null;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Largest piece of source text per request, in characters. Default 6000. */
  maxChunkChars?: number;
  /** Counts the tokens of every answered request (chat usage). */
  meter?: ChatMeter;
}

interface TextPiece {
  text: string;
  /** The whitespace that preceded this piece in the source ('' for the first). */
  separator: string;
}

const DEFAULT_MAX_CHUNK_CHARS = 6000;
const MIN_SPLITTABLE_CHARS = 40;

/** Translates `text` into `targetLanguage` (an ISO/BCP-47 code such as "de", or a language name). */
export async function translateText(text: string, targetLanguage: string, options: TranslateOptions): Promise<string> {
  const leading = /^\s*/.exec(text)?.[0] ?? '';
  const trailing = /\s*$/.exec(text.slice(leading.length))?.[0] ?? '';
  const body = text.slice(leading.length, text.length - trailing.length);
  if (!body) return text;

  const apiKey = cloudKey('OPENAI', options.apiKey, { baseURL: options.baseURL });
  const client = createOpenAIClient({ apiKey, baseURL: options.baseURL, timeoutMs: options.timeoutMs ?? 120_000 });
  const system = systemPrompt(targetLanguage, options.sourceLanguage ?? null);
  const maxChars = Math.max(MIN_SPLITTABLE_CHARS, options.maxChunkChars ?? DEFAULT_MAX_CHUNK_CHARS);

  let out = '';
  for (const piece of splitForTranslation(body, maxChars)) {
    const translated = await translatePiece(client, system, piece.text, options);
    out += (out ? piece.separator : '') + translated;
  }
  return leading + out + trailing;
}

async function translatePiece(client: OpenAI, system: string, text: string, options: TranslateOptions): Promise<string> {
  const splitAndRetry = async (reason: string): Promise<string> => {
    if (text.length < MIN_SPLITTABLE_CHARS * 2) throw new ProviderError('unavailable', `Translation failed: ${reason}`);
    let out = '';
    for (const piece of splitForTranslation(text, Math.ceil(text.length / 2))) {
      out += (out ? piece.separator : '') + (await translatePiece(client, system, piece.text, options));
    }
    return out;
  };

  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create(
      {
        model: options.model,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: text },
        ],
      },
      { signal: options.signal, maxRetries: 0 },
    );
  } catch (error) {
    if (error instanceof APIError && error.code === 'context_length_exceeded' && !options.signal?.aborted) {
      return splitAndRetry('the text is too long for the model');
    }
    throw mapOpenAIError(error, { signal: options.signal, purpose: 'chat', apiKey: options.apiKey });
  }
  const choice = completion.choices[0];
  options.meter?.add(completion.usage, { input: estimateTokens(system) + estimateTokens(text) + 16, output: estimateTokens(choice?.message.content ?? '') });
  if (!choice) throw new ProviderError('transient', 'Translation failed: the model returned no choices');
  if (choice.finish_reason === 'length') return splitAndRetry('the answer was cut off');
  const content = choice.message.content;
  if (content == null || choice.finish_reason === 'content_filter') {
    throw new ProviderError('bad_media', `Translation refused: ${choice.message.refusal ?? choice.finish_reason}`);
  }
  return content.trim();
}

function languageName(language: string): string {
  if (/^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(language)) {
    try {
      const name = new Intl.DisplayNames(['en'], { type: 'language' }).of(language.replace('_', '-'));
      if (name && name !== language) return `${name} (${language})`;
    } catch {
      // not a valid tag: use it as given
    }
  }
  return language;
}

function systemPrompt(target: string, source: string | null): string {
  const from = source ? ` from ${languageName(source)}` : '';
  return (
    `You are a professional translator. Translate the user's text${from} into ${languageName(target)}. ` +
    'Preserve the meaning, tone, names and numbers, and keep every line break and paragraph break where it is. ' +
    'Reply with the translation only: no notes, no quotation marks, no preamble.'
  );
}

/**
 * Splits `text` into pieces of at most `maxChars` characters, preferring paragraph boundaries, then
 * sentence boundaries, then word boundaries; adjacent small pieces are packed together. Joining the
 * pieces with their separators gives back `text` (leading and trailing whitespace aside).
 */
export function splitForTranslation(text: string, maxChars: number): TextPiece[] {
  const atoms: TextPiece[] = [];
  for (const paragraph of splitKeeping(text.trim(), /\n[ \t]*(?:\n[ \t]*)+|\n/g)) {
    if (paragraph.text.length <= maxChars) atoms.push(paragraph);
    else atoms.push(...withFirstSeparator(splitParagraph(paragraph.text, maxChars), paragraph.separator));
  }
  // Pack adjacent atoms into pieces under the limit.
  const pieces: TextPiece[] = [];
  for (const atom of atoms) {
    const last = pieces[pieces.length - 1];
    if (last && last.text.length + atom.separator.length + atom.text.length <= maxChars) {
      last.text += atom.separator + atom.text;
    } else {
      pieces.push({ ...atom, separator: pieces.length ? atom.separator : '' });
    }
  }
  return pieces;
}

function splitParagraph(paragraph: string, maxChars: number): TextPiece[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  const sentences: TextPiece[] = [];
  let pendingSeparator = '';
  for (const { segment } of segmenter.segment(paragraph)) {
    const trimmed = segment.trimEnd();
    const trailingSpace = segment.slice(trimmed.length);
    if (trimmed) {
      if (trimmed.length <= maxChars) sentences.push({ text: trimmed, separator: pendingSeparator });
      else sentences.push(...withFirstSeparator(splitSentence(trimmed, maxChars), pendingSeparator));
      pendingSeparator = trailingSpace;
    } else {
      pendingSeparator += trailingSpace;
    }
  }
  return sentences;
}

function splitSentence(sentence: string, maxChars: number): TextPiece[] {
  const pieces: TextPiece[] = [];
  for (const word of splitKeeping(sentence, /\s+/g)) {
    if (word.text.length <= maxChars) {
      pieces.push(word);
      continue;
    }
    // A "word" longer than the limit (a URL, unspaced script): cut it.
    for (let i = 0; i < word.text.length; i += maxChars) {
      pieces.push({ text: word.text.slice(i, i + maxChars), separator: i === 0 ? word.separator : '' });
    }
  }
  return pieces;
}

/** Splits at every match of `pattern`, remembering each match as the next piece's separator. */
function splitKeeping(text: string, pattern: RegExp): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  let separator = '';
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (index > last) pieces.push({ text: text.slice(last, index), separator });
    separator = pieces.length ? match[0] : '';
    last = index + match[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), separator });
  return pieces;
}

function withFirstSeparator(pieces: TextPiece[], separator: string): TextPiece[] {
  if (pieces.length > 0) pieces[0] = { ...pieces[0], separator };
  return pieces;
}
