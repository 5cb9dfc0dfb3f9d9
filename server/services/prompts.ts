import type { AppDeps, Viewer } from '../context.ts';
import type { Prompt } from '../db/db.ts';
import { AppError, badInput } from '../errors.ts';
import { newId } from '../ids.ts';
import { requireProject } from './projectAccess.ts';

const MAX_PROMPT_LENGTH = 500;
const MAX_PROMPTS_PER_CALL = 1000;

/**
 * Adds prompts in bulk (OWNER/ADMIN). Each text is trimmed with inner whitespace collapsed to single
 * spaces; empty lines and repeats (within the call or of existing prompts) are dropped. A line over
 * MAX_PROMPT_LENGTH characters fails the whole call, naming the line (1-based). Answers the prompts
 * added, in input order.
 */
export async function addPrompts(deps: AppDeps, viewer: Viewer, projectId: string, texts: string[]): Promise<Prompt[]> {
  await requireProject(deps.db, viewer, projectId, 'managePrompts');
  if (texts.length > MAX_PROMPTS_PER_CALL) {
    throw badInput(`At most ${MAX_PROMPTS_PER_CALL} prompts per call; send the rest in another.`, 'texts');
  }
  const unique = new Set<string>();
  texts.forEach((raw, index) => {
    const text = raw.replace(/\s+/g, ' ').trim();
    const length = [...text].length;
    if (length > MAX_PROMPT_LENGTH) {
      throw new AppError(
        'BAD_USER_INPUT',
        `Line ${index + 1} is ${length} characters long; a prompt may have at most ${MAX_PROMPT_LENGTH}.`,
        { field: 'texts', line: index + 1 },
      );
    }
    if (text) unique.add(text);
  });
  if (unique.size === 0) return [];
  // Ids are time-ordered; sorting one batch of them keeps the input order for listing by id.
  const ids = Array.from({ length: unique.size }, () => newId('Prompt')).sort();
  const created = await deps.db.prompt.createManyAndReturn({
    data: [...unique].map((text, index) => ({ id: ids[index], projectId, text })),
    skipDuplicates: true,
  });
  return created.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * The prompt a recorder should read next: the one with the fewest approved recordings that the
 * viewer has not recorded yet, oldest first among equals; null when none is left. A prompt counts
 * as recorded by the viewer while one of their sessions for it is under way or its recording was
 * not rejected (a rejected take may be recorded again).
 */
export async function nextPrompt(deps: AppDeps, viewer: Viewer, projectId: string): Promise<string | null> {
  await requireProject(deps.db, viewer, projectId, 'record');
  const rows = await deps.db.$queryRaw<{ id: string }[]>`
    WITH approved AS (
      SELECT r.prompt_id, count(*) AS n FROM recordings r
      WHERE r.project_id = ${projectId} AND r.review_status = 'APPROVED' AND r.prompt_id IS NOT NULL
      GROUP BY r.prompt_id
    ), mine AS (
      SELECT s.prompt_id FROM live_sessions s
      LEFT JOIN recordings r ON r.session_id = s.id
      WHERE s.project_id = ${projectId} AND s.owner_id = ${viewer.user.id} AND s.prompt_id IS NOT NULL
        AND s.status <> 'FAILED' AND (r.id IS NULL OR r.review_status <> 'REJECTED')
    )
    SELECT p.id
    FROM prompts p
    LEFT JOIN approved a ON a.prompt_id = p.id
    WHERE p.project_id = ${projectId}
      AND NOT EXISTS (SELECT 1 FROM mine m WHERE m.prompt_id = p.id)
    ORDER BY COALESCE(a.n, 0), p.id
    LIMIT 1`;
  return rows[0]?.id ?? null;
}
