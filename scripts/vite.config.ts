import { defineConfig, type Plugin } from 'vite';
import { PREACT_ALIASES } from './preact-aliases.js';

/**
 * The app's code (renderer/mount.tsx, imported by main.tsx once the host has been asked for the
 * first screen's data) is fetched from the start too: a modulepreload link lets the browser fetch
 * and compile it while the small entry runs, instead of after (issue 13's cold start).
 */
function preloadApp(): Plugin {
  return {
    name: 'studio-preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const app = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.isDynamicEntry && c.name === 'mount');
        if (!app) throw new Error('scripts/vite.config.ts: the app chunk (renderer/mount.tsx) is missing from the build');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${app.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

// The renderer's build: one page, served by Electron (studio://app/) or by the loopback host. The
// root is renderer/ (scripts/build-app.mjs passes it), so outDir is relative to it. This file runs
// in Node at build time, so it lives here rather than in renderer/, which holds only page code.
export default defineConfig({
  base: './',
  plugins: [preloadApp()],
  // The page runs on Preact (docs/decisions.md): JSX compiles to its runtime, and \`react\` (the
  // hooks the page imports, and @tanstack/react-virtual's) resolves to preact/compat.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: PREACT_ALIASES },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
