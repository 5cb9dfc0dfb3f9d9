import type { Env } from '../env.ts';
import type { ProviderName, SpeechProvider } from './types.ts';
import { createDeepgramProvider } from './deepgram.ts';
import { createLocalProvider } from './local/index.ts';
import { createOpenAIProvider } from './openai.ts';

export type ProviderRegistry = Record<ProviderName, SpeechProvider>;

export function createProviders(env: Env): ProviderRegistry {
  return {
    LOCAL: createLocalProvider(env),
    OPENAI: createOpenAIProvider({
      baseURL: env.OPENAI_BASE_URL,
      defaultModel: env.OPENAI_TRANSCRIBE_MODEL,
      timeoutMs: env.OPENAI_TIMEOUT_MS,
      apiKey: env.OPENAI_API_KEY,
    }),
    DEEPGRAM: createDeepgramProvider({
      baseURL: env.DEEPGRAM_BASE_URL,
      defaultModel: env.DEEPGRAM_MODEL,
      timeoutMs: env.DEEPGRAM_TIMEOUT_MS,
      apiKey: env.DEEPGRAM_API_KEY,
    }),
  };
}

/** The server's own key for a cloud provider, used when the job owner has none. */
export function serverKeyFor(env: Env, provider: ProviderName): string | null {
  if (provider === 'OPENAI') return env.OPENAI_API_KEY ?? null;
  if (provider === 'DEEPGRAM') return env.DEEPGRAM_API_KEY ?? null;
  return null;
}

/**
 * A cloud provider pointed at its own base URL with no server key is taken to be a keyless
 * server (a local whisper server, a self-hosted Deepgram): jobs may use it without any key.
 */
export function isKeylessServer(env: Env, provider: ProviderName): boolean {
  if (provider === 'OPENAI') return Boolean(env.OPENAI_BASE_URL) && !env.OPENAI_API_KEY;
  if (provider === 'DEEPGRAM') return Boolean(env.DEEPGRAM_BASE_URL) && !env.DEEPGRAM_API_KEY;
  return false;
}
