export { lintStory, hasErrors, type LintOptions } from './lint-story.js';
export { IncrementalLint } from './incremental.js';
export { LINT_RULES } from './registry.js';
export { readBodyFacts, type BodyFacts } from './body-facts.js';
export { carryFindings, relocateDiagnostics } from './relocate.js';
export type { Diagnostic, Fix, Severity, LintRule } from './types.js';
