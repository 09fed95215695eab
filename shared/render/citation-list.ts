import { isHttpUrl } from '../markdown/safe-links.js';
import type { Citation } from '../story/types.js';
import { escapeHtml } from '../text-util.js';

/**
 * `<ol class="citations">` with `<li id="cite-N">` for every citation, and for every marker whose
 * citation is missing, so that no marker points nowhere. `lines` gives each item's data-line.
 */
export function renderCitationList(citations: readonly Citation[], markers: Iterable<number>, lines: { list: number; item: (n: number) => number }): string {
  const byN = new Map<number, Citation>();
  for (const c of citations) if (!byN.has(c.n)) byN.set(c.n, c);
  const numbers = new Set<number>([...byN.keys(), ...markers]);
  if (numbers.size === 0) return '';
  const items = [...numbers]
    .sort((a, b) => a - b)
    .map((n) => {
      const c = byN.get(n);
      const back = ` <a class="cite-back" href="#cite-ref-${n}" aria-label="Back to the text">↩</a>`;
      if (!c) return `<li id="cite-${n}" value="${n}" class="cite-missing" data-line="${lines.item(n)}">Source missing for citation ${n}.${back}</li>`;
      const title = escapeHtml(c.title ?? c.url);
      const link = isHttpUrl(c.url) ? `<a href="${escapeHtml(c.url)}" rel="noopener noreferrer">${title}</a>` : title;
      const source = c.source ? ` — <span class="cite-source">${escapeHtml(c.source)}</span>` : '';
      return `<li id="cite-${n}" value="${n}" data-line="${lines.item(n)}">${link}${source}${back}</li>`;
    });
  return `<ol class="citations" data-line="${lines.list}">\n${items.join('\n')}\n</ol>\n`;
}
