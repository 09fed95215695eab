/**
 * `react` and `react-dom` as preact/compat: for the page's build (scripts/vite.config.ts) and for
 * the tests that import the page's modules (vitest.config.ts), so both run the same library.
 */
export const PREACT_ALIASES = [
  { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react\/jsx-(dev-)?runtime$/, replacement: 'preact/jsx-runtime' },
  { find: /^react$/, replacement: 'preact/compat' },
];
