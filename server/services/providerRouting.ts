/**
 * Which engines a job or live session may use, in order (README, "Provider routing and fallback"):
 * the request's own list (`providers`, or `provider` as a one-element list), else its project's
 * `providerOrder`, else the server's PROVIDER_ORDER (default: DEFAULT_PROVIDER alone). Engines that
 * cannot honour the options are skipped (and said so); the request is refused only when none can,
 * or when none is usable now (no key anywhere, LOCAL missing). The engines themselves are the
 * entries of the provider registry (server/providers/registry.ts): an engine joins routing there.
 */
import type { CoreDeps } from '../context.ts';
import type { Provider } from '../db/db.ts';
import { AppError, badInput } from '../errors.ts';
import { unsupportedEngineOption, type EngineOptions } from '../providers/registry.ts';
import type { ProviderName } from '../providers/types.ts';
import { assertProviderUsable } from './providerKeys.ts';

/** An engine left out of a request's list because it cannot honour the options, and why. */
export interface SkippedEngine {
  provider: ProviderName;
  reason: string;
}

export interface EnginePlan {
  /** The engines to try, in order; the first is `provider` on the row. */
  providers: ProviderName[];
  skipped: SkippedEngine[];
}

type RoutingDeps = Pick<CoreDeps, 'db' | 'env' | 'providers'>;

/** Whether `name` is a speech engine of this server (GOOGLE, say, is a translation engine only). */
export function isSpeechEngine(deps: Pick<CoreDeps, 'providers'>, name: string): name is ProviderName {
  return Object.hasOwn(deps.providers, name);
}

/**
 * An ordered engine list as given by a client (a job's `providers`, a project's `providerOrder`):
 * speech engines only, each once. `allowEmpty` for settings where empty means "no preference".
 */
export function engineList(deps: Pick<CoreDeps, 'providers'>, list: readonly Provider[], field: string, allowEmpty = false): ProviderName[] {
  if (list.length === 0 && !allowEmpty) throw badInput(`${field} must name at least one engine.`, field);
  const seen = new Set<string>();
  for (const name of list) {
    if (!isSpeechEngine(deps, name)) throw badInput(`${name} is not a speech engine.`, field);
    if (seen.has(name)) throw badInput(`${field} names ${name} twice.`, field);
    seen.add(name);
  }
  return [...list] as ProviderName[];
}

/** The engines requested, in order: the request's, else the project's, else the server's. */
export function requestedEngines(
  deps: Pick<CoreDeps, 'env' | 'providers'>,
  input: { provider?: Provider | null; providers?: readonly Provider[] | null },
  projectOrder: readonly Provider[] = [],
): ProviderName[] {
  if (input.provider && input.providers) throw badInput('Give provider or providers, not both.', 'providers');
  if (input.providers) return engineList(deps, input.providers, 'providers');
  if (input.provider) return engineList(deps, [input.provider], 'provider');
  if (projectOrder.length > 0) return engineList(deps, projectOrder, 'providerOrder');
  return deps.env.PROVIDER_ORDER.length > 0 ? [...deps.env.PROVIDER_ORDER] : [deps.env.DEFAULT_PROVIDER];
}

/**
 * Keeps the engines that can honour `options` (BAD_USER_INPUT naming the first engine's limits when
 * none can), then refuses (PROVIDER_UNAVAILABLE) when none of those is usable for `userId` now. An
 * engine unusable now stays in the list: it is passed over when the job reaches it.
 */
export async function planEngines(deps: RoutingDeps, userId: string, requested: ProviderName[], options: EngineOptions): Promise<EnginePlan> {
  const providers: ProviderName[] = [];
  const skipped: SkippedEngine[] = [];
  let firstRefusal: { field: keyof EngineOptions; message: string } | null = null;
  for (const provider of requested) {
    const unsupported = unsupportedEngineOption(deps.env, provider, options);
    if (unsupported) {
      firstRefusal ??= unsupported;
      skipped.push({ provider, reason: unsupported.message });
    } else {
      providers.push(provider);
    }
  }
  if (providers.length === 0) {
    const refusal = firstRefusal!;
    const others = requested.length > 1 ? ` No engine of ${requested.join(', ')} can: ${skipped.slice(1).map((s) => s.reason).join(' ')}` : '';
    throw badInput(`${refusal.message}${others}`, refusal.field);
  }
  let firstUnusable: unknown = null;
  for (const provider of providers) {
    try {
      await assertProviderUsable(deps, userId, provider);
      return { providers, skipped };
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      firstUnusable ??= error;
    }
  }
  throw firstUnusable;
}
