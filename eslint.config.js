// `npm run lint`: typescript-eslint's recommended rules everywhere, and React's rules of hooks
// (with exhaustive effect dependencies) in the renderer. Formatting is Prettier's (.prettierrc).
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'release/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_name` says "unused on purpose" (a handler's event, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // `ok && run()`, `a ? f() : g()` and `(list.push(a), seen.add(a))` as statements are this
      // codebase's habit; TypeScript's checks catch the mistakes this rule was for.
      '@typescript-eslint/no-unused-expressions': 'off',
      // Control characters in patterns are deliberate here: what is stripped before a terminal or a
      // slug sees it (issue 15 #13).
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read loosely typed answers (JSON bodies, parsed pages).
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Benchmarks run functions in the page (page.evaluate): the browser's globals there.
    files: ['bench/**/*.mjs'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', MutationObserver: 'readonly', requestAnimationFrame: 'readonly', getComputedStyle: 'readonly' } },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', module: 'writable', require: 'readonly', __dirname: 'readonly', performance: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', globalThis: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', structuredClone: 'readonly' } },
  },
);
