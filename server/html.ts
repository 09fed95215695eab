/** The public site's own pages (lists, errors) around the shared renderer's article page. No script, ever. */
import { formatDate, referenceUrl, STORY_STYLESHEET } from '../shared/index.js';
import type { PublicStorySummary } from './store/store.js';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const LIST_STYLE = `
.story-list { list-style: none; padding: 0; }
.story-list li { margin: 0 0 1.5rem; }
.story-list a.title { font: 600 1.25rem/1.3 system-ui, sans-serif; text-decoration: none; }
.story-list .dek { font-size: 1rem; margin: .25rem 0 0; }
.pager { display: flex; justify-content: space-between; font: .95rem system-ui, sans-serif; }
`;

export function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STORY_STYLESHEET}
${LIST_STYLE}</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

export function storyList(
  site: string,
  heading: string,
  items: PublicStorySummary[],
  beatName: (slug: string) => string,
  pager?: { page: number; pages: number; base: string },
): string {
  const list = items.length
    ? `<ul class="story-list">\n${items
        .map((s) => {
          const date = s.published ? `<time datetime="${escapeHtml(s.published)}">${escapeHtml(formatDate(s.published))}</time>` : '';
          const beat = `<a class="ref ref-beat" href="${escapeHtml(referenceUrl(site, 'beat', s.beat))}">${escapeHtml(beatName(s.beat))}</a>`;
          return `<li><a class="title" href="${escapeHtml(referenceUrl(site, 'story', s.slug))}">${escapeHtml(s.title)}</a>
<p class="story-meta">${[beat, date].filter(Boolean).join(' · ')}</p>${s.dek ? `\n<p class="dek">${escapeHtml(s.dek)}</p>` : ''}</li>`;
        })
        .join('\n')}\n</ul>`
    : '<p>No published stories yet.</p>';
  let nav = '';
  if (pager && pager.pages > 1) {
    const prev = pager.page > 1 ? `<a rel="prev" href="${escapeHtml(`${pager.base}?page=${pager.page - 1}`)}">Newer</a>` : '<span></span>';
    const next = pager.page < pager.pages ? `<a rel="next" href="${escapeHtml(`${pager.base}?page=${pager.page + 1}`)}">Older</a>` : '<span></span>';
    nav = `\n<nav class="pager">${prev}<span>Page ${pager.page} of ${pager.pages}</span>${next}</nav>`;
  }
  return layout(heading, `<h1>${escapeHtml(heading)}</h1>\n${list}${nav}`);
}

export function errorPage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 410 ? 'Withdrawn' : status >= 500 ? 'Something went wrong' : 'Bad request';
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p><a href="/">All stories</a></p>`);
}
