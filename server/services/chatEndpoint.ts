/**
 * The chat endpoint translation (engine CHAT) and sentiment use: OpenAI's by default, or any
 * OpenAI-compatible server (DeepSeek, a local one) with CHAT_BASE_URL, CHAT_MODEL and CHAT_API_KEY.
 *
 * The key rule: while the chat goes to OpenAI (no CHAT_BASE_URL), a job's owner's own OPENAI key is
 * used first, then CHAT_API_KEY, then OPENAI_API_KEY (today's behaviour when neither CHAT_ variable
 * is set). A server of its own (CHAT_BASE_URL) gets only CHAT_API_KEY, or no key at all: users'
 * OpenAI keys never go to another server.
 */
import type { CoreDeps } from '../context.ts';
import type { Env } from '../env.ts';
import { ProviderError } from '../providers/types.ts';
import { hasProviderKey, revealProviderKey } from './providerKeys.ts';

export interface ChatEndpoint {
  apiKey: string | null;
  baseURL: string | null;
  model: string;
  /** How reasons name it: "OpenAI", or "the chat endpoint" for a server of its own. */
  label: string;
  /** Which key to check when it is rejected, for the reason shown. */
  keyHint: string;
}

export function chatServer(env: Env): Omit<ChatEndpoint, 'apiKey'> {
  const ownServer = Boolean(env.CHAT_BASE_URL);
  return {
    baseURL: env.CHAT_BASE_URL ?? env.OPENAI_BASE_URL ?? null,
    model: env.CHAT_MODEL ?? env.OPENAI_TRANSLATE_MODEL,
    label: ownServer ? 'the chat endpoint' : 'OpenAI',
    keyHint: ownServer ? 'CHAT_API_KEY' : 'OPENAI key',
  };
}

/** The endpoint and key for a chat request on `userId`'s behalf. @throws ProviderError('auth') when no key is at hand. */
export async function resolveChatEndpoint(deps: Pick<CoreDeps, 'db' | 'box' | 'env'>, userId: string): Promise<ChatEndpoint> {
  const { env } = deps;
  const server = chatServer(env);
  if (env.CHAT_BASE_URL) return { ...server, apiKey: env.CHAT_API_KEY ?? null };
  const apiKey = (await revealProviderKey(deps, userId, 'OPENAI')) ?? env.CHAT_API_KEY ?? env.OPENAI_API_KEY ?? null;
  if (!apiKey && !env.OPENAI_BASE_URL) {
    throw new ProviderError('auth', 'No OpenAI key for the chat endpoint is configured for its owner or on this server.');
  }
  return { ...server, apiKey };
}

/** Whether a chat request for `userId` has what it needs (a key, or a server of its own). */
export async function hasChatEndpoint(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string): Promise<boolean> {
  const { env } = deps;
  if (env.CHAT_BASE_URL || env.CHAT_API_KEY) return true;
  return hasProviderKey(deps, userId, 'OPENAI');
}
