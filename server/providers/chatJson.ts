/**
 * One chat completion that answers a JSON object, through the chat endpoint (OpenAI's or any
 * OpenAI-compatible server): what summaries and questions are built on. Tokens are counted into a
 * meter (the answer's `usage`, else a conservative estimate), so usage can be recorded even when a
 * later step fails. A refusal (`refusal`, no content, or a content filter) is `bad_media`, which the
 * callers treat as final; an answer that is cut off or not JSON is `transient`.
 */
import type OpenAI from 'openai';
import { cloudKey } from './cloudKey.ts';
import { createOpenAIClient } from './openai.ts';
import { mapOpenAIError } from './openaiErrors.ts';
import { ProviderError } from './types.ts';

/** The chat endpoint and how long a request may take. */
export interface ChatCallOptions {
  apiKey: string | null;
  baseURL?: string | null;
  model: string;
  timeoutMs: number;
  signal?: AbortSignal;
  meter: ChatMeter;
}

/** Characters per token, counted low so estimates err on the side of more tokens. */
const CHARS_PER_TOKEN = 3;
/** What each message costs besides its text (role, separators). */
const TOKENS_PER_MESSAGE = 8;

/** Conservative token estimate of a text (about 3 characters a token; real English is about 4). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** The tokens a run of chat requests took. */
export class ChatMeter {
  requests = 0;
  inputTokens = 0;
  outputTokens = 0;

  add(usage: { prompt_tokens?: number; completion_tokens?: number } | null | undefined, estimated: { input: number; output: number }) {
    this.requests += 1;
    this.inputTokens += validCount(usage?.prompt_tokens) ?? estimated.input;
    this.outputTokens += validCount(usage?.completion_tokens) ?? estimated.output;
  }
}

const validCount = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined);

/** The answer, parsed; see the module comment for the errors. */
export async function chatJson(options: ChatCallOptions, system: string, user: string): Promise<Record<string, unknown>> {
  const apiKey = cloudKey('OPENAI', options.apiKey, { baseURL: options.baseURL });
  const client = createOpenAIClient({ apiKey, baseURL: options.baseURL, timeoutMs: options.timeoutMs });
  let completion: OpenAI.Chat.Completions.ChatCompletion;
  try {
    completion = await client.chat.completions.create(
      {
        model: options.model,
        temperature: 0,
        response_format: { type: 'json_object' },
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
      },
      { signal: options.signal, maxRetries: 0 },
    );
  } catch (error) {
    throw mapOpenAIError(error, { signal: options.signal, purpose: 'chat', apiKey: options.apiKey });
  }
  const choice = completion.choices[0];
  const content = choice?.message.content ?? null;
  options.meter.add(completion.usage, {
    input: estimateTokens(system) + estimateTokens(user) + 2 * TOKENS_PER_MESSAGE,
    output: estimateTokens(content ?? choice?.message.refusal ?? ''),
  });
  if (!choice) throw new ProviderError('transient', 'The model returned no choices');
  if (choice.message.refusal || content == null || choice.finish_reason === 'content_filter') {
    throw new ProviderError('bad_media', 'The model refused the request');
  }
  if (choice.finish_reason === 'length') throw new ProviderError('transient', 'The answer was cut off');
  const parsed = parseJsonObject(content);
  if (!parsed) throw new ProviderError('transient', 'The model answered in a form that could not be read');
  return parsed;
}

/** A JSON object from the answer (a fenced block too); null when it is not one. */
export function parseJsonObject(content: string): Record<string, unknown> | null {
  const json = content.trim().replace(/^```(?:json)?\s*/i, '').replace(/\s*```$/, '');
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Tokens a request's messages take besides the parts a caller packs: the system prompt and framing. */
export function requestOverheadTokens(system: string): number {
  return estimateTokens(system) + 3 * TOKENS_PER_MESSAGE;
}
