import { isHttpUrl } from '../../markdown/safe-links.js';
import type { LintRule } from '../types.js';

/** `citation-url`: a citation whose URL is not http(s). */
export const citationUrl: LintRule = {
  name: 'citation-url',
  severity: 'error',
  description: 'a citation whose URL is not http(s)',
  check(ctx) {
    const items = Array.isArray(ctx.story.meta.citations) ? (ctx.story.meta.citations as unknown[]) : [];
    items.forEach((item, i) => {
      if (typeof item !== 'object' || item === null) return;
      const url = (item as { url?: unknown }).url;
      if (typeof url === 'string' && isHttpUrl(url)) return;
      const span = ctx.span(`citations.${i}.url`);
      const n = (item as { n?: unknown }).n;
      const what = typeof url === 'string' && url !== '' ? `"${url}" is not an http(s) URL` : 'has no URL';
      ctx.report({ message: `citation ${typeof n === 'number' ? n : i + 1}: ${what}`, from: span.from, to: span.to, at: span });
    });
  },
};
