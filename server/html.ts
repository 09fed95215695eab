/**
 * The public site's own pages (lists, errors) and the chrome around the shared renderer's article
 * page: a header with the site's name and beats, a footer with its feeds. No executable script,
 * ever (the story page's JSON-LD is a data block).
 */
import { formatDate, referenceUrl, STORY_STYLESHEET } from '../shared/index.js';
import { escapeMarkup, withoutControls, type SiteInfo } from './site/index.js';
import type { PublicStorySummary } from './store/store.js';

export const escapeHtml = escapeMarkup;

/** What every page of the site shows around its content. */
export interface SiteChrome {
  /** The public site URL, no trailing slash. */
  site: string;
  info: SiteInfo;
  /** The beats, in catalog order, for the header's navigation. */
  beats: { slug: string; name: string }[];
  /** The beat whose pages these are, marked in the navigation. */
  current?: string;
}

const CHROME_STYLE = `
.site-header, .site-footer { font: .95rem/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
.site-header { border-bottom: 1px solid var(--rule); }
.site-header .inner, .site-footer .inner { max-width: 42rem; margin: 0 auto; padding: .9rem 1.25rem; }
.site-name { font-weight: 700; font-size: 1.35rem; color: var(--fg); text-decoration: none; letter-spacing: -.01em; }
.site-nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin-top: .4rem; }
.site-nav a { color: var(--muted); text-decoration: none; }
.site-nav a:hover, .site-nav a[aria-current="page"] { color: var(--accent); }
.site-nav a[aria-current="page"] { font-weight: 600; }
.site-footer { border-top: 1px solid var(--rule); color: var(--muted); margin-top: 2rem; }
.site-footer p { margin: .25rem 0; }
.site-footer a { color: var(--muted); }
main + .site-footer, .story + .site-footer { margin-top: 0; }
`;

const LIST_STYLE = `
.story-list { list-style: none; padding: 0; }
.story-list li { margin: 0 0 1.5rem; }
.story-list a.title { font: 600 1.25rem/1.3 system-ui, sans-serif; text-decoration: none; }
.story-list .dek { font-size: 1rem; margin: .25rem 0 0; }
.story-list .story-meta { border: 0; padding: 0; margin: .25rem 0 0; }
.pager { display: flex; justify-content: space-between; gap: 1rem; font: .95rem system-ui, sans-serif; border-top: 1px solid var(--rule); padding-top: 1rem; }
`;

/** The `<link>`s to the feeds and the chrome's stylesheet, for a page's head. */
export function chromeHead(c: SiteChrome): string {
  return `<link rel="alternate" type="application/atom+xml" title="${escapeHtml(c.info.name)}" href="${escapeHtml(`${c.site}/feed.xml`)}">
<link rel="alternate" type="application/feed+json" title="${escapeHtml(c.info.name)}" href="${escapeHtml(`${c.site}/feed.json`)}">${
    c.current
      ? `\n<link rel="alternate" type="application/atom+xml" title="${escapeHtml(`${c.info.name}: ${c.beats.find((b) => b.slug === c.current)?.name ?? c.current}`)}" href="${escapeHtml(`${c.site}/beats/${c.current}/feed.xml`)}">`
      : ''
  }
<style>${CHROME_STYLE}</style>`;
}

export function siteHeader(c: SiteChrome): string {
  const nav = c.beats
    .map((b) => `<a href="${escapeHtml(referenceUrl(c.site, 'beat', b.slug))}"${b.slug === c.current ? ' aria-current="page"' : ''}>${escapeHtml(b.name)}</a>`)
    .join('\n');
  return `<header class="site-header"><div class="inner">
<a class="site-name" href="${escapeHtml(`${c.site}/`)}">${escapeHtml(c.info.name)}</a>
${nav ? `<nav class="site-nav" aria-label="Beats">\n${nav}\n</nav>\n` : ''}</div></header>`;
}

export function siteFooter(c: SiteChrome): string {
  return `<footer class="site-footer"><div class="inner">
<p>${escapeHtml(c.info.name)}${c.info.description ? ` — ${escapeHtml(c.info.description)}` : ''}</p>
<p><a href="${escapeHtml(`${c.site}/feed.xml`)}">Atom feed</a> · <a href="${escapeHtml(`${c.site}/feed.json`)}">JSON feed</a> · <a href="${escapeHtml(`${c.site}/sitemap.xml`)}">Sitemap</a></p>
</div></footer>`;
}

