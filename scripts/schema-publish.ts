// npm run schema:publish: lists what would break clients of the published schema, then publishes the printed one.
import { readFileSync, writeFileSync } from 'node:fs';
import { printedSchema } from '../server/schema/index.ts';
import { breakingChanges, PUBLISHED_SCHEMA } from './schemaBreaking.ts';

const current = printedSchema();
const breaking = await breakingChanges(readFileSync(PUBLISHED_SCHEMA, 'utf8'), current);
for (const line of breaking) console.log(`breaking: ${line}`);
writeFileSync(PUBLISHED_SCHEMA, current);
console.log(`published schema updated (${breaking.length} breaking change${breaking.length === 1 ? '' : 's'} accepted)`);
