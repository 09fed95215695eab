import { slugify, slugProblem } from '../../slug.js';
import type { LintRule } from '../types.js';

/** `slug-invalid`: the front matter's slug breaks the slug rule. */
export const slugInvalid: LintRule = {
  name: 'slug-invalid',
  severity: 'error',
  description: 'the slug breaks the slug rule',
  check(ctx) {
    if (!('slug' in ctx.story.meta)) return;
    const raw = ctx.story.meta.slug;
    const slug = typeof raw === 'string' ? raw : String(raw ?? '');
    const problem = typeof raw === 'string' ? slugProblem(raw) : 'the slug is not text';
    if (!problem) return;
    const span = ctx.span('slug');
    const fixed = slugify(slug);
    ctx.report({
      message: `invalid slug "${slug}": ${problem}`,
      from: span.from,
      to: span.to,
      at: span,
      ...(fixed && !slugProblem(fixed) ? { fix: { from: span.from, to: span.to, insert: fixed, title: `Change the slug to "${fixed}"` } } : {}),
    });
  },
};
