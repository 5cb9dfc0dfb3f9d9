/**
 * `Job.vocabularyApplied`: what each engine a job used did with its vocabulary, one report per
 * engine (providers/vocabulary.ts), written when the engine finishes its first chunk. The write
 * merges one key into the JSON object in one statement, so chunks finishing at once on several
 * engines cannot overwrite each other's report.
 */
import type { Db, Job } from '../db/db.ts';
import type { ProviderName } from '../providers/types.ts';
import { hasVocabulary, type Vocabulary, type VocabularyReport } from '../providers/vocabulary.ts';

/** The vocabulary a job was submitted with, or null when it has none. */
export function jobVocabulary(job: Pick<Job, 'vocabularyTerms' | 'contextPrompt'>): Vocabulary | null {
  const vocabulary = { terms: job.vocabularyTerms, contextPrompt: job.contextPrompt };
  return hasVocabulary(vocabulary) ? vocabulary : null;
}

export type VocabularyAppliedByEngine = Partial<Record<ProviderName, VocabularyReport>>;

/** Reads the stored JSON back (null or anything else: no reports). */
export function vocabularyAppliedOf(job: Pick<Job, 'vocabularyApplied'>): Array<VocabularyReport & { provider: ProviderName }> {
  const stored = job.vocabularyApplied;
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return [];
  return Object.entries(stored as VocabularyAppliedByEngine).map(([provider, report]) => ({ ...report!, provider: provider as ProviderName }));
}

/** Records each engine's report once per run (each of its chunks gives the same one). */
export class VocabularyReports {
  readonly #recorded = new Set<ProviderName>();
  readonly #db: Pick<Db, '$executeRaw'>;
  readonly #jobId: string;

  constructor(db: Pick<Db, '$executeRaw'>, jobId: string) {
    this.#db = db;
    this.#jobId = jobId;
  }

  async record(provider: ProviderName, report: VocabularyReport | undefined): Promise<void> {
    if (!report || this.#recorded.has(provider)) return;
    this.#recorded.add(provider);
    await this.#db.$executeRaw`
      UPDATE jobs
      SET vocabulary_applied = coalesce(vocabulary_applied, '{}'::jsonb) || jsonb_build_object(${provider}::text, ${JSON.stringify(report)}::jsonb)
      WHERE id = ${this.#jobId}`;
  }
}
