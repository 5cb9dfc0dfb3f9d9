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
import { translateText } from '../providers/translate.ts';
import { ProviderError } from '../providers/types.ts';
import { findChangeableJob } from './access/jobs.ts';
import { publishJobChange } from './jobs.ts';
import { hasProviderKey, resolveProviderKey } from './providerKeys.ts';
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
  if (!(await hasProviderKey(deps, job.ownerId, 'OPENAI'))) {
    throw new AppError('PROVIDER_UNAVAILABLE', 'Translation needs an OPENAI key: add one with setProviderKey.');
  }
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
  const translatedText = job.text
    ? await translateText(job.text, job.translateTo, {
        apiKey: await resolveProviderKey(deps, job.ownerId, 'OPENAI'),
        baseURL: deps.env.OPENAI_BASE_URL,
        model: deps.env.OPENAI_TRANSLATE_MODEL,
        sourceLanguage: job.detectedLanguage ?? job.language,
        signal,
      })
    : '';
  await settle(deps, jobId, { translationStatus: 'COMPLETED', translatedText, translationError: null });
}

/** Only the translation fails (FAILED with a reason); a provider's refusal is not retried. */
export function translationFailure(deps: CoreDeps, jobId: string): FailureRecord {
  return {
    isFinal: (error) => error instanceof ProviderError && error.kind !== 'transient',
    fail: async (error, attempts) => {
      if (error instanceof ProviderError) {
        deps.logger.warn({ jobId, kind: error.kind, status: error.details.status }, 'translation failed');
      } else {
        deps.logger.error({ err: error, jobId }, 'translation failed unexpectedly');
      }
      await settle(deps, jobId, { translationStatus: 'FAILED', translationError: translationFailureReason(error, attempts) });
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
function translationFailureReason(error: unknown, attempts: number): string {
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
