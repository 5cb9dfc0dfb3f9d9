/**
 * Which engine translates a job (CHAT: the chat endpoint, see chatEndpoint.ts; GOOGLE: Google Cloud
 * Translation) and whether its key is at hand. The job records its engine at submission, so a retry
 * uses the same one.
 */
import type { CoreDeps } from '../context.ts';
import type { TranslationEngine } from '../db/db.ts';
import { AppError, badInput } from '../errors.ts';
import { hasChatEndpoint } from './chatEndpoint.ts';
import { hasProviderKey } from './providerKeys.ts';

/** The engine for a job's translation: the one asked for, else TRANSLATION_ENGINE; null without translateTo. */
export function translationEngineFor(
  deps: Pick<CoreDeps, 'env'>,
  translateTo: string | null,
  requested: TranslationEngine | null | undefined,
): TranslationEngine | null {
  if (!translateTo) {
    if (requested) throw badInput('translationEngine needs translateTo.', 'translationEngine');
    return null;
  }
  return requested ?? deps.env.TRANSLATION_ENGINE;
}

/** Refuses (PROVIDER_UNAVAILABLE) a translation whose engine has no key for `userId`. */
export async function assertTranslationUsable(deps: Pick<CoreDeps, 'db' | 'env'>, userId: string, engine: TranslationEngine): Promise<void> {
  if (engine === 'GOOGLE') {
    if (!(await hasProviderKey(deps, userId, 'GOOGLE'))) {
      throw new AppError(
        'PROVIDER_UNAVAILABLE',
        'Translation through Google needs a GOOGLE key: add one with setProviderKey, or ask the operator to set GOOGLE_TRANSLATE_API_KEY.',
      );
    }
  } else if (!(await hasChatEndpoint(deps, userId))) {
    throw new AppError('PROVIDER_UNAVAILABLE', 'Translation needs an OPENAI key: add one with setProviderKey.');
  }
}
