import { STORY_STATUSES } from '../../story/types.js';
import type { LintRule } from '../types.js';

/**
 * `meta-invalid` (the studio's own rule, beside the spec's): a known front-matter field with a value
 * of the wrong shape, which would otherwise be silently ignored (a misspelt status, a date that is
 * not ISO 8601, a citation with no number).
 */
export const metaInvalid: LintRule = {
  name: 'meta-invalid',
  severity: 'error',
  description: 'a known front-matter field whose value has the wrong shape',
  check(ctx) {
    const meta = ctx.story.meta;
    const bad = (key: string, message: string) => {
      const span = ctx.span(key);
      ctx.report({ message, from: span.from, to: span.to, at: span });
    };
    for (const key of ['title', 'dek', 'beat']) {
      if (key in meta && meta[key] !== null && typeof meta[key] !== 'string') bad(key, `"${key}" must be text`);
    }
    if ('status' in meta && !STORY_STATUSES.includes(meta.status as never)) {
      bad('status', `status "${String(meta.status)}" is not one of ${STORY_STATUSES.join(', ')}`);
    }
    if ('published' in meta && meta.published !== null && !isIsoDate(meta.published)) {
      bad('published', `published "${String(meta.published)}" is not an ISO 8601 date and time`);
    }
    if ('citations' in meta && meta.citations !== null) {
      if (!Array.isArray(meta.citations)) return bad('citations', 'citations must be a list of { n, url, title, source }');
      const seen = new Set<number>();
      meta.citations.forEach((item, i) => {
        const n = typeof item === 'object' && item !== null ? (item as { n?: unknown }).n : undefined;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) bad(`citations.${i}`, `citation ${i + 1} needs a number n (1, 2, …)`);
        else if (seen.has(n)) bad(`citations.${i}`, `citation ${n} is listed twice`);
        else seen.add(n);
      });
    }
  },
};

function isIsoDate(value: unknown): boolean {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));
}
