// Builds the operations console into admin/dist (served by the API under /admin/):
// (admin/ is an npm workspace of the root: the root's `npm install`/`npm ci` installs its dependencies)
//   1. generates the typed operations (graphql-codegen, ../codegen.ts) from schema.graphql,
//   2. bundles with Vite, and pre-compresses the text files (.br, .gz) for the server to send.
// Both steps are skipped when none of their inputs changed since the last build.
//
//   node scripts/build-admin.mjs              build, failing loudly
//   node scripts/build-admin.mjs --postinstall  build, but only warn on failure (npm install must
//                                             not fail because of the console; the API runs without it)
//   node scripts/build-admin.mjs --force      rebuild even when nothing changed
// PARLANCE_SKIP_ADMIN_BUILD=1 skips the postinstall build (API-only deployments).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const admin = path.join(root, 'admin');
// PARLANCE_ADMIN_DIST builds elsewhere (the server reads the same variable; see server/http/adminRoute.ts).
const dist = process.env.PARLANCE_ADMIN_DIST ? path.resolve(process.env.PARLANCE_ADMIN_DIST) : path.join(admin, 'dist');
const args = new Set(process.argv.slice(2));
const postinstall = args.has('--postinstall');
const force = args.has('--force');

function log(message) {
  console.log(`[admin] ${message}`);
}

function run(command, commandArgs, cwd) {
  const result = spawnSync(command, commandArgs, { cwd, stdio: 'inherit', env: process.env });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${path.basename(command)} ${commandArgs.join(' ')} exited with ${result.status}`);
}

function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function walk(dir, skip = () => false) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip(full)) continue;
    if (entry.isDirectory()) out.push(...walk(full, skip));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Runs a package's bin with this Node (the project's Node 24 under `npm run`). Workspace dependencies are
 * hoisted to the root's node_modules; one that conflicts with a root dependency stays in admin/node_modules. */
function bin(name, packageBin) {
  for (const dir of [admin, root]) {
    const link = path.join(dir, 'node_modules', '.bin', name);
    if (existsSync(link)) return [process.execPath, [realpathSync(link), ...packageBin]];
  }
  throw new Error(`${name} is missing from node_modules (run npm install at the root)`);
}

function inputsHash() {
  const sources = walk(path.join(admin, 'src'), (file) => file.startsWith(path.join(admin, 'src', 'gql')));
  const files = [
    ...sources,
    ...walk(path.join(admin, 'public')),
    path.join(admin, 'index.html'),
    path.join(admin, 'vite.config.ts'),
    path.join(admin, 'package.json'),
    path.join(root, 'package-lock.json'),
    path.join(root, 'schema.graphql'),
    path.join(root, 'codegen.ts'),
    path.join(root, 'server/errors.ts'), // the web app imports its error-code table
    fileURLToPath(import.meta.url),
  ].filter((file) => existsSync(file));
  return hashFiles(files);
}

function compress() {
  let count = 0;
  for (const file of walk(dist)) {
    if (!/\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/.test(file)) continue;
    const data = readFileSync(file);
    if (data.length < 1024) continue;
    const br = brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 10, [zlib.BROTLI_PARAM_SIZE_HINT]: data.length } });
    const gz = gzipSync(data, { level: 9 });
    if (br.length < data.length * 0.9) writeFileSync(`${file}.br`, br);
    if (gz.length < data.length * 0.9) writeFileSync(`${file}.gz`, gz);
    count += 1;
  }
  return count;
}

function build() {
  if (!existsSync(path.join(admin, 'package.json'))) throw new Error('admin/package.json is missing');
  const started = Date.now();
  const stampFile = path.join(dist, '.build-stamp');
  const hash = inputsHash();
  if (!force && existsSync(path.join(dist, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash) {
    log(`up to date (${dist})`);
    return;
  }
  log('generating typed operations (graphql-codegen)');
  run(...bin('graphql-codegen', ['--config', 'codegen.ts', '--silent']), root);
  log('bundling (vite build)');
  run(...bin('vite', ['build', '--logLevel', 'warn', '--outDir', dist, '--emptyOutDir']), admin);
  const compressed = compress();
  writeFileSync(stampFile, hash);
  const size = walk(dist)
    .filter((file) => !/\.(br|gz)$/.test(file))
    .reduce((sum, file) => sum + statSync(file).size, 0);
  log(`built ${dist} in ${((Date.now() - started) / 1000).toFixed(1)} s (${(size / 1024).toFixed(0)} KiB, ${compressed} files pre-compressed)`);
}

if (postinstall && process.env.PARLANCE_SKIP_ADMIN_BUILD === '1') {
  log('skipped (PARLANCE_SKIP_ADMIN_BUILD=1); /admin/ stays unavailable until `npm run admin:build`');
  process.exit(0);
}

try {
  build();
} catch (error) {
  if (!postinstall) {
    console.error(`[admin] build failed: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  console.warn(
    `[admin] WARNING: the console was not built (${error instanceof Error ? error.message : error}).\n` +
      '[admin] The API works without it; /admin/ answers 503 until `npm run admin:build` succeeds.',
  );
}
