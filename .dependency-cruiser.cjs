/**
 * The import rules, checked in `npm test`. Default-deny: a dependency is allowed only when one of
 * the `allowed` rules below names both its ends, and a file in a folder none of them names is an
 * error of its own (`uncovered-folder`), so a new folder starts with a rule, not without one.
 *
 * The layers (README, "Architecture"):
 * - shared/: the pure core. Itself and a short list of pure libraries; no Node, no DOM, no Electron.
 * - renderer/: the page. Itself, shared/ and browser libraries; never Node built-ins or electron/.
 * - electron/preload: the sandboxed bridge. Itself, shared/ and `electron` (a sandboxed preload
 *   can require nothing else).
 * - electron/main: the Electron glue. The services, shared/, Node and `electron`.
 * - electron/services, electron/host, electron/cli: plain Node modules, never `electron` (the
 *   browser host, the CLI and the tests run them without it). The host and the CLI use the services.
 * - server/: the publishing backend. Itself, shared/ and Node libraries.
 * - test/, bench/, scripts/: drive everything.
 */
const SHARED_LIBS = '^node_modules/(markdown-it|yaml|zod|mdurl|uc\\.micro|punycode\\.js|linkify-it|entities|approx-string-match|node-diff3)/';
/** Packages that need Electron's process (electron-store imports `electron` at load). */
const ELECTRON_ONLY = '^node_modules/(electron|electron-store)/';
/** Packages that need Node: never in the page. */
const NODE_ONLY = '^node_modules/(electron|electron-store|conf|better-sqlite3|fastify|@fastify/[^/]+|pino|postgres|piscina|commander)/';
/** `electron` as dependency-cruiser sees it: a built-in module (or the npm package where resolved so). */
const ELECTRON_MODULE = ['^electron$', '^electron/[^/]+$', '^node_modules/electron/'];
const ANY_PACKAGE = '^node_modules/';
/** Every folder some rule below is written for. */
const COVERED = '^(shared|renderer|electron/(main|preload|services|host|cli)|server|test|bench|scripts)/';
/** How a Node built-in appears as a module (`fs`, `fs/promises`). */
const CORE_MODULE = '^[a-z_]+(/[a-z_]+)?$';
const PROJECT = '^(shared|electron|renderer|server|test|bench|scripts|resources)/';

const allow = (comment, from, to) => ({ comment, from: { path: from }, to });

module.exports = {
  allowed: [
    allow('shared/ is pure: itself and pure libraries', '^shared/', { path: ['^shared/', SHARED_LIBS] }),
    allow('the renderer: itself and the shared core', '^renderer/', { path: ['^renderer/', '^shared/'] }),
    allow('the renderer: browser libraries', '^renderer/', { path: ANY_PACKAGE, pathNot: NODE_ONLY }),
    allow('the preload: itself and the shared contract', '^electron/preload/', { path: ['^electron/preload/', '^shared/'] }),
    allow('the preload: electron, no other built-in', '^electron/preload/', { path: ELECTRON_MODULE }),
    allow('the main process: the Electron glue over the services', '^electron/main/', { path: ['^electron/(main|services)/', '^shared/', ANY_PACKAGE] }),
    allow('the main process: Node', '^electron/main/', { dependencyTypes: ['core'] }),
    allow('services, host and CLI: plain Node modules over the services', '^electron/(services|host|cli)/', { path: ['^electron/services/', '^shared/'] }),
    allow('the browser host: itself', '^electron/host/', { path: '^electron/host/' }),
    allow('the CLI: itself', '^electron/cli/', { path: '^electron/cli/' }),
    allow('services, host and CLI: Node and its libraries, never electron', '^electron/(services|host|cli)/', { path: ANY_PACKAGE, pathNot: ELECTRON_ONLY }),
    allow('services, host and CLI: Node built-ins (dependency-cruiser counts `electron` as one)', '^electron/(services|host|cli)/', { dependencyTypes: ['core'], pathNot: ELECTRON_MODULE }),
    allow('the backend: itself, the shared core and Node libraries', '^server/', { path: ['^server/', '^shared/', ANY_PACKAGE], pathNot: ELECTRON_ONLY }),
    allow('the backend: Node built-ins', '^server/', { dependencyTypes: ['core'] }),
    allow('tests and benchmarks drive every layer', '^(test|bench)/', { path: [PROJECT, ANY_PACKAGE] }),
    allow('benchmarks time the built package', '^bench/', { path: '(^|/)dist/' }),
    allow('tests and benchmarks: Node built-ins', '^(test|bench)/', { dependencyTypes: ['core'] }),
    allow('scripts: build tools and the shared core', '^scripts/', { path: ['^scripts/', '^shared/', ANY_PACKAGE] }),
    allow('scripts: Node built-ins', '^scripts/', { dependencyTypes: ['core'] }),
  ],
  allowedSeverity: 'error',
  forbidden: [
    // A module rule needs a count: the two together match every module, whatever its dependents.
    ...[{ numberOfDependentsLessThan: 100 }, { numberOfDependentsMoreThan: 98 }].map((count) => ({
      name: 'uncovered-folder',
      comment: 'every file belongs to a layer above: a new folder needs its rule first',
      severity: 'error',
      module: { pathNot: [COVERED, '^node_modules/', '(^|/)dist/', CORE_MODULE], ...count },
      from: {},
    })),
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing is a typo or a missing dependency',
      severity: 'error',
      from: {},
      // The benchmarks time the built package (dist/), which exists once `npm run build` ran.
      to: { couldNotResolve: true, pathNot: '(^|/)dist/' },
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
    // Packages stay in the graph (not followed), so that the rules about them apply.
    exclude: { path: '^dist/' },
  },
};
