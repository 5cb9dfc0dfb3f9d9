import { readFileSync } from 'node:fs';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../server/schema/index.ts';
import { breakingChanges } from '../scripts/schemaBreaking.ts';

const published = () => readFileSync(new URL('./fixtures/published-schema.graphql', import.meta.url), 'utf8');

describe('schema.graphql', () => {
  it('is the schema the code builds (run `npm run schema:print` after changing the schema)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printedSchema());
  });

  it('keeps every part of the published schema clients rely on (additions pass; see README to update it on purpose)', async () => {
    const changes = await breakingChanges(published(), printedSchema());
    expect(changes).toEqual([]);
  });

  it('the check sees a removed field and a changed type as breaking, and an added field as safe', async () => {
    const base = buildSchema('type Query { job(id: ID!): Job } type Job { id: ID! status: String! progress: Float }');
    const removed = await diff(base, buildSchema('type Query { job(id: ID!): Job } type Job { id: ID! status: String! }'));
    const retyped = await diff(base, buildSchema('type Query { job(id: ID!): Job } type Job { id: ID! status: Int! progress: Float }'));
    const added = await diff(base, buildSchema('type Query { job(id: ID!): Job } type Job { id: ID! status: String! progress: Float text: String }'));
    const breaking = (list: typeof added) => list.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
    expect(breaking(removed).map((change) => change.path)).toEqual(['Job.progress']);
    expect(breaking(retyped).map((change) => change.path)).toEqual(['Job.status']);
    expect(breaking(added)).toEqual([]);
    expect(await breakingChanges(published(), published().replace(/\n  progress: Float!?\n/, '\n'))).not.toEqual([]);
  });
});
