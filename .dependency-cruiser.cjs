/**
 * The import rules of DEVELOPERS.md, checked in `npm test`. Default-deny for shared/: it may import
 * only itself and its pure libraries.
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment: 'shared/ imports none of the other folders, no Node built-ins, no DOM or Electron',
      severity: 'error',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', '^node_modules/(markdown-it|yaml|zod|mdurl|uc\\.micro|punycode\\.js|linkify-it|entities|approx-string-match|node-diff3)/'] },
    },
    {
      name: 'shared-no-builtins',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-only-shared',
      comment: 'the renderer talks to window.studio only: never electron/ or server/',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^electron/', '^server/'] },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'server-not-app',
      comment: 'the backend shares the story core, not the app',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: ['^electron/', '^renderer/'] },
    },
    {
      name: 'electron-not-renderer-or-server',
      severity: 'error',
      from: { path: '^electron/' },
      to: { path: ['^renderer/', '^server/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(shared|electron|server|renderer)/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    preserveSymlinks: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
