// Breaking changes between the published schema (tests/fixtures/published-schema.graphql) and the one the code builds.
// `npm run schema:publish` lists them, then makes the printed schema the published one; the test refuses them.
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

export const PUBLISHED_SCHEMA = new URL('../tests/fixtures/published-schema.graphql', import.meta.url);

/** One line per change that would break a client of the published schema: "path: message". */
export async function breakingChanges(publishedSdl: string, currentSdl: string): Promise<string[]> {
  const changes = await diff(buildSchema(publishedSdl), buildSchema(currentSdl));
  return changes
    .filter((change) => change.criticality.level === CriticalityLevel.Breaking)
    .map((change) => `${change.path ?? '(schema)'}: ${change.message}`);
}

