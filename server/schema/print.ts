// npm run schema:print: writes the schema SDL to schema.graphql (committed; a test checks it is fresh).
import { writeFileSync } from 'node:fs';
import { printedSchema } from './index.ts';

writeFileSync(new URL('../../schema.graphql', import.meta.url), printedSchema());
console.log('schema.graphql written');
