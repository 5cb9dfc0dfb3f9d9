import type { Provider } from '../db/db.ts';
import { roundTo } from '../rounding.ts';

/** USD per audio minute, by provider and model; "*" is the provider's fallback. */
export type PriceTable = Record<Provider, Record<string, number>>;

const defaultPrices: PriceTable = {
  LOCAL: { '*': 0 },
  OPENAI: { 'whisper-1': 0.006, 'gpt-4o-transcribe': 0.006, 'gpt-4o-mini-transcribe': 0.003, '*': 0.006 },
  DEEPGRAM: { 'nova-3': 0.0043, 'nova-2': 0.0043, '*': 0.0043 },
  // AssemblyAI's list prices per hour: universal and best $0.15 (its default), slam-1 $0.27, nano $0.12.
  ASSEMBLYAI: { universal: 0.0025, best: 0.0025, 'slam-1': 0.0045, nano: 0.002, '*': 0.0025 },
  // A translation engine: it transcribes no audio.
  GOOGLE: { '*': 0 },
};

/** PRICES (JSON, same shape) overrides entries of the default table. */
export function parsePrices(json: string | undefined): PriceTable {
  if (!json) return defaultPrices;
  const parsed = JSON.parse(json) as Partial<PriceTable>;
  const table = structuredClone(defaultPrices);
  for (const provider of Object.keys(table) as Provider[]) {
    for (const [model, price] of Object.entries(parsed[provider] ?? {})) {
      if (typeof price !== 'number' || price < 0) throw new Error(`PRICES.${provider}.${model} must be a number >= 0`);
      table[provider][model] = price;
    }
  }
  return table;
}

export function estimateCostUsd(prices: PriceTable, provider: Provider, model: string | null, audioSeconds: number) {
  const perMinute = prices[provider][model ?? '*'] ?? prices[provider]['*'] ?? 0;
  return roundTo((perMinute * audioSeconds) / 60, 6);
}

/** USD per million chat tokens, input and output, by chat model; "*" is the fallback (a model not listed). */
export type ChatPriceTable = Record<string, { input: number; output: number }>;

// OpenAI's list prices (standard tier). Models not listed cost 0 unless CHAT_PRICES names them (a
// server of one's own usually is free; price it with CHAT_PRICES when it is not).
const defaultChatPrices: ChatPriceTable = {
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  '*': { input: 0, output: 0 },
};

const chatPriceCache = new Map<string, ChatPriceTable>();

/** The chat price table with CHAT_PRICES (already validated by env.ts) over the defaults. */
export function chatPrices(json: string | undefined): ChatPriceTable {
  if (!json) return defaultChatPrices;
  let table = chatPriceCache.get(json);
  if (!table) {
    table = { ...defaultChatPrices, ...(JSON.parse(json) as ChatPriceTable) };
    chatPriceCache.set(json, table);
  }
  return table;
}

export function estimateChatCostUsd(prices: ChatPriceTable, model: string | null, inputTokens: number, outputTokens: number): number {
  const price = prices[model ?? '*'] ?? prices['*'] ?? { input: 0, output: 0 };
  return roundTo((price.input * inputTokens + price.output * outputTokens) / 1_000_000, 6);
}
