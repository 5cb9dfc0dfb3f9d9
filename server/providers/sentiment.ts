/**
 * Sentiment of transcript segments through a chat completion (OpenAI or any OpenAI-compatible
 * server, the endpoint translation uses). Segments are sent in numbered batches that fit a token
 * budget (about 4 characters a token); the model answers one JSON object naming each segment's
 * label (POSITIVE, NEUTRAL, NEGATIVE) and its confidence in it (0..1). A batch whose answer is cut
 * short is split in half and asked again; an answer that cannot be read is a transient failure (the
 * job system retries); a refusal is final.
 */
import type OpenAI from 'openai';
import { estimateTokens, type ChatMeter } from './chatJson.ts';
import { cloudKey } from './cloudKey.ts';
import { createOpenAIClient } from './openai.ts';
import { mapOpenAIError } from './openaiErrors.ts';
import { ProviderError } from './types.ts';

export type SentimentLabel = 'POSITIVE' | 'NEUTRAL' | 'NEGATIVE';

export interface Sentiment {
  label: SentimentLabel;
  /** The confidence in the label, 0..1. */
  score: number;
}

interface SentimentOptions {
  apiKey: string | null;
  baseURL?: string | null;
  model: string;
  /** Largest batch, in tokens (SENTIMENT_BATCH_TOKENS). */
  batchTokens: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Counts the tokens of every answered request (chat usage). */
  meter?: ChatMeter;
}

const LABELS = new Set<SentimentLabel>(['POSITIVE', 'NEUTRAL', 'NEGATIVE']);
const CHARS_PER_TOKEN = 4;
/** The tokens a segment's number and the answer's entry for it take, besides its text. */
const TOKENS_PER_SEGMENT = 16;
const SYSTEM_PROMPT =
  'You classify the sentiment of numbered segments of a speech transcript. For every segment, judge the ' +
  'feeling it expresses: POSITIVE, NEUTRAL or NEGATIVE, with your confidence from 0 to 1. Answer with one JSON ' +
  'object only, no prose: {"segments":[{"id":<number>,"sentiment":"POSITIVE"|"NEUTRAL"|"NEGATIVE","score":<0..1>}]}, ' +
  'one entry per segment, with the ids given.';

/** Each segment's sentiment, by its index. */
export async function classifySentiment(
  segments: ReadonlyArray<{ index: number; text: string }>,
  options: SentimentOptions,
): Promise<Map<number, Sentiment>> {
  const apiKey = cloudKey('OPENAI', options.apiKey, { baseURL: options.baseURL });
  const client = createOpenAIClient({ apiKey, baseURL: options.baseURL, timeoutMs: options.timeoutMs ?? 120_000 });
  const results = new Map<number, Sentiment>();
  const maxChars = Math.max(200, (options.batchTokens - TOKENS_PER_SEGMENT) * CHARS_PER_TOKEN);
  const texts = segments
    .map((segment) => ({ index: segment.index, text: segment.text.replace(/\s+/g, ' ').trim().slice(0, maxChars) }))
    .filter((segment) => segment.text.length > 0);
  for (const batch of batchesWithin(texts, options.batchTokens)) {
    for (const [index, sentiment] of await classifyBatch(client, batch, options)) results.set(index, sentiment);
  }
  return results;
}

type Batch = Array<{ index: number; text: string }>;

/** Consecutive segments, each batch under `budget` tokens (a segment alone may fill one). */
export function batchesWithin(segments: Batch, budget: number): Batch[] {
  const batches: Batch[] = [];
  let current: Batch = [];
  let tokens = 0;
  for (const segment of segments) {
    const cost = Math.ceil(segment.text.length / CHARS_PER_TOKEN) + TOKENS_PER_SEGMENT;
    if (current.length > 0 && tokens + cost > budget) {
      batches.push(current);
      current = [];
      tokens = 0;
    }
    current.push(segment);
    tokens += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function classifyBatch(client: OpenAI, batch: Batch, options: SentimentOptions): Promise<Map<number, Sentiment>> {
  const splitAndRetry = async (reason: string) => {
    if (batch.length < 2) throw new ProviderError('transient', `Sentiment failed: ${reason}`);
    const half = Math.ceil(batch.length / 2);
    const first = await classifyBatch(client, batch.slice(0, half), options);
    const second = await classifyBatch(client, batch.slice(half), options);
    return new Map([...first, ...second]);
  };
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create(
      {
        model: options.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: batch.map((segment) => `[${segment.index}] ${segment.text}`).join('\n') },
        ],
      },
      { signal: options.signal, maxRetries: 0 },
    );
  } catch (error) {
    throw mapOpenAIError(error, { signal: options.signal, purpose: 'chat', apiKey: options.apiKey });
  }
  const choice = completion.choices[0];
  options.meter?.add(completion.usage, {
    input: estimateTokens(SYSTEM_PROMPT) + batch.reduce((sum, segment) => sum + estimateTokens(segment.text) + TOKENS_PER_SEGMENT, 16),
    output: estimateTokens(choice?.message.content ?? ''),
  });
  if (!choice) throw new ProviderError('transient', 'Sentiment failed: the model returned no choices');
  if (choice.finish_reason === 'length') return splitAndRetry('the answer was cut off');
  const content = choice.message.content;
  if (content == null || choice.finish_reason === 'content_filter') {
    throw new ProviderError('bad_media', `Sentiment refused: ${choice.message.refusal ?? choice.finish_reason}`);
  }
  const parsed = parseAnswer(content, batch);
  if (!parsed) return splitAndRetry('the model answered in a form that could not be read');
  return parsed;
}

/** The answer's entries for exactly the batch's ids; null when it is not that. */
export function parseAnswer(content: string, batch: Batch): Map<number, Sentiment> | null {
  const json = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const entries = Array.isArray(value) ? value : (value as { segments?: unknown } | null)?.segments;
  if (!Array.isArray(entries)) return null;
  const wanted = new Set(batch.map((segment) => segment.index));
  const results = new Map<number, Sentiment>();
  for (const entry of entries as Array<Record<string, unknown>>) {
    const id = Number(entry?.id);
    const label = String(entry?.sentiment ?? entry?.label ?? '').toUpperCase() as SentimentLabel;
    const score = Number(entry?.score ?? entry?.confidence);
    if (!wanted.has(id) || !LABELS.has(label)) continue;
    results.set(id, { label, score: Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0.5 });
  }
  return results.size === wanted.size ? results : null;
}
