/**
 * Vocabulary sets (README, "Vocabulary and context"): terms to favour in transcription, owned by a
 * user (private: only they see, use and change it) or by a project (its members see and use it;
 * OWNERs and ADMINs change it and choose the project's default sets). Every write is validated as a
 * whole before anything is stored, so a refused call leaves nothing behind.
 */
import type { AppDeps, Viewer } from '../context.ts';
import type { Prisma, VocabularySet } from '../db/db.ts';
import { AppError, badInput, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import { memberOfProjectWhere, requireProject } from './projectAccess.ts';

export const VOCABULARY_LIMITS = {
  termsPerSet: 500,
  termLength: 100,
  /** Characters of all the terms of one set together. */
  setCharacters: 20_000,
  nameLength: 100,
  /** Sets per user, and per project. */
  setsPerOwner: 100,
  setsPerJob: 20,
  /** Distinct terms of a job, over all its sets. */
  termsPerJob: 1000,
  contextPromptLength: 2000,
} as const;

/** Why a vocabulary input was refused (`extensions.reason` of its BAD_USER_INPUT). */
type VocabularyRefusal =
  | 'TOO_MANY_TERMS'
  | 'TERM_TOO_LONG'
  | 'DUPLICATE_TERM'
  | 'INVALID_TERM'
  | 'SET_TOO_LARGE'
  | 'INVALID_NAME'
  | 'TOO_MANY_SETS'
  | 'CONTEXT_PROMPT_TOO_LONG';

const refuse = (reason: VocabularyRefusal, message: string, extra: Record<string, unknown>) =>
  new AppError('BAD_USER_INPUT', message, { reason, ...extra });

/** The sets a viewer may see and use: their own and their projects' (every project's for admins). */
export function visibleVocabularySetWhere(viewer: Viewer): Prisma.VocabularySetWhereInput {
  if (viewer.streamingSessionId) return { id: { in: [] } };
  return {
    OR: [{ ownerId: viewer.user.id }, viewer.isAdmin ? { projectId: { not: null } } : { project: memberOfProjectWhere(viewer) }],
  };
}

/** The sets a viewer would pick from: their own and those of the projects they are a member of. */
export function usableVocabularySetWhere(viewer: Viewer): Prisma.VocabularySetWhereInput {
  if (viewer.streamingSessionId) return { id: { in: [] } };
  return { OR: [{ ownerId: viewer.user.id }, { project: memberOfProjectWhere(viewer) }] };
}

/** Whitespace collapsed, trimmed; empty lines dropped; each line checked. Line numbers are 1-based. */
export function normaliseTerms(raw: readonly string[]): string[] {
  if (raw.length > VOCABULARY_LIMITS.termsPerSet * 2) {
    throw refuse('TOO_MANY_TERMS', `A set holds at most ${VOCABULARY_LIMITS.termsPerSet} terms.`, { field: 'terms', limit: VOCABULARY_LIMITS.termsPerSet });
  }
  const terms: string[] = [];
  const firstLine = new Map<string, number>();
  let characters = 0;
  raw.forEach((value, index) => {
    const line = index + 1;
    const term = value.replace(/\s+/g, ' ').trim();
    if (!term) return;
    if (/\p{Cc}/u.test(term)) throw refuse('INVALID_TERM', `Line ${line} has control characters.`, { field: 'terms', line });
    const length = [...term].length;
    if (length > VOCABULARY_LIMITS.termLength) {
      throw refuse('TERM_TOO_LONG', `Line ${line} is ${length} characters long; a term may have at most ${VOCABULARY_LIMITS.termLength}.`, {
        field: 'terms',
        line,
        limit: VOCABULARY_LIMITS.termLength,
      });
    }
    const key = term.toLocaleLowerCase('en');
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      throw refuse('DUPLICATE_TERM', `Line ${line} repeats line ${earlier} ("${term}").`, { field: 'terms', line, duplicateOf: earlier });
    }
    firstLine.set(key, line);
    characters += length;
    terms.push(term);
  });
  if (terms.length > VOCABULARY_LIMITS.termsPerSet) {
    throw refuse('TOO_MANY_TERMS', `${terms.length} terms; a set holds at most ${VOCABULARY_LIMITS.termsPerSet}.`, {
      field: 'terms',
      limit: VOCABULARY_LIMITS.termsPerSet,
    });
  }
  if (characters > VOCABULARY_LIMITS.setCharacters) {
    throw refuse('SET_TOO_LARGE', `The terms have ${characters} characters together; a set may have at most ${VOCABULARY_LIMITS.setCharacters}.`, {
      field: 'terms',
      limit: VOCABULARY_LIMITS.setCharacters,
    });
  }
  return terms;
}

