import { defineConfig } from 'vitest/config';

export default defineConfig({
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
