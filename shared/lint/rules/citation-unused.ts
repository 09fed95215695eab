import type { LintRule } from '../types.js';

/** `citation-unused`: a citation that no marker cites. */
export const citationUnused: LintRule = {
  name: 'citation-unused',
  severity: 'warning',
  description: 'a citation that no marker cites',
  check(ctx) {
    const cited = new Set(ctx.body.citations.map((m) => m.n));
    const items = Array.isArray(ctx.story.meta.citations) ? (ctx.story.meta.citations as unknown[]) : [];
    items.forEach((_, i) => {
      const n = readN(items[i]);
      if (n === undefined || cited.has(n)) return;
      const span = ctx.span(`citations.${i}`);
      ctx.report({ message: `citation ${n} is never cited in the body (no [${n}] marker)`, from: span.from, to: span.to, at: span });
    });
  },
};

function readN(item: unknown): number | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const n = (item as { n?: unknown }).n;
  const v = typeof n === 'string' && /^\d+$/.test(n) ? Number(n) : n;
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
}
