import type { Env } from '../env.ts';
import type { ProviderName, SpeechProvider } from './types.ts';
import { createAssemblyAIProvider } from './assemblyai.ts';
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
    ASSEMBLYAI: createAssemblyAIProvider({
      baseURL: env.ASSEMBLYAI_BASE_URL,
      timeoutMs: env.ASSEMBLYAI_TIMEOUT_MS,
      pollIntervalMs: env.ASSEMBLYAI_POLL_INTERVAL_MS,
      apiKey: env.ASSEMBLYAI_API_KEY,
    }),
  };
}

/** Every key kind: the speech engines, and GOOGLE (Google Cloud Translation, a translation engine only). */
export type KeyProvider = ProviderName | 'GOOGLE';

/** Whether a stored provider is a speech engine (GOOGLE is a translation engine's key kind). */
export function isSpeechEngine(provider: KeyProvider): provider is ProviderName {
  return provider !== 'GOOGLE';
}

/** The speech engine of a job or session row (rows only ever hold speech engines: submission refuses others). */
export function speechEngineOf(provider: KeyProvider): ProviderName {
  if (!isSpeechEngine(provider)) throw new Error(`${provider} is not a speech engine`);
  return provider;
}

/** The server's own key for a cloud provider, used when the job owner has none. */
export function serverKeyFor(env: Env, provider: KeyProvider): string | null {
  if (provider === 'OPENAI') return env.OPENAI_API_KEY ?? null;
  if (provider === 'DEEPGRAM') return env.DEEPGRAM_API_KEY ?? null;
  if (provider === 'ASSEMBLYAI') return env.ASSEMBLYAI_API_KEY ?? null;
  if (provider === 'GOOGLE') return env.GOOGLE_TRANSLATE_API_KEY ?? null;
  return null;
}

/**
 * A cloud provider pointed at its own base URL with no server key is taken to be a keyless
 * server (a local whisper server, a self-hosted Deepgram): jobs may use it without any key.
 */
export function isKeylessServer(env: Env, provider: KeyProvider): boolean {
  if (provider === 'OPENAI') return Boolean(env.OPENAI_BASE_URL) && !env.OPENAI_API_KEY;
  if (provider === 'DEEPGRAM') return Boolean(env.DEEPGRAM_BASE_URL) && !env.DEEPGRAM_API_KEY;
  return false;
}

/**
 * What an engine can honour. The one owner of these facts: job submission and live session start
 * refuse any option outside them (rather than an engine ignoring it, or failing the job later).
 */
interface EngineCapabilities {
  /** Primary language subtags the engine recognises ("en"); null: any language it is given. */
  languages: readonly string[] | null;
  /** Speaker labels (`diarize`): with any model, never, or only with models whose names match. */
  diarization: 'any model' | 'none' | { models: RegExp; example: string };
  /** Whether a request may name a model (false: the engine has one model). */
  modelChoice: boolean;
}

const engineCapabilities: Record<ProviderName, EngineCapabilities> = {
  // LOCAL labels no speakers itself: a diarized job's segments are told apart by voice afterwards (services/transcription/speakerLinking.ts).
  LOCAL: { languages: ['en'], diarization: 'any model', modelChoice: false },
  OPENAI: { languages: null, diarization: { models: /diarize/, example: 'gpt-4o-transcribe-diarize' }, modelChoice: true },
  DEEPGRAM: { languages: null, diarization: 'any model', modelChoice: true },
  // The model names AssemblyAI's speech_model ("universal", "slam-1", "nano"); none: AssemblyAI's default.
  ASSEMBLYAI: { languages: null, diarization: 'any model', modelChoice: true },
};

export interface EngineOptions {
  language: string | null;
  model: string | null;
  diarize: boolean;
}

/** The first requested option `provider` cannot honour, with a sentence naming the engine's limits; null when all can be. */
export function unsupportedEngineOption(
  env: Env,
  provider: ProviderName,
  options: EngineOptions,
): { field: keyof EngineOptions; message: string } | null {
  const capabilities = engineCapabilities[provider];
  const limits = describeLimits(provider);
  if (options.model && !capabilities.modelChoice) {
    return { field: 'model', message: `${provider} cannot use model "${options.model}": ${limits}` };
  }
  const primary = options.language?.split(/[-_]/)[0].toLowerCase();
  if (primary && capabilities.languages && !capabilities.languages.includes(primary)) {
    return { field: 'language', message: `${provider} cannot recognise language "${options.language}": ${limits}` };
  }
  const model = options.model ?? defaultModelFor(env, provider);
  if (options.diarize && !diarizes(capabilities, model)) {
    const withModel = capabilities.modelChoice && model ? ` with model "${model}"` : '';
    return { field: 'diarize', message: `${provider} cannot label speakers (diarize)${withModel}: ${limits}` };
  }
  return null;
}

function diarizes(capabilities: EngineCapabilities, model: string | null): boolean {
  const { diarization } = capabilities;
  if (diarization === 'any model') return true;
  if (diarization === 'none') return false;
  return model !== null && diarization.models.test(model);
}

function defaultModelFor(env: Env, provider: ProviderName): string | null {
  if (provider === 'OPENAI') return env.OPENAI_TRANSCRIBE_MODEL;
  if (provider === 'DEEPGRAM') return env.DEEPGRAM_MODEL;
  return null;
}

/** The engine's limits in one sentence, e.g. "LOCAL recognises English (en) only, does not label speakers and has a single model (no model choice)." */
function describeLimits(provider: ProviderName): string {
  const { languages, diarization, modelChoice } = engineCapabilities[provider];
  const limits = [
    languages && `recognises ${languages.map(languageName).join(', ')} only`,
    diarization === 'none' && 'does not label speakers',
    typeof diarization === 'object' && `labels speakers only with a diarization model such as ${diarization.example}`,
    !modelChoice && 'has a single model (no model choice)',
  ].filter((limit): limit is string => Boolean(limit));
  if (limits.length === 0) return `${provider} takes any language, speaker labels and model.`;
  const list = limits.length === 1 ? limits[0] : `${limits.slice(0, -1).join(', ')} and ${limits.at(-1)}`;
  return `${provider} ${list}.`;
}

function languageName(code: string): string {
  return `${new Intl.DisplayNames(['en'], { type: 'language' }).of(code) ?? code} (${code})`;
}