function normaliseName(raw: string): string {
  const name = raw.replace(/\s+/g, ' ').trim();
  if (!name || [...name].length > VOCABULARY_LIMITS.nameLength || /\p{Cc}/u.test(name)) {
    throw refuse('INVALID_NAME', `A name has 1 to ${VOCABULARY_LIMITS.nameLength} characters.`, { field: 'name', limit: VOCABULARY_LIMITS.nameLength });
  }
  return name;
}

/** A context prompt trimmed, null when empty; refused when too long. */
export function normaliseContextPrompt(raw: string | null | undefined): string | null {
  const prompt = raw?.trim() ?? '';
  if (!prompt) return null;
  const length = [...prompt].length;
  if (length > VOCABULARY_LIMITS.contextPromptLength) {
    throw refuse('CONTEXT_PROMPT_TOO_LONG', `The context prompt is ${length} characters long; at most ${VOCABULARY_LIMITS.contextPromptLength}.`, {
      field: 'contextPrompt',
      limit: VOCABULARY_LIMITS.contextPromptLength,
    });
  }
  return prompt;
}

/** Serialises writes that count an owner's sets, so parallel creations cannot pass the cap together. */
async function lockOwner(tx: Prisma.TransactionClient, key: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`vocabulary:${key}`}))`;
}

export async function createVocabularySet(
  deps: AppDeps,
  viewer: Viewer,
  input: { name: string; terms: readonly string[]; projectId?: string | null },
): Promise<VocabularySet> {
  const projectId = input.projectId ?? null;
  if (projectId) await requireProject(deps.db, viewer, projectId, 'manageSettings');
  const name = normaliseName(input.name);
  const terms = normaliseTerms(input.terms);
  const owner = projectId ? { projectId } : { ownerId: viewer.user.id };
  return deps.db.$transaction(async (tx) => {
    await lockOwner(tx, projectId ?? viewer.user.id);
    if ((await tx.vocabularySet.count({ where: owner })) >= VOCABULARY_LIMITS.setsPerOwner) {
      throw refuse('TOO_MANY_SETS', `At most ${VOCABULARY_LIMITS.setsPerOwner} vocabulary sets ${projectId ? 'per project' : 'per user'}; delete one first.`, {
        limit: VOCABULARY_LIMITS.setsPerOwner,
      });
    }
    return tx.vocabularySet.create({ data: { id: newId('VocabularySet'), name, terms, ...owner } });
  });
}

/** The set, when the viewer may change it: its owner, or an OWNER/ADMIN of its project. */
async function requireChangeableSet(deps: AppDeps, viewer: Viewer, id: string): Promise<VocabularySet> {
  const set = await deps.db.vocabularySet.findFirst({ where: { AND: [{ id }, visibleVocabularySetWhere(viewer)] } });
  if (!set) throw notFound('Vocabulary set');
  if (set.projectId) await requireProject(deps.db, viewer, set.projectId, 'manageSettings');
  else if (set.ownerId !== viewer.user.id) throw notFound('Vocabulary set');
  return set;
}

export async function updateVocabularySet(
  deps: AppDeps,
  viewer: Viewer,
  id: string,
  input: { name?: string | null; terms?: readonly string[] | null },
): Promise<VocabularySet> {
  await requireChangeableSet(deps, viewer, id);
  const data: Prisma.VocabularySetUpdateInput = {};
  if (input.name !== undefined && input.name !== null) data.name = normaliseName(input.name);
  if (input.terms !== undefined && input.terms !== null) data.terms = normaliseTerms(input.terms);
  return deps.db.vocabularySet.update({ where: { id }, data });
}

export async function deleteVocabularySet(deps: AppDeps, viewer: Viewer, id: string): Promise<boolean> {
  await requireChangeableSet(deps, viewer, id);
  const { count } = await deps.db.vocabularySet.deleteMany({ where: { id } });
  return count > 0;
}

/** OWNER and ADMIN: the project's sets attached to its jobs that choose none (the list replaces the old one). */
export async function setProjectDefaultVocabularySets(deps: AppDeps, viewer: Viewer, projectId: string, setIds: readonly string[]): Promise<void> {
  await requireProject(deps.db, viewer, projectId, 'manageSettings');
  const ids = [...new Set(setIds)];
  if (ids.length > VOCABULARY_LIMITS.setsPerJob) {
    throw refuse('TOO_MANY_SETS', `At most ${VOCABULARY_LIMITS.setsPerJob} default sets.`, { field: 'vocabularySetIds', limit: VOCABULARY_LIMITS.setsPerJob });
  }
  await deps.db.$transaction(async (tx) => {
    const found = await tx.vocabularySet.findMany({ where: { id: { in: ids }, projectId }, select: { id: true } });
    if (found.length !== ids.length) {
      const missing = ids.filter((id) => !found.some((set) => set.id === id));
      throw badInput(`Default sets must be this project's own sets: ${missing.join(', ')} is not.`, 'vocabularySetIds');
    }
    await tx.vocabularySet.updateMany({ where: { projectId, id: { notIn: ids } }, data: { projectDefault: false } });
    await tx.vocabularySet.updateMany({ where: { projectId, id: { in: ids } }, data: { projectDefault: true } });
  });
}

