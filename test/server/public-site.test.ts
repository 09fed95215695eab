/**
 * The public site as a news site's readers, feed readers and crawlers meet it: chrome, share
 * metadata, feeds and sitemaps, parsed with real parsers (parse5, fast-xml-parser) and checked for
 * what their specs require, on both stores; hostile titles and deks leave every output well-formed.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse } from 'parse5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStory, sampleStory, startServer, stopPgCluster, STORE_KINDS, type TestServer } from './helpers.js';

afterAll(async () => {
  await stopPgCluster();
});

interface El {
  nodeName: string;
  tagName?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: El[];
  value?: string;
}

function elements(html: string, tag: string): El[] {
  const out: El[] = [];
  const walk = (n: El) => {
    if (n.tagName === tag) out.push(n);
    for (const c of n.childNodes ?? []) walk(c);
  };
  walk(parse(html) as unknown as El);
  return out;
}
const attr = (e: El, name: string) => e.attrs?.find((a) => a.name === name)?.value;
const text = (e: El): string => (e.nodeName === '#text' ? (e.value ?? '') : (e.childNodes ?? []).map(text).join(''));
function metaOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of elements(html, 'meta')) {
    const key = attr(m, 'property') ?? attr(m, 'name');
    if (key) out[key] = attr(m, 'content') ?? '';
  }
  return out;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['entry', 'url', 'link'].includes(name) });
function parseXml(body: string): Record<string, any> {
  expect(XMLValidator.validate(body)).toBe(true);
  return xml.parse(body);
}

const SITE_INFO = { name: 'The Daily Example', description: 'Open models, closely watched.' };
const HOSTILE_TITLE = 'Title </script><script>alert(1)</script> "quoted" & \'single\' <b>bold</b> ]]> \u0001\u0007\u001b end';
const HOSTILE_DEK = 'Dek <!-- --> </title></head><img src=x onerror=alert(1)> "\u0008" & more';

describe.each(STORE_KINDS)('the public site on the %s store', (kind) => {
  let s: TestServer;
  const iso = (daysAgo: number) => new Date(Date.now() - daysAgo * 86400_000).toISOString();
  let slugs = 0;
  const publish = async (over: Record<string, unknown> = {}, slug = `site-${++slugs}-${Date.now().toString(36)}`) => {
    const r = await putStory(s, slug, sampleStory({ status: 'published', ...over }), { token: s.tokens.publisher, ifNoneMatch: '*' });
    expect(r.status, await r.clone().text()).toBe(201);
    return slug;
  };

  beforeAll(async () => {
    s = await startServer({ kind, siteInfo: SITE_INFO });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('front and beat pages: the site name, the beats, a footer with the feeds, dek and date on each story, pagination links', async () => {
    for (let i = 0; i < 22; i++) await publish({ title: `Listed ${i}`, dek: `Dek number ${i}.`, published: new Date(Date.UTC(2031, 0, 1 + i)).toISOString() });
    const r = await fetch(`${s.url}/`);
    expect(r.headers.get('cache-control')).toBe('public, max-age=60');
    const html = await r.text();
    const header = elements(html, 'header').find((h) => attr(h, 'class') === 'site-header')!;
    expect(text(header)).toContain(SITE_INFO.name);
    const nav = elements(html, 'nav').find((n) => attr(n, 'aria-label') === 'Beats')!;
    expect(elements(html, 'a').filter((a) => attr(a, 'href')?.endsWith('/beats/open-source-ai')).length).toBeGreaterThan(0);
    expect(text(nav).length).toBeGreaterThan(0);
    const footer = elements(html, 'footer')[0]!;
    expect(text(footer)).toContain(SITE_INFO.description);
    expect(elements(html, 'link').map((l) => attr(l, 'type'))).toEqual(expect.arrayContaining(['application/atom+xml', 'application/feed+json']));
    const first = elements(html, 'li')[0]!;
    expect(text(first)).toContain('Listed 21');
    expect(text(first)).toContain('Dek number 21.');
    expect(text(first)).toContain('22 January 2031');
    const next = elements(html, 'a').find((a) => attr(a, 'rel') === 'next')!;
    expect(attr(next, 'href')).toBe('/?page=2');
    const p2 = await (await fetch(`${s.url}${attr(next, 'href')}`)).text();
    expect(
      attr(
        elements(p2, 'a').find((a) => attr(a, 'rel') === 'prev')!,
        'href',
      ),
    ).toBe('/');
    expect(
      elements(p2, 'link').find((l) => attr(l, 'rel') === 'canonical') &&
        attr(
          elements(p2, 'link').find((l) => attr(l, 'rel') === 'canonical')!,
          'href',
        ),
    ).toBe(`${s.url}/?page=2`);
    const beat = await (await fetch(`${s.url}/beats/open-source-ai`)).text();
    expect(
      attr(
        elements(beat, 'a').find((a) => attr(a, 'aria-current') === 'page')!,
        'href',
      ),
    ).toBe(`${s.url}/beats/open-source-ai`);
    expect(text(elements(beat, 'li')[0]!)).toContain('Dek number 21.');
    expect(elements(beat, 'link').some((l) => attr(l, 'href') === `${s.url}/beats/open-source-ai/feed.xml`)).toBe(true);
  });

  it('a story page carries description, canonical, Open Graph, a Twitter card and NewsArticle JSON-LD', async () => {
    const published = iso(1);
    const slug = await publish({ title: 'Share card headline', dek: 'What the card says.', published });
    const r = await fetch(`${s.url}/stories/${slug}`);
    const html = await r.text();
    const meta = metaOf(html);
    const url = `${s.url}/stories/${slug}`;
    expect(meta).toMatchObject({
      description: 'What the card says.',
      'og:title': 'Share card headline',
      'og:description': 'What the card says.',
      'og:type': 'article',
      'og:url': url,
      'article:published_time': published,
      'article:section': 'Open Source AI',
      'twitter:card': 'summary',
      'og:site_name': SITE_INFO.name,
    });
    expect(
      attr(
        elements(html, 'link').find((l) => attr(l, 'rel') === 'canonical')!,
        'href',
      ),
    ).toBe(url);
    const scripts = elements(html, 'script');
    expect(scripts.map((x) => attr(x, 'type'))).toEqual(['application/ld+json']);
    const ld = JSON.parse(text(scripts[0]!));
    const api = await (await fetch(`${s.url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${s.tokens.writer}` } })).json();
    expect(ld).toMatchObject({
      '@context': 'https://schema.org',
      '@type': 'NewsArticle',
      headline: 'Share card headline',
      datePublished: published,
      dateModified: api.updatedAt,
      articleSection: 'Open Source AI',
      url,
    });
    expect(text(elements(html, 'header').find((h) => attr(h, 'class') === 'site-header')!)).toContain(SITE_INFO.name);
  });

  it('Atom, JSON Feed and per-beat feeds: newest first, full body, stable ids, updated from the version; withdrawn stories leave', async () => {
    const a = await publish({ title: 'Feed older', published: iso(0.5), body: 'The older body with {{entity:openai}}.\n', citations: [] });
    const b = await publish({ title: 'Feed newer', published: iso(0.1), beat: 'ai-policy', body: 'The newer body[1].\n' });
    let atom = parseXml(await (await fetch(`${s.url}/feed.xml`)).text()).feed;
    expect(atom['@xmlns']).toBe('http://www.w3.org/2005/Atom');
    for (const required of ['id', 'title', 'updated', 'author']) expect(atom[required], required).toBeDefined();
    const titles = atom.entry.map((e: any) => e.title['#text'] ?? e.title);
    expect(titles.indexOf('Feed newer')).toBeLessThan(titles.indexOf('Feed older'));
    const entryA = atom.entry.find((e: any) => (e.title['#text'] ?? e.title) === 'Feed older');
    for (const required of ['id', 'title', 'updated', 'content', 'link', 'published']) expect(entryA[required], required).toBeDefined();
    expect(entryA.id).toBe(`${s.url}/stories/${a}`);
    expect(entryA.content['@type']).toBe('html');
    expect(entryA.content['#text']).toContain('The older body with');
    expect(entryA.content['#text']).toContain(`href="${s.url}/entities/openai"`);
    const apiA = await (await fetch(`${s.url}/api/v1/stories/${a}`, { headers: { authorization: `Bearer ${s.tokens.writer}` } })).json();
    expect(entryA.updated).toBe(apiA.updatedAt);
    // An update keeps the id and moves `updated`.
    expect(
      (
        await putStory(
          s,
          a,
          sampleStory({ status: 'published', title: 'Feed older', published: iso(0.5), body: 'The older body, corrected.\n', citations: [] }),
          { token: s.tokens.publisher, ifMatch: '"v1"' },
        )
      ).status,
    ).toBe(200);
    atom = parseXml(await (await fetch(`${s.url}/feed.xml`)).text()).feed;
    const again = atom.entry.find((e: any) => e.id === `${s.url}/stories/${a}`);
    expect(again.content['#text']).toContain('corrected');
    expect(again.updated > entryA.updated).toBe(true);

    const json = await (await fetch(`${s.url}/feed.json`)).json();
    expect(json.version).toBe('https://jsonfeed.org/version/1.1');
    expect(json.title).toBe(SITE_INFO.name);
    expect(json.feed_url).toBe(`${s.url}/feed.json`);
    const item = json.items.find((i: any) => i.id === `${s.url}/stories/${b}`);
    expect(item).toMatchObject({ url: `${s.url}/stories/${b}`, title: 'Feed newer', date_published: expect.any(String), date_modified: expect.any(String) });
    expect(item.content_html).toContain('The newer body');

    const beat = parseXml(await (await fetch(`${s.url}/beats/ai-policy/feed.xml`)).text()).feed;
    expect(beat.entry.map((e: any) => e.id)).toContain(`${s.url}/stories/${b}`);
    expect(beat.entry.map((e: any) => e.id)).not.toContain(`${s.url}/stories/${a}`);
    expect((await fetch(`${s.url}/beats/no-such-beat/feed.xml`)).status).toBe(404);

    const w = await fetch(`${s.url}/api/v1/stories/${b}`, { method: 'DELETE', headers: { authorization: `Bearer ${s.tokens.publisher}`, 'if-match': '"v1"' } });
    expect(w.status).toBe(200);
    expect(JSON.stringify(parseXml(await (await fetch(`${s.url}/feed.xml`)).text()))).not.toContain(`/stories/${b}`);
    expect((await (await fetch(`${s.url}/feed.json`)).json()).items.map((i: any) => i.id)).not.toContain(`${s.url}/stories/${b}`);
    expect(parseXml(await (await fetch(`${s.url}/beats/ai-policy/feed.xml`)).text()).feed.entry ?? []).not.toContainEqual(
      expect.objectContaining({ id: `${s.url}/stories/${b}` }),
    );
  });

  it('sitemap, Google News sitemap of the last 48 hours, robots.txt; ETag and Cache-Control on each, 304 when unchanged', async () => {
    const fresh = await publish({ title: 'News fresh', published: iso(0.2) });
    const old = await publish({ title: 'News old', published: iso(3) });
    const map = parseXml(await (await fetch(`${s.url}/sitemap.xml`)).text()).urlset;
    expect(map['@xmlns']).toBe('http://www.sitemaps.org/schemas/sitemap/0.9');
    const locs = map.url.map((u: any) => u.loc);
    expect(locs).toEqual(expect.arrayContaining([`${s.url}/`, `${s.url}/stories/${fresh}`, `${s.url}/stories/${old}`, `${s.url}/beats/open-source-ai`]));
    for (const u of map.url.filter((u: any) => u.loc.includes('/stories/'))) expect(Number.isNaN(Date.parse(u.lastmod))).toBe(false);
    const news = parseXml(await (await fetch(`${s.url}/news-sitemap.xml`)).text()).urlset;
    expect(news['@xmlns:news']).toBe('http://www.google.com/schemas/sitemap-news/0.9');
    const newsLocs = news.url.map((u: any) => u.loc);
    expect(newsLocs).toContain(`${s.url}/stories/${fresh}`);
    expect(newsLocs).not.toContain(`${s.url}/stories/${old}`);
    const entry = news.url.find((u: any) => u.loc === `${s.url}/stories/${fresh}`)['news:news'];
    expect(entry['news:publication']).toEqual({ 'news:name': SITE_INFO.name, 'news:language': 'en' });
    expect(entry['news:title']).toBe('News fresh');
    expect(Number.isNaN(Date.parse(entry['news:publication_date']))).toBe(false);
    const robots = await (await fetch(`${s.url}/robots.txt`)).text();
    expect(robots).toContain(`Sitemap: ${s.url}/sitemap.xml`);
    expect(robots).toContain(`Sitemap: ${s.url}/news-sitemap.xml`);
    for (const path of [
      '/',
      '/feed.xml',
      '/feed.json',
      '/beats/open-source-ai/feed.xml',
      '/sitemap.xml',
      '/news-sitemap.xml',
      '/robots.txt',
      `/stories/${fresh}`,
    ]) {
      const r = await fetch(`${s.url}${path}`);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control'), path).toBe('public, max-age=60');
      const etag = r.headers.get('etag');
      expect(etag, path).toMatch(/^"[^"]+"$/);
      expect((await fetch(`${s.url}${path}`, { headers: { 'if-none-match': etag! } })).status, path).toBe(304);
    }
    // A publication changes every list's ETag at once.
    const before = (await fetch(`${s.url}/feed.xml`)).headers.get('etag');
    await publish({ title: 'Moves the feed', published: iso(0) });
    expect((await fetch(`${s.url}/feed.xml`, { headers: { 'if-none-match': before! } })).status).toBe(200);
  });

  it('hostile titles and deks (markup, quotes, </script>, control characters) leave every page, feed and sitemap well-formed and inert', async () => {
    const slug = await publish({ title: HOSTILE_TITLE, dek: HOSTILE_DEK, published: iso(0) });
    const plainTitle = HOSTILE_TITLE.replace(/[\u0000-\u001f]/g, '');
    const plainDek = HOSTILE_DEK.replace(/[\u0000-\u001f]/g, '');
    for (const path of [`/stories/${slug}`, '/', '/beats/open-source-ai']) {
      const html = await (await fetch(`${s.url}${path}`)).text();
      expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
      const scripts = elements(html, 'script');
      expect(
        scripts.every((x) => attr(x, 'type') === 'application/ld+json'),
        path,
      ).toBe(true);
      expect(elements(html, 'img'), path).toEqual([]);
      if (path.startsWith('/stories/')) {
        expect(scripts).toHaveLength(1);
        const ld = JSON.parse(text(scripts[0]!));
        expect(ld.headline).toBe(plainTitle);
        expect(ld.description).toBe(plainDek);
        const meta = metaOf(html);
        expect(meta['og:title']).toBe(plainTitle);
        expect(meta.description).toBe(plainDek);
        expect(text(elements(html, 'title')[0]!)).toBe(plainTitle);
      }
    }
    for (const path of ['/feed.xml', '/beats/open-source-ai/feed.xml', '/sitemap.xml', '/news-sitemap.xml']) {
      const body = await (await fetch(`${s.url}${path}`)).text();
      expect(XMLValidator.validate(body), path).toBe(true);
      expect(body).not.toContain('<script');
    }
    const atom = parseXml(await (await fetch(`${s.url}/feed.xml`)).text()).feed;
    const e = atom.entry.find((x: any) => x.id === `${s.url}/stories/${slug}`);
    expect(e.title['#text'] ?? e.title).toBe(plainTitle);
    expect(e.summary['#text'] ?? e.summary).toBe(plainDek);
    const news = parseXml(await (await fetch(`${s.url}/news-sitemap.xml`)).text()).urlset;
    expect(news.url.find((u: any) => u.loc === `${s.url}/stories/${slug}`)).toBeDefined();
    const json = await (await fetch(`${s.url}/feed.json`)).json();
    expect(json.items.find((i: any) => i.id === `${s.url}/stories/${slug}`).title).toBe(plainTitle);
  });
});
