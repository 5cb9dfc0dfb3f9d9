/**
 * A job's translation (`translateTo`): a step of its own after the transcript. The transcribe task
 * completes the job with its transcript and enqueues this step (translationStatus PENDING); transient
 * provider failures are retried by graphile-worker with its backoff, up to TRANSLATION_MAX_ATTEMPTS;
 * when they run out, or on a failure retrying cannot fix, only the translation fails (FAILED with a
 * reason) and the job's owner may retry it alone with retryTranslation.
 */
import type { AppDeps, CoreDeps, Viewer } from '../context.ts';
import type { Job, Prisma } from '../db/db.ts';
import { AppError, conflict } from '../errors.ts';
import { isKeylessServer, serverKeyFor } from '../providers/registry.ts';
import { translateText } from '../providers/translate.ts';
import { ProviderError } from '../providers/types.ts';
import { findOwnJob, hasProviderKey, publishJobChange } from './jobs.ts';
import { revealProviderKey } from './providerKeys.ts';

export const TRANSLATE_TASK = 'translate_job';
export const translationJobKey = (jobId: string) => `${TRANSLATE_TASK}:${jobId}`;

/** Adds the translation step of a job; de-duplicated by job key. Call inside the transaction that sets translationStatus PENDING. */
export async function enqueueTranslation(deps: CoreDeps, tx: Prisma.TransactionClient, jobId: string): Promise<void> {
  await tx.$executeRaw`
    SELECT graphile_worker.add_job(
      ${TRANSLATE_TASK}, json_build_object('jobId', ${jobId}::text),
      max_attempts := ${deps.env.TRANSLATION_MAX_ATTEMPTS}::int, job_key := ${translationJobKey(jobId)}::text, job_key_mode := 'replace')`;
}

/** Runs a failed translation again (the owner, or an admin); the transcript is left as it is. */
export async function retryTranslation(deps: AppDeps, viewer: Viewer, id: string): Promise<Job> {
  const job = await findOwnJob(deps, viewer, id);
  if (!job.translateTo) throw conflict('The job has no translation: it was submitted without translateTo.');
  if (job.status !== 'COMPLETED' || job.translationStatus !== 'FAILED') {
    throw conflict('Only a failed translation of a completed job can be retried.');
  }
  if (!(await hasProviderKey(deps, job.ownerId, 'OPENAI'))) {
    throw new AppError('PROVIDER_UNAVAILABLE', 'Translation needs an OPENAI key: add one with setProviderKey.');
  }
  const retried = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.job.updateMany({
      where: { id, status: 'COMPLETED', translationStatus: 'FAILED' },
      data: { translationStatus: 'PENDING', translationError: null, updatedAt: new Date() },
    });
    if (count === 0) throw conflict('The job changed meanwhile.');
    await enqueueTranslation(deps, tx, id);
    return tx.job.findUniqueOrThrow({ where: { id } });
  });
  await publishJobChange(deps, retried);
  return retried;
}

export interface TranslationAttempt {
  /** This attempt's number (graphile-worker's `attempts`, counting this one) and the last one's. */
  attempts: number;
  maxAttempts: number;
  signal?: AbortSignal;
}

/**
 * Translates a completed job's transcript into its translateTo. A transient failure with attempts
 * left, or a shutdown, is thrown (graphile-worker retries); any other outcome is stored on the job.
 */
export async function translateJob(deps: CoreDeps, jobId: string, attempt: TranslationAttempt): Promise<void> {
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (!job || job.status !== 'COMPLETED' || job.translationStatus !== 'PENDING' || !job.translateTo) return;
  try {
    const translatedText = job.text
      ? await translateText(job.text, job.translateTo, {
          apiKey: await translationKey(deps, job.ownerId),
          baseURL: deps.env.OPENAI_BASE_URL,
          model: deps.env.OPENAI_TRANSLATE_MODEL,
          sourceLanguage: job.detectedLanguage ?? job.language,
          signal: attempt.signal,
        })
      : '';
    await settle(deps, jobId, { translationStatus: 'COMPLETED', translatedText, translationError: null });
  } catch (error) {
    if (attempt.signal?.aborted) throw error;
    const retriable = !(error instanceof ProviderError) || error.kind === 'transient';
    if (retriable && attempt.attempts < attempt.maxAttempts) throw error;
    if (error instanceof ProviderError) {
      deps.logger.warn({ jobId, kind: error.kind, status: error.details.status }, 'translation failed');
    } else {
      deps.logger.error({ err: error, jobId }, 'translation failed unexpectedly');
    }
    await settle(deps, jobId, { translationStatus: 'FAILED', translationError: translationFailureReason(error, attempt.attempts) });
  }
}

async function settle(
  deps: CoreDeps,
  jobId: string,
  data: Pick<Prisma.JobUpdateManyMutationInput, 'translationStatus' | 'translatedText' | 'translationError'>,
): Promise<void> {
  const { count } = await deps.db.job.updateMany({
    where: { id: jobId, status: 'COMPLETED', translationStatus: 'PENDING' },
    data: { ...data, updatedAt: new Date() },
  });
  if (count === 0) return;
  const job = await deps.db.job.findUnique({ where: { id: jobId } });
  if (job) await publishJobChange(deps, job);
}

async function translationKey(deps: CoreDeps, ownerId: string): Promise<string | null> {
  const key = (await revealProviderKey(deps, ownerId, 'OPENAI')) ?? serverKeyFor(deps.env, 'OPENAI');
  if (!key && !isKeylessServer(deps.env, 'OPENAI')) throw new ProviderError('auth', 'No OPENAI key is configured.');
  return key;
}

/**
 * What the job shows: built from the failure's kind and HTTP status only, so no provider text (which
 * may echo a key, an address or the transcript) reaches the row; the details go to the log.
 */
export function translationFailureReason(error: unknown, attempts: number): string {
  if (!(error instanceof ProviderError)) return 'Translation failed unexpectedly.';
  const status = error.details.status ? ` (HTTP ${error.details.status})` : '';
  switch (error.kind) {
    case 'auth':
      return status
        ? `Translation failed: OpenAI rejected the key${status}; check the OPENAI key, then retry the translation.`
        : 'Translation failed: no OPENAI key is configured; add one with setProviderKey, then retry the translation.';
    case 'transient':
      return `Translation failed: OpenAI could not be reached or was overloaded${status}, ${attempts} attempt${attempts === 1 ? '' : 's'}; retry the translation later.`;
    case 'bad_media':
      return 'Translation failed: the model refused to translate this transcript.';
    case 'unavailable':
      return `Translation failed: OpenAI refused the request${status}.`;
  }
}
