import type { CoreDeps } from '../context.ts';
import type { Provider } from '../db/db.ts';
import { AssemblyAILiveEngine } from './assemblyaiEngine.ts';
import { DeepgramLiveEngine } from './deepgramEngine.ts';
import { LocalLiveEngine } from './localEngine.ts';
import { OpenAILiveEngine } from './openaiEngine.ts';
import { ProviderError } from '../providers/types.ts';
import type { LiveEngine, LiveEngineOptions } from './types.ts';

/** Opens the streaming engine for a provider. @throws ProviderError when it cannot start. */
export async function openLiveEngine(deps: Pick<CoreDeps, 'env' | 'providers'>, provider: Provider, options: LiveEngineOptions): Promise<LiveEngine> {
  const { env } = deps;
  switch (provider) {
    case 'LOCAL':
      return LocalLiveEngine.open({ library: env.POCKETSPHINX_LIBRARY, modelDir: env.POCKETSPHINX_MODEL_DIR }, options);
    case 'DEEPGRAM':
      return DeepgramLiveEngine.open(
        { baseURL: env.DEEPGRAM_BASE_URL, defaultModel: env.DEEPGRAM_MODEL, timeoutMs: env.DEEPGRAM_TIMEOUT_MS },
        options,
      );
    case 'OPENAI':
      return new OpenAILiveEngine(deps.providers.OPENAI, options);
    case 'ASSEMBLYAI':
      return AssemblyAILiveEngine.open({ streamingURL: env.ASSEMBLYAI_STREAMING_URL }, options);
    default:
      throw new ProviderError('unavailable', `${provider} has no streaming speech engine`);
  }
}
