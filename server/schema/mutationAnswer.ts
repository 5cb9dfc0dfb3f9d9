/**
 * A mutation's answer from the row its service returned. Pothos plans the answer's selection as if the
 * resolver had read with its `query`, so fields that select related rows (a job's segments, a
 * recording's session) need them read: `readRelated` reads the row again with that query, and only
 * when the selection asks for related rows at all. The service's own columns win, so the answer is the
 * row as the mutation left it, not as a worker has moved it since (a new job answers QUEUED even when a
 * runner has already taken it). A row deleted meanwhile answers with the service's row alone.
 */
export async function mutationAnswer<Row extends object, Query extends { include?: object; select?: object }>(
  row: Row,
  query: Query,
  readRelated: (query: Query) => Promise<object | null>,
): Promise<Row> {
  const related = query.select || (query.include && Object.keys(query.include).length > 0);
  if (!related) return row;
  return { ...(await readRelated(query)), ...row };
}
