/**
 * The key rule the cloud engines share (OpenAI and Deepgram; prerecorded, live and translation):
 * the request's key, else the server's own; no key at all is only fine for a self-hosted server
 * (a base URL), which may need none. Which key a user's request carries is services/providerKeys.ts.
 */
import { ProviderError, type ProviderName } from './types.ts';

type CloudProvider = Exclude<ProviderName, 'LOCAL'>;

interface CloudEndpoint {
  apiKey?: string | null;
  baseURL?: string | null;
}

const NAMES: Record<CloudProvider, { label: string; keyVariable: string }> = {
  OPENAI: { label: 'OpenAI', keyVariable: 'OPENAI_API_KEY' },
  DEEPGRAM: { label: 'Deepgram', keyVariable: 'DEEPGRAM_API_KEY' },
  ASSEMBLYAI: { label: 'AssemblyAI', keyVariable: 'ASSEMBLYAI_API_KEY' },
};

/** Configured when the server has a key or talks to its own server; `notConfigured` says what to set. */
export function cloudAvailability(config: CloudEndpoint, notConfigured: string): { ok: true } | { ok: false; reason: string } {
  return config.apiKey || config.baseURL ? { ok: true } : { ok: false, reason: notConfigured };
}

/** The key to send, or null for a keyless self-hosted server. @throws ProviderError ('auth') when none is at hand. */
export function cloudKey(provider: CloudProvider, requestKey: string | null | undefined, config: CloudEndpoint): string | null {
  const key = requestKey ?? config.apiKey ?? null;
  if (!key && !config.baseURL) {
    const { label, keyVariable } = NAMES[provider];
    throw new ProviderError('auth', `No ${label} API key: set ${keyVariable} or add your own key`);
  }
  return key;
}
