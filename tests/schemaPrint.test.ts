import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../server/schema/index.ts';

describe('schema.graphql', () => {
  it('is the schema the code builds (run `npm run schema:print` after changing the schema)', () => {
    const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printedSchema());
  });

  it('keeps the account, key, user and node parts of ../shared/CONTRACT.graphql', () => {
    const contractTool = new URL('../../shared/tools/check-contract.mjs', import.meta.url);
    let output = '';
    try {
      output = execFileSync(process.execPath, [contractTool.pathname, 'schema.graphql'], { encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? '';
    }
    // Parts of the contract that later work adds (jobs, projects, live sessions, usage, ...)
    // are listed by the tool too; none of the foundation's names may appear among the gaps.
    const foundation =
      /\b(User|AuthPayload|ApiKey|CreatedApiKey|ProviderKey|RegisterInput|LoginInput|CreateApiKeyInput|SetProviderKeyInput|Node|PageInfo|Role|Provider|ApiKeyScope|UserEdge|UserConnection)\b|Query\.(me|node|apiKeys|providerKeys|users)\b|Mutation\.(register|login|refreshSession|logout|createApiKey|revokeApiKey|setProviderKey|deleteProviderKey|setUserRole|setUserActive)\b/;
    const gaps = output.split('\n').filter((line) => foundation.test(line) && !/User\.quota|Quota/.test(line));
    expect(gaps).toEqual([]);
  });
});
