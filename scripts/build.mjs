// Builds what the package exposes: the shared core (JS + declarations), the command lines, and,
// where their sources exist, the server, the Electron main/preload and the renderer.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const started = Date.now();

const node = { platform: 'node', format: 'esm', target: 'node20', bundle: true, packages: 'external', sourcemap: true, logLevel: 'warning' };
const cliBanner = { js: '#!/usr/bin/env node' };

if (want('shared')) {
  rmSync(join(root, 'dist/shared'), { recursive: true, force: true });
  await build({
    ...node,
    platform: 'neutral',
    entryPoints: [join(root, 'shared/index.ts')],
    outfile: join(root, 'dist/shared/index.js'),
    mainFields: ['module', 'main'],
  });
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'shared/tsconfig.json')], { stdio: 'inherit' });
}
// The browser host and the CLI bundle their packages too: resolving and reading ~200 package
// files at start was ≈ 0.25 s of the host's cold start and most of every CLI command's (issue 13).
// better-sqlite3 (a native addon) and dictionary-en (read as files beside its package.json) stay
// outside. They are CommonJS, which Node 20 can run from V8's code cache
// (electron/services/code-cache.ts): dist/host/main.js and dist/cli/studio.js are small launchers.
const bundled = {
  packages: undefined,
  format: 'cjs',
  // Without white space and with simpler syntax (names kept, for stack traces): 3.5 → 2.4 MB to compile.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['better-sqlite3', 'dictionary-en'],
  define: { 'import.meta.url': '__studioModuleUrl' },
  // "use strict" first: esbuild writes its own directive (the sources are ES modules, strict),
  // but below a banner it is a plain expression, and the whole bundle would run sloppy.
  banner: { js: `"use strict";const __studioModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
};
const entries = [
  // Not minified: from the code cache it starts as fast either way (0.16–0.18 s for a lint), and an
  // uncaught error then names a line worth reading rather than echoing one of 300,000 characters.
  ['cli', 'electron/cli/main.ts', 'dist/cli/studio.cjs', { ...bundled, minifyWhitespace: false, minifySyntax: false }],
  ['cli', 'electron/cli/launch.ts', 'dist/cli/studio.js', { banner: cliBanner }],
  ['server', 'server/cli.ts', 'dist/server/cli.js', { banner: cliBanner }],
  ['host', 'electron/host/main.ts', 'dist/host/host.cjs', bundled],
  ['host', 'electron/host/launch.ts', 'dist/host/main.js', {}],
];
for (const [name, entry, out, options] of entries) {
  if (!want(name) || !existsSync(join(root, entry))) continue;
  await build({ ...node, entryPoints: [join(root, entry)], outfile: join(root, out), ...options });
  // The package's bins run as programs (npx, node_modules/.bin): esbuild writes them 0644.
  if (options.banner === cliBanner) chmodSync(join(root, out), 0o755);
}
if (existsSync(join(root, 'scripts/build-app.mjs')) && want('app')) {
  const { buildApp } = await import('./build-app.mjs');
  await buildApp(root);
}
console.log(`built in ${Date.now() - started} ms`);
