import type { LintRule } from '../types.js';

/** `citation-missing`: a marker N with no citation N in the front matter. */
export const citationMissing: LintRule = {
  name: 'citation-missing',
  severity: 'error',
  description: 'a citation marker with no citation of that number',
  check(ctx) {
    const known = new Set(ctx.fields.citations.map((c) => c.n));
    for (const m of ctx.body.citations) {
      if (known.has(m.n)) continue;
      ctx.report({ message: `citation ${m.n} has no source: add it to the front matter's citations`, from: m.from, to: m.to, at: m });
    }
  },
};