export function layout(title: string, content: string, chrome?: SiteChrome, head = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head ? `${head}\n` : ''}<style>${STORY_STYLESHEET}
${LIST_STYLE}</style>
${chrome ? `${chromeHead(chrome)}\n` : ''}</head>
<body>
${chrome ? `${siteHeader(chrome)}\n` : ''}<main>
${content}
</main>
${chrome ? `${siteFooter(chrome)}\n` : ''}</body>
</html>
`;
}

/**
 * The shared renderer's standalone article page with the site's chrome and the story's share
 * metadata: inserted at the page's own `</head>`, after `<body>` and before `</body>` (story text is
 * escaped in the page, so the first and last of those are the page's own).
 */
export function withChrome(page: string, chrome: SiteChrome, head: string): string {
  const headEnd = page.indexOf('</head>');
  const bodyStart = page.indexOf('<body>') + '<body>'.length;
  const bodyEnd = page.lastIndexOf('</body>');
  if (headEnd < 0 || bodyStart < headEnd || bodyEnd < bodyStart) throw new Error('the article page has no head and body to wrap');
  // Control characters a writer pasted are parse errors in HTML and mean nothing to a reader: dropped.
  return withoutControls(
    `${page.slice(0, headEnd)}${head}\n${chromeHead(chrome)}\n${page.slice(headEnd, bodyStart)}\n${siteHeader(chrome)}${page.slice(bodyStart, bodyEnd)}${siteFooter(chrome)}\n${page.slice(bodyEnd)}`,
  );
}

export function storyList(
  chrome: SiteChrome,
  heading: string,
  items: PublicStorySummary[],
  beatName: (slug: string) => string,
  pager?: { page: number; pages: number; base: string },
  intro?: string,
): string {
  const { site } = chrome;
  const list = items.length
    ? `<ul class="story-list">\n${items
        .map((s) => {
          const date = s.published ? `<time datetime="${escapeHtml(s.published)}">${escapeHtml(formatDate(s.published))}</time>` : '';
          const beat = `<a class="ref ref-beat" href="${escapeHtml(referenceUrl(site, 'beat', s.beat))}">${escapeHtml(beatName(s.beat))}</a>`;
          return `<li><a class="title" href="${escapeHtml(referenceUrl(site, 'story', s.slug))}">${escapeHtml(s.title)}</a>${s.dek ? `\n<p class="dek">${escapeHtml(s.dek)}</p>` : ''}
<p class="story-meta">${[beat, date].filter(Boolean).join(' · ')}</p></li>`;
        })
        .join('\n')}\n</ul>`
    : '<p>No published stories yet.</p>';
  let nav = '';
  if (pager && pager.pages > 1) {
    const href = (n: number) => escapeHtml(n === 1 ? pager.base : `${pager.base}?page=${n}`);
    const prev = pager.page > 1 ? `<a rel="prev" href="${href(pager.page - 1)}">← Newer stories</a>` : '<span></span>';
    const next = pager.page < pager.pages ? `<a rel="next" href="${href(pager.page + 1)}">Older stories →</a>` : '<span></span>';
    nav = `\n<nav class="pager" aria-label="Pages">${prev}<span>Page ${pager.page} of ${pager.pages}</span>${next}</nav>`;
  }
  const title = heading === chrome.info.name ? heading : `${heading} — ${chrome.info.name}`;
  const head = [
    `<meta name="description" content="${escapeHtml(intro ?? chrome.info.description)}">`,
    pager ? `<link rel="canonical" href="${escapeHtml(`${site}${pager.page === 1 ? pager.base : `${pager.base}?page=${pager.page}`}`)}">` : '',
    pager && pager.page > 1 ? `<link rel="prev" href="${escapeHtml(`${site}${pager.page === 2 ? pager.base : `${pager.base}?page=${pager.page - 1}`}`)}">` : '',
    pager && pager.page < pager.pages ? `<link rel="next" href="${escapeHtml(`${site}${pager.base}?page=${pager.page + 1}`)}">` : '',
  ]
    .filter(Boolean)
    .join('\n');
  return layout(title, `<h1>${escapeHtml(heading)}</h1>\n${intro ? `<p class="dek">${escapeHtml(intro)}</p>\n` : ''}${list}${nav}`, chrome, head);
}

export function errorPage(status: number, message: string): string {
  const title = status === 404 ? 'Not found' : status === 410 ? 'Withdrawn' : status >= 500 ? 'Something went wrong' : 'Bad request';
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n<p><a href="/">All stories</a></p>`);
}
