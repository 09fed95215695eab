import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer's build: one page, served by Electron (studio://app/) or by the loopback host. The
// root is renderer/ (scripts/build-app.mjs passes it), so outDir is relative to it. This file runs
// in Node at build time, so it lives here rather than in renderer/, which holds only page code.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  logLevel: 'warn',
});
