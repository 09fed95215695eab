// Builds the desktop app: the renderer (Vite) into dist/renderer and the Electron main and preload
// (esbuild) into dist/electron. Called by scripts/build.mjs.
import { build as esbuild } from 'esbuild';
import { join } from 'node:path';

export async function buildApp(root) {
  const started = Date.now();
  const { build: viteBuild } = await import('vite');
  await viteBuild({ root: join(root, 'renderer'), configFile: join(root, 'scripts/vite.config.ts'), logLevel: 'warn' });
  const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning', external: ['electron', 'better-sqlite3'] };
  // The main process bundles its libraries (electron-store, conf, yaml, zod, markdown-it…), so a
  // packaged app needs only better-sqlite3's native module beside it (see electron-builder.yml).
  // ESM bundles of CommonJS code still call require(): give them one.
  await esbuild({
    ...common,
    format: 'esm',
    entryPoints: [join(root, 'electron/main/main.ts')],
    outfile: join(root, 'dist/electron/main.js'),
    banner: { js: "import { createRequire as __studioRequire } from 'node:module'; const require = __studioRequire(import.meta.url);" },
  });
  // Sandboxed preloads are CommonJS and may require only `electron`: bundle everything else in.
  await esbuild({ ...common, format: 'cjs', entryPoints: [join(root, 'electron/preload/preload.ts')], outfile: join(root, 'dist/electron/preload.cjs') });
  console.log(`app built in ${Date.now() - started} ms`);
}
