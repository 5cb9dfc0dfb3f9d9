import type { AppDeps, Viewer } from '../context.ts';
import type { Job, Provider, TranslationEngine } from '../db/db.ts';
import { conflict, forbidden } from '../errors.ts';
import { newId } from '../ids.ts';
import { isMissingObject } from '../storage/index.ts';
import { findVisibleJob } from './access/jobs.ts';
import { assertMaySubmitWork } from './access/work.ts';
import { enqueueTranscription, publishJobChange, recordSkippedEngines, sourceKey, validateOptions, type CreateJobInput } from './jobs.ts';
import { assertWithinQuota } from './quotas.ts';
import { assertJobSubmissionRate } from './rateLimit.ts';
import { assertPublicUrl, parseMediaUrl } from './urlFetch.ts';

/** The settings a rerun may change; each one left out keeps the original job's. */
export interface RerunJobInput {
  provider?: Provider | null;
  providers?: Provider[] | null;
  model?: string | null;
  language?: string | null;
  diarize?: boolean | null;
  translateTo?: string | null;
  translationEngine?: TranslationEngine | null;
  sentiment?: boolean | null;
  summarize?: boolean | null;
  /** Sets whose terms replace the original's; left out, the original's terms are kept (not its project's defaults of today). */
  vocabularySetIds?: string[] | null;
  contextPrompt?: string | null;
}

/** The original's settings, as job creation takes them (an option job creation gains belongs here and in RerunJobInput). */
function settingsOf(job: Job): CreateJobInput {
  return {
    providers: job.providers.length > 0 ? job.providers : [job.provider],
    model: job.model,
    language: job.language,
    diarize: job.diarize,
    translateTo: job.translateTo,
    translationEngine: job.translationEngine,
    sentiment: job.sentimentRequested,
    summarize: job.summaryRequested,
    // Always carried over: a rerun must not give its caller the original the first job kept from them.
    redact: job.redact,
    projectId: job.projectId,
  };
}

/** The original's settings with the ones given in `input` instead (an explicit null clears one). */
function mergedSettings(job: Job, input: RerunJobInput): CreateJobInput {
  const settings: CreateJobInput = settingsOf(job);
  if (input.provider !== undefined || input.providers !== undefined) {
    settings.provider = input.provider ?? null;
    settings.providers = input.providers ?? null;
  }
  for (const key of ['model', 'language', 'diarize', 'translateTo', 'translationEngine', 'sentiment', 'summarize'] as const) {
    if (input[key] !== undefined) (settings as Record<string, unknown>)[key] = input[key];
  }
  if (settings.translateTo === null) settings.translationEngine = null;
  settings.vocabularySetIds = input.vocabularySetIds;
  settings.contextPrompt = input.contextPrompt;
  return settings;
}

/** The vocabulary the original was given stays with the rerun unless `input` gives another. */
function keptVocabulary(job: Job, input: RerunJobInput): Partial<Pick<Job, 'vocabularyTerms' | 'contextPrompt'>> {
  return {
    ...(input.vocabularySetIds === undefined ? { vocabularyTerms: job.vocabularyTerms } : {}),
    ...(input.contextPrompt === undefined ? { contextPrompt: job.contextPrompt } : {}),
  };
}

/**
 * A new job, owned by the viewer, over the same media as job `id`, with the original's settings
 * except those `input` changes; `rerunOf` links it back. Its owner may rerun a job, and so may the
 * members of its project who may submit jobs there (the new job goes into that project). Stored
 * media is copied, so each job owns its file and either may be deleted, erased or expire on its own;
 * a URL job's new job fetches the URL again. The email-verification rule, the submission rate, the
 * quota and every option check apply as for createTranscriptionJob; nothing is left behind on error.
 */
export async function rerunJob(deps: AppDeps, viewer: Viewer, id: string, input: RerunJobInput = {}): Promise<Job> {
  const original = await findVisibleJob(deps, viewer, id);
  if (original.ownerId !== viewer.user.id && !original.projectId) {
    throw forbidden("Only the job's owner, or members of its project who may submit jobs there, can run it again.");
  }
  assertMaySubmitWork(deps.env, viewer);
  if (!original.sourceKey && !original.sourceUrl) throw conflict('The job has no media left to run again.');
  await assertJobSubmissionRate(deps, viewer.user.id);
  // Project rights (NOT_FOUND/FORBIDDEN), engines, language, model, translation and sentiment: as for a new job.
  const { skipped, ...validated } = await validateOptions(deps, viewer, mergedSettings(original, input));
  const options = { ...validated, ...keptVocabulary(original, input) };
  if (original.sourceUrl && !original.sourceKey) {
    await assertPublicUrl(parseMediaUrl(original.sourceUrl), { allowHosts: deps.env.URL_FETCH_ALLOW_HOSTS });
  }
  const duration = original.sourceKey ? original.mediaDurationSeconds : null;
  await assertWithinQuota(deps, viewer.user.id, duration);

  const newJobId = newId('Job');
  let copiedKey: string | null = null;
  try {
    if (original.sourceKey) {
      const body = await deps.storage.get(original.sourceKey).catch((error: unknown) => {
        throw isMissingObject(error) ? conflict('The job has no media left to run again.') : error;
      });
      await deps.storage.put(sourceKey(newJobId), body);
      copiedKey = sourceKey(newJobId);
    }
    const job = await deps.db.$transaction(async (tx) => {
      await assertWithinQuota(deps, viewer.user.id, duration, { tx });
      // The original may have been deleted since it was read: then there is nothing to link to.
      const stillThere = await tx.job.findUnique({ where: { id: original.id }, select: { id: true } });
      if (!stillThere) throw conflict('The job was deleted meanwhile.');
      const created = await tx.job.create({
        data: {
          id: newJobId,
          ownerId: viewer.user.id,
          ...options,
          filename: original.filename,
          sourceUrl: original.sourceKey ? null : original.sourceUrl,
          sourceKey: copiedKey,
          sourceBytes: original.sourceKey ? original.sourceBytes : null,
          mediaDurationSeconds: duration,
          rerunOfId: original.id,
        },
      });
      await recordSkippedEngines(tx, newJobId, skipped);
      await enqueueTranscription(tx, newJobId);
      return created;
    });
    await publishJobChange(deps, job);
    return job;
  } catch (error) {
    if (copiedKey) await deps.storage.delete(copiedKey).catch(() => {});
    throw error;
  }
}
