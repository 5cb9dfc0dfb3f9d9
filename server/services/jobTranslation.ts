/**
 * A job's translation (`translateTo`): a step of its own after the transcript. The transcribe task
 * completes the job with its transcript and enqueues this step (translationStatus PENDING); transient
 * provider failures are retried by graphile-worker with its backoff, up to TRANSLATION_MAX_ATTEMPTS;
 * when they run out, or on a failure retrying cannot fix, only the translation fails (FAILED with a
 * reason) and the job's owner may retry it alone with retryTranslation.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Job, Prisma } from '../db/db.ts';
import { addJob, taskJobKey, type TaskName } from '../db/queue.ts';
import { AppError, conflict } from '../errors.ts';
import type { Env } from '../env.ts';
import { translateWithGoogle } from '../providers/googleTranslate.ts';
import { ChatMeter } from '../providers/chatJson.ts';
import { translateText } from '../providers/translate.ts';
import { ProviderError } from '../providers/types.ts';
import { findChangeableJob } from './access/jobs.ts';
import { chatServer, resolveChatEndpoint } from './chatEndpoint.ts';
import { recordChatUsage } from './chatUsage.ts';
import { publishJobChange } from './jobs.ts';
import { resolveProviderKey } from './providerKeys.ts';
import { assertTranslationUsable } from './translationEngines.ts';
import type { FailureRecord } from './workFailure.ts';

const TRANSLATE_TASK = 'translateJob' satisfies TaskName;
const translationJobKey = (jobId: string) => taskJobKey(TRANSLATE_TASK, jobId);

/** Adds the translation step of a job; de-duplicated by job key. Call inside the transaction that sets translationStatus PENDING. */
export async function enqueueTranslation(deps: CoreDeps, tx: Prisma.TransactionClient, jobId: string): Promise<void> {
  await addJob(tx, TRANSLATE_TASK, { jobId }, { maxAttempts: deps.env.TRANSLATION_MAX_ATTEMPTS, jobKey: translationJobKey(jobId) });
}

/** Runs a failed translation again (the owner, or an admin); the transcript is left as it is. */
export async function retryTranslation(deps: AppDeps, viewer: Viewer, id: string): Promise<Job> {
  const job = await findChangeableJob(deps, viewer, id);
  if (!job.translateTo) throw conflict('The job has no translation: it was submitted without translateTo.');
  if (job.status !== 'COMPLETED' || job.translationStatus !== 'FAILED') {
    throw conflict('Only a failed translation of a completed job can be retried.');
  }
  await assertTranslationUsable(deps, job.ownerId, job.translationEngine ?? 'CHAT');
  const retried = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, status: 'COMPLETED', translationStatus: 'FAILED' },
      data: { translationStatus: 'PENDING', translationError: null },
    });
    if (count === 0) throw conflict('The job changed meanwhile.');
    await enqueueTranslation(deps, tx, id);
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
  await publishJobChange(deps, retried);
  return retried;
}

/**
 * Translates a completed job's transcript into its translateTo. Errors are thrown for the failure
 * policy (translationFailure): transient ones, and unexpected ones, are retried while attempts remain.
 */
export async function translateJob(deps: CoreDeps, jobId: string, signal?: AbortSignal): Promise<void> {
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (!job || job.status !== 'COMPLETED' || job.translationStatus !== 'PENDING' || !job.translateTo) return;
  const sourceLanguage = job.detectedLanguage ?? job.language;
  let translatedText = '';
  if (job.text && job.translationEngine === 'GOOGLE') {
    translatedText = await translateWithGoogle(job.text, job.translateTo, {
      apiKey: await resolveProviderKey(deps, job.ownerId, 'GOOGLE'),
      baseURL: deps.env.GOOGLE_TRANSLATE_BASE_URL,
      sourceLanguage,
      signal,
    });
  } else if (job.text) {
    const endpoint = await resolveChatEndpoint(deps, job.ownerId);
    const meter = new ChatMeter();
    try {
      translatedText = await translateText(job.text, job.translateTo, { ...endpoint, sourceLanguage, signal, meter });
    } finally {
      // Tokens spent count, translated or not.
      await recordChatUsage(deps, deps.db, { userId: job.ownerId, projectId: job.projectId, jobId }, 'TRANSLATION', endpoint.model, meter);
    }
  }
  await settle(deps, jobId, { translationStatus: 'COMPLETED', translatedText, translationError: null });
}

/** Only the translation fails (FAILED with a reason); a provider's refusal is not retried. */
export function translationFailure(deps: CoreDeps, jobId: string): FailureRecord {
  return {
    isFinal: (error) => error instanceof ProviderError && error.kind !== 'transient',
    fail: async (error, attempts) => {
      const job = await deps.db.job.findUnique({ where: { id: jobId }, select: { translationEngine: true } });
      const engine = engineNames(deps.env, job?.translationEngine ?? 'CHAT');
      if (error instanceof ProviderError) {
        deps.logger.warn({ jobId, kind: error.kind, status: error.details.status }, 'translation failed');
      } else {
        deps.logger.error({ err: error, jobId }, 'translation failed unexpectedly');
      }
      await settle(deps, jobId, { translationStatus: 'FAILED', translationError: translationFailureReason(error, attempts, engine) });
    },
  };
}

async function settle(
  deps: CoreDeps,
  jobId: string,
  data: Pick<Prisma.JobUpdateManyMutationInput, 'translationStatus' | 'translatedText' | 'translationError'>,
): Promise<void> {
  const { count } = await deps.db.job.updateMany({
    where: { id: jobId, status: 'COMPLETED', translationStatus: 'PENDING' },
    data,
  });
  if (count === 0) return;
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (job) await publishJobChange(deps, job);
}

/**
 * What the job shows: built from the failure's kind and HTTP status only, so no provider text (which
 * may echo a key, an address or the transcript) reaches the row; the details go to the log.
 */
function translationFailureReason(error: unknown, attempts: number, engine: EngineNames): string {
  if (!(error instanceof ProviderError)) return 'Translation failed unexpectedly.';
  const status = error.details.status ? ` (HTTP ${error.details.status})` : '';
  switch (error.kind) {
    case 'auth':
      return status
        ? `Translation failed: ${engine.label} rejected the key${status}; check the ${engine.keyHint}, then retry the translation.`
        : `Translation failed: no ${engine.keyHint} is configured; ${engine.addKey}, then retry the translation.`;
    case 'transient':
      return `Translation failed: ${engine.label} could not be reached or was overloaded${status}, ${attempts} attempt${attempts === 1 ? '' : 's'}; retry the translation later.`;
    case 'bad_media':
      return 'Translation failed: the model refused to translate this transcript.';
    case 'unavailable':
      return `Translation failed: ${engine.label} refused the request${status}.`;
  }
}

interface EngineNames {
  label: string;
  keyHint: string;
  addKey: string;
}

/** How failure reasons name a translation engine and the key to check. */
function engineNames(env: Env, engine: 'CHAT' | 'GOOGLE'): EngineNames {
  if (engine === 'GOOGLE') {
    return { label: 'Google Cloud Translation', keyHint: 'GOOGLE key', addKey: 'add one with setProviderKey (provider GOOGLE)' };
  }
  const server = chatServer(env);
  return { label: server.label, keyHint: server.keyHint, addKey: env.CHAT_BASE_URL ? 'set CHAT_API_KEY' : 'add one with setProviderKey' };
}
