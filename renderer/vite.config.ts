import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer: one page, served by Electron (studio://app/) or by the loopback host. The root is
// this folder (scripts/build-app.mjs passes it), so outDir is relative to it. No Node built-ins
// here: renderer/ may import none (see .dependency-cruiser.cjs).
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
