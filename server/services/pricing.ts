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
