/**
 * `Job.vocabularyApplied` and `LiveSession.vocabularyApplied`: what each engine a job or live session
 * used did with its vocabulary, one report per engine (providers/vocabulary.ts), written when the
 * engine first reports (a job's first chunk on it, a session's engine start or first utterance). The
 * write merges one key into the JSON object in one statement, so engines reporting at once cannot
 * overwrite each other's report.
 */
import { Prisma, type Db } from '../db/db.ts';
import type { ProviderName } from '../providers/types.ts';
import { hasVocabulary, type Vocabulary, type VocabularyReport } from '../providers/vocabulary.ts';

/** The columns a job and a live session both keep (0021_vocabulary.sql, 0029_live_session_vocabulary.sql). */
interface VocabularyColumns {
  vocabularyTerms: string[];
  contextPrompt: string | null;
  vocabularyApplied: Prisma.JsonValue | null;
}

/** The vocabulary a job was submitted (or a session started) with, or null when it has none. */
export function vocabularyOf(row: Pick<VocabularyColumns, 'vocabularyTerms' | 'contextPrompt'>): Vocabulary | null {
  const vocabulary = { terms: row.vocabularyTerms, contextPrompt: row.contextPrompt };
  return hasVocabulary(vocabulary) ? vocabulary : null;
}

export type VocabularyAppliedByEngine = Partial<Record<ProviderName, VocabularyReport>>;

/** Reads the stored JSON back (null or anything else: no reports). */
export function vocabularyAppliedOf(row: Pick<VocabularyColumns, 'vocabularyApplied'>): Array<VocabularyReport & { provider: ProviderName }> {
  const stored = row.vocabularyApplied;
  if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return [];
  return Object.entries(stored as VocabularyAppliedByEngine).map(([provider, report]) => ({ ...report!, provider: provider as ProviderName }));
}

/** The row a report goes to. */
export type VocabularyTarget = { table: 'jobs' | 'live_sessions'; id: string };

/** Records each engine's report once per run (each of its chunks, or engine starts, gives the same one). */
export class VocabularyReports {
  readonly #recorded = new Set<ProviderName>();
  readonly #db: Pick<Db, '$executeRaw'>;
  readonly #target: VocabularyTarget;

  constructor(db: Pick<Db, '$executeRaw'>, target: VocabularyTarget) {
    this.#db = db;
    this.#target = target;
  }

  async record(provider: ProviderName, report: VocabularyReport | undefined): Promise<void> {
    if (!report || this.#recorded.has(provider)) return;
    this.#recorded.add(provider);
    const table = Prisma.raw(this.#target.table === 'jobs' ? 'jobs' : 'live_sessions');
    await this.#db.$executeRaw`
      UPDATE ${table}
      SET vocabulary_applied = coalesce(vocabulary_applied, '{}'::jsonb) || jsonb_build_object(${provider}::text, ${JSON.stringify(report)}::jsonb)
      WHERE id = ${this.#target.id}`;
  }
}
