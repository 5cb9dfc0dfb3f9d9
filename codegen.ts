// graphql-codegen (client preset): the console's operations, typed from the printed schema.
// Run by `npm run admin:build` (or `npm --prefix admin run codegen`); paths are relative to this folder.
// The generator is a dependency of the admin/ workspace, so the preset is resolved from there.
import { createRequire } from 'node:module';

const fromAdmin = createRequire(new URL('./admin/package.json', import.meta.url));
const { preset: clientPreset } = fromAdmin('@graphql-codegen/client-preset');

const config = {
  overwrite: true,
  schema: 'schema.graphql',
  documents: ['admin/src/**/*.{ts,tsx}', '!admin/src/gql/**'],
  ignoreNoDocuments: false,
  generates: {
    'admin/src/gql/': {
      preset: clientPreset,
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        // ESM-style imports (`./graphql.js`), so Node's resolution (the root tests) reads them too.
        emitLegacyCommonJSImports: false,
        scalars: { DateTime: 'string', File: 'unknown' },
        strictScalars: true,
      },
    },
  },
};

export default config;