/**
 * A job's vocabulary at submission, or a live session's at its start: the terms of the chosen sets
 * (or, when it chooses none and goes into a project, the project's default sets), in set order and
 * without repeats, and its context prompt. A set the viewer may not see is NOT_FOUND. `subject` names
 * what takes them in the messages ("A job", "A live session").
 */
export async function resolveJobVocabulary(
  deps: Pick<AppDeps, 'db'>,
  viewer: Viewer,
  input: { vocabularySetIds?: readonly string[] | null; contextPrompt?: string | null },
  projectId: string | null,
  subject = 'A job',
): Promise<{ vocabularyTerms: string[]; contextPrompt: string | null }> {
  const contextPrompt = normaliseContextPrompt(input.contextPrompt);
  let sets: Array<Pick<VocabularySet, 'id' | 'terms'>>;
  if (input.vocabularySetIds) {
    const ids = [...new Set(input.vocabularySetIds)];
    if (ids.length > VOCABULARY_LIMITS.setsPerJob) {
      throw refuse('TOO_MANY_SETS', `${subject} takes at most ${VOCABULARY_LIMITS.setsPerJob} vocabulary sets.`, {
        field: 'vocabularySetIds',
        limit: VOCABULARY_LIMITS.setsPerJob,
      });
    }
    const found = await deps.db.vocabularySet.findMany({
      where: { AND: [{ id: { in: ids } }, visibleVocabularySetWhere(viewer)] },
      select: { id: true, terms: true },
    });
    if (found.length !== ids.length) throw notFound('Vocabulary set');
    sets = ids.map((id) => found.find((set) => set.id === id)!);
  } else if (projectId) {
    sets = await deps.db.vocabularySet.findMany({ where: { projectId, projectDefault: true }, select: { id: true, terms: true }, orderBy: { id: 'asc' } });
  } else {
    sets = [];
  }
  const seen = new Set<string>();
  const vocabularyTerms: string[] = [];
  for (const term of sets.flatMap((set) => set.terms)) {
    const key = term.toLocaleLowerCase('en');
    if (seen.has(key)) continue;
    seen.add(key);
    vocabularyTerms.push(term);
  }
  if (vocabularyTerms.length > VOCABULARY_LIMITS.termsPerJob) {
    throw refuse('TOO_MANY_TERMS', `The chosen sets hold ${vocabularyTerms.length} distinct terms; ${subject.toLowerCase()} takes at most ${VOCABULARY_LIMITS.termsPerJob}.`, {
      field: 'vocabularySetIds',
      limit: VOCABULARY_LIMITS.termsPerJob,
    });
  }
  return { vocabularyTerms, contextPrompt };
}
