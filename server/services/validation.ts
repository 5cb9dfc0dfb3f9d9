import type { Env } from '../env.ts';
import { badInput } from '../errors.ts';
import type { Provider } from '../db/db.ts';
import { isSpeechEngine, unsupportedEngineOption, type EngineOptions } from '../providers/registry.ts';
import type { ProviderName } from '../providers/types.ts';

const USERNAME = /^[a-z0-9][a-z0-9_.-]{2,31}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LANGUAGE = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/;
const MODEL = /^[\w.:/-]{1,100}$/;

export function normaliseUsername(raw: string): string {
  const username = raw.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw badInput(
      'Username must be 3-32 characters: letters, digits, ".", "_" or "-", starting with a letter or digit.',
      'username',
    );
  }
  return username;
}

export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) throw badInput('Email address is not valid.', 'email');
  return email;
}

export function requireName(raw: string, field = 'name', max = 100): string {
  const name = raw.trim();
  if (name.length === 0) throw badInput(`${field} must not be empty.`, field);
  if (name.length > max) throw badInput(`${field} must be at most ${max} characters.`, field);
  return name;
}

/** A language code such as "en" or "pt-BR", trimmed; null when none is given. */
export function optionalLanguage(raw: string | null | undefined, field = 'language'): string | null {
  const language = raw?.trim() || null;
  if (language && !LANGUAGE.test(language)) throw badInput(`${field} must be a language code such as "en" or "pt-BR".`, field);
  return language;
}

/** A model name such as "nova-3" or "gpt-4o-transcribe", trimmed; null when none is given. */
export function optionalModel(raw: string | null | undefined): string | null {
  const model = raw?.trim() || null;
  if (model && !MODEL.test(model)) throw badInput('model is not a valid model name.', 'model');
  return model;
}

/**
 * Refuses (BAD_USER_INPUT, naming the engine's limits) an option the engine cannot honour, and a
 * provider that is no speech engine at all (GOOGLE: a translation engine's key kind).
 */
export function assertEngineSupports(env: Env, provider: Provider, options: EngineOptions): asserts provider is ProviderName {
  if (!isSpeechEngine(provider)) {
    throw badInput(`${provider} is a translation engine, not a speech engine: choose LOCAL, OPENAI, DEEPGRAM or ASSEMBLYAI.`, 'provider');
  }
  const unsupported = unsupportedEngineOption(env, provider, options);
  if (unsupported) throw badInput(unsupported.message, unsupported.field);
}
