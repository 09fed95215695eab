import type { LintRule } from './types.js';
import { frontMatter } from './rules/front-matter.js';
import { refSyntax } from './rules/ref-syntax.js';
import { refUnknown } from './rules/ref-unknown.js';
import { refLabelMismatch } from './rules/ref-label-mismatch.js';
import { citationMissing } from './rules/citation-missing.js';
import { citationUnused } from './rules/citation-unused.js';
import { citationUrl } from './rules/citation-url.js';
import { metaMissing } from './rules/meta-missing.js';
import { metaBeatUnknown } from './rules/meta-beat-unknown.js';
import { metaInvalid } from './rules/meta-invalid.js';
import { slugInvalid } from './rules/slug-invalid.js';

/** Every lint rule, in the order of story-format.md §6, then the studio's own. */
export const LINT_RULES: readonly LintRule[] = [
  refSyntax,
  refUnknown,
  refLabelMismatch,
  citationMissing,
  citationUnused,
  citationUrl,
  metaMissing,
  metaBeatUnknown,
  slugInvalid,
  metaInvalid,
  frontMatter,
];
