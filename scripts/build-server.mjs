// Compiles the API, the job runner and the CLI to JavaScript under dist/ (esbuild; npm packages stay
// external, imported from node_modules at run time), so production runs plain `node` with no
// TypeScript loader in memory:
//   dist/server/index.js (npm start, npm run api), dist/jobs/index.js (npm run worker),
//   dist/server/cli.js (npm run cli), dist/server/decoderWorker.js (the LOCAL engine's worker thread).
// Every output sits two directories below the project root, and each `new URL('<relative>', import.meta.url)`
// in the sources is rewritten to the same target seen from there: files and directories of the
// source tree (prisma/migrations, admin/dist, the password list) are read where they are, and a
// TypeScript module (a worker's entry) becomes its compiled output.
//
//   node scripts/build-server.mjs            build
//   node scripts/build-server.mjs --if-stale build only when a source is newer than the last build
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.built');
const entryPoints = {
  'server/index': 'server/index.ts',
  'server/cli': 'server/cli.ts',
  'server/decoderWorker': 'server/providers/local/decoderWorker.ts',
  'jobs/index': 'jobs/index.ts',
};
/** Source file (relative to the root) -> its compiled output, for URLs that name a module. */
const outputOf = new Map(Object.entries(entryPoints).map(([out, source]) => [source, `dist/${out}.js`]));

function newestSourceTime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceTime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return ['server', 'jobs', 'prisma/generated'].some((dir) => existsSync(path.join(root, dir)) && newestSourceTime(path.join(root, dir)) > built);
}

const relativeUrls = {
  name: 'relative-urls',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replace(/new URL\((['"])(\.{1,2}\/[^'"]*)\1, import\.meta\.url\)/g, (_match, quote, relative) => {
        const target = path.relative(root, path.resolve(path.dirname(args.path), relative));
        const compiled = outputOf.get(target.split(path.sep).join('/'));
        if (target.endsWith('.ts') && !compiled) throw new Error(`${args.path}: ${relative} is not a build entry (scripts/build-server.mjs)`);
        const fromOutput = `../../${compiled ?? target.split(path.sep).join('/')}${relative.endsWith('/') ? '/' : ''}`;
        return `new URL(${quote}${fromOutput}${quote}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);
const started = Date.now();
const { build } = await import('esbuild');
await build({
  absWorkingDir: root,
  entryPoints,
  outdir: dist,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [relativeUrls],
});
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.log(`[server] built dist/ in ${Date.now() - started} ms`);
