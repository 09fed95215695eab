import type { LintRule } from '../types.js';

/** `ref-unknown`: a well-formed reference whose slug the catalog does not have for its kind. */
export const refUnknown: LintRule = {
  name: 'ref-unknown',
  severity: 'error',
  description: 'the catalog has no such slug for that kind',
  check(ctx) {
    for (const r of ctx.body.references) {
      if (ctx.catalog.has(r.kind, r.slug)) continue;
      const closest = ctx.catalog.closestSlug(r.kind, r.slug);
      const name = closest ? ctx.catalog.displayName(r.kind, closest) : undefined;
      ctx.report({
        message: `the catalog has no ${r.kind} "${r.slug}"${closest ? ` (did you mean "${closest}"?)` : ''}`,
        from: r.from,
        to: r.to,
        at: r,
        ...(closest ? { fix: { from: r.slugFrom, to: r.slugTo, insert: closest, title: `Change to "${closest}"${name ? ` (${name})` : ''}` } } : {}),
      });
    }
  },
};
