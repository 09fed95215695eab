import { defineConfig } from 'vitest/config';
import { PREACT_ALIASES } from './scripts/preact-aliases.js';

export default defineConfig({
  // The page's modules that tests import run on preact/compat, as in the build.
  resolve: { alias: PREACT_ALIASES },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores here: more workers only make the property and integration tests fight.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
