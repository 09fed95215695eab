/**
 * Feeds and sitemaps of the published stories: Atom (RFC 4287), JSON Feed 1.1, sitemaps.org 0.9,
 * Google News sitemaps, and robots.txt pointing at them. Pure functions of what the store lists.
 */
import type { SiteInfo } from './site-info.js';
import { escapeXml, withoutControls } from './text.js';

export interface FeedEntry {
  url: string;
  title: string;
  dek?: string;
  /** The beat's name. */
  section: string;
  published: string;
  updated: string;
  /** The rendered body and citations (HTML). */
  html: string;
}

/** Before any story is published, feeds still need an `updated`: the epoch, so that it never moves. */
const NEVER = '1970-01-01T00:00:00.000Z';

const xml = escapeXml;

export function atomFeed(site: SiteInfo, o: { title: string; home: string; self: string; entries: FeedEntry[] }): string {
  const updated = o.entries.reduce((max, e) => (e.updated > max ? e.updated : max), NEVER);
  const entries = o.entries.map(
    (e) => `<entry>
<title type="text">${xml(e.title)}</title>
<link rel="alternate" type="text/html" href="${xml(e.url)}"/>
<id>${xml(e.url)}</id>
<published>${xml(e.published)}</published>
<updated>${xml(e.updated)}</updated>
${e.dek ? `<summary type="text">${xml(e.dek)}</summary>\n` : ''}<category term="${xml(e.section)}"/>
<content type="html">${xml(e.html)}</content>
</entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
<title type="text">${xml(o.title)}</title>
${site.description ? `<subtitle type="text">${xml(site.description)}</subtitle>\n` : ''}<link rel="self" type="application/atom+xml" href="${xml(o.self)}"/>
<link rel="alternate" type="text/html" href="${xml(o.home)}"/>
<id>${xml(o.self)}</id>
<updated>${updated}</updated>
<author><name>${xml(site.name)}</name></author>
<generator>Newsdesk Studio</generator>
${entries.join('\n')}${entries.length ? '\n' : ''}</feed>
`;
}

export function jsonFeed(site: SiteInfo, o: { title: string; home: string; self: string; entries: FeedEntry[] }): string {
  const clean = (s: string) => withoutControls(s);
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: clean(o.title),
    home_page_url: o.home,
    feed_url: o.self,
    ...(site.description ? { description: clean(site.description) } : {}),
    language: 'en',
    authors: [{ name: clean(site.name) }],
    items: o.entries.map((e) => ({
      id: e.url,
      url: e.url,
      title: clean(e.title),
      ...(e.dek ? { summary: clean(e.dek) } : {}),
      content_html: clean(e.html),
      date_published: e.published,
      date_modified: e.updated,
      tags: [clean(e.section)],
    })),
  });
}

export interface SitemapBeat {
  url: string;
  lastmod?: string;
}

/** Every published story and beat page (sitemaps hold at most 50,000 URLs: the caller caps). */
export function sitemap(o: { home: string; homeLastmod?: string; beats: SitemapBeat[]; stories: { url: string; updated: string }[] }): string {
  const url = (loc: string, lastmod?: string) => `<url><loc>${xml(loc)}</loc>${lastmod ? `<lastmod>${xml(lastmod)}</lastmod>` : ''}</url>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${[url(o.home, o.homeLastmod), ...o.beats.map((b) => url(b.url, b.lastmod)), ...o.stories.map((s) => url(s.url, s.updated))].join('\n')}
</urlset>
`;
}

/** Google News: the stories published in the last two days, at most 1,000. */
export function newsSitemap(site: SiteInfo, stories: { url: string; title: string; published: string }[]): string {
  const items = stories.map(
    (s) =>
      `<url><loc>${xml(s.url)}</loc><news:news><news:publication><news:name>${xml(site.name)}</news:name><news:language>en</news:language></news:publication><news:publication_date>${xml(s.published)}</news:publication_date><news:title>${xml(s.title)}</news:title></news:news></url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
${items.join('\n')}${items.length ? '\n' : ''}</urlset>
`;
}

export function robotsTxt(siteUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${siteUrl}/sitemap.xml\nSitemap: ${siteUrl}/news-sitemap.xml\n`;
}
