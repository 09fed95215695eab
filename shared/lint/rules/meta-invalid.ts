import { frontMatterProblems } from '../../story/schema.js';
import type { LintRule } from '../types.js';

/**
 * `meta-invalid` (the studio's own rule, beside the spec's): a known front-matter field with a value
 * of the wrong shape, which would otherwise be silently ignored (a misspelt status, a date that is
 * not ISO 8601, a citation with no number). The shapes are the front-matter schema's.
 */
export const metaInvalid: LintRule = {
  name: 'meta-invalid',
  severity: 'error',
  description: 'a known front-matter field whose value has the wrong shape',
  check(ctx) {
    for (const p of frontMatterProblems(ctx.story.meta)) {
      const span = ctx.span(p.path);
      ctx.report({ message: p.message, from: span.from, to: span.to, at: span });
    }
  },
};
