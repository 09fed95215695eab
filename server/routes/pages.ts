/**
 * The public site: published stories only, as the readers see them, with their feeds, sitemaps and
 * robots.txt. No executable script on any page.
 *
 * Every answer is cached in this process by what it was made from, read from the store at each
 * request: a list, a feed or a sitemap by the catalog's version (which moves with every change to
 * what is published: a publication, an update of a published story, a withdrawal); a story's page
 * and its body in a feed by the story's version and by what the catalog says about the items that
 * page names (its references, the beats). So several instances sharing a database answer alike at
 * the next request after a write on any of them (no stale 200 after a 410), and a publication
 * renders again only the pages it can change: a 1 MB story is not rendered again, on the event
 * loop, each time another story is published.
 */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import {
  catalogFingerprint,
  parseStory,
  recordCatalogReads,
  referenceUrl,
  renderHtml,
  toPlainText,
  type CatalogIndex,
  type CatalogReads,
} from '../../shared/index.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { storyList, withChrome, type SiteChrome } from '../html.js';
import { slugParamSchema } from '../schemas.js';
import { articleHead, atomFeed, jsonFeed, newsSitemap, robotsTxt, sitemap, type FeedEntry } from '../site/index.js';
import type { PublishedEntry } from '../store/store.js';

export const PAGE_SIZE = 20;
/** How many stories a feed carries. */
export const FEED_SIZE = 30;
/** A sitemap holds at most 50,000 URLs (sitemaps.org). */
const SITEMAP_LIMIT = 49_000;
/** Google News sitemaps: the last two days, at most 1,000. */
const NEWS_WINDOW_MS = 48 * 3600_000;
const NEWS_LIMIT = 1000;
const CACHE_CONTROL = 'public, max-age=60';
const CACHE_LIMIT = 500;

/** Puts an answer in a cache of at most CACHE_LIMIT, the oldest going first when full. */
function keep<T>(cache: Map<string, T>, key: string, value: T): void {
  cache.delete(key);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
}

const notFound = () => new HttpError(404, 'not_found', 'There is no published story here.');

interface Cached {
  text: string;
  etag: string;
  /** The text as sent, encoded once on first use (a page is 10-20 KB: encoding it each time shows). */
  bytes?: Buffer;
}

/** A story rendered once: what it read from the catalog, and the catalog's answer then. */
interface Rendered extends Cached {
  reads: CatalogReads;
  fingerprint: string;
  /** The catalog version the fingerprint was last found good at (checked again when it moves). */
  checkedAt: number;
}

const etagOf = (text: string, prefix = '') => `"${prefix}${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;

/** Sends a cached answer with its ETag; a matching If-None-Match gets 304. */
function sendCached(req: FastifyRequest, reply: FastifyReply, type: string, hit: Cached): FastifyReply {
  reply.header('etag', hit.etag).header('cache-control', CACHE_CONTROL).type(type);
  const inm = req.headers['if-none-match'];
  if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === hit.etag)) return reply.code(304).send();
  hit.bytes ??= Buffer.from(hit.text, 'utf8');
  return reply.send(hit.bytes);
}

function pageNumber(raw: unknown): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,6}$/.test(raw)) throw new HttpError(400, 'bad_request', 'page must be a positive whole number');
  return Number(raw);
}

const HTML = 'text/html; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';
const XML = 'application/xml; charset=utf-8';

export const pageRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  /** Answers by what they were made from (see the header); the oldest goes first when full. */
  const cache = new Map<string, Cached>();
  const remember = (key: string, make: () => Cached): Cached => {
    let hit = cache.get(key);
    if (!hit) {
      hit = make();
      keep(cache, key, hit);
    }
    return hit;
  };
  /** Like `remember`, for answers that need the store to be made. */
  const rememberAsync = async (key: string, make: () => Promise<Cached>): Promise<Cached> => {
    const hit = cache.get(key);
    if (hit) return hit;
    const made = await make();
    return remember(key, () => made);
  };

  /**
   * Story renders by story version (and kind of answer and site), good while the catalog gives
   * the same fingerprint for what the render read. Checking costs time in the page's references,
   * once per catalog version; rendering, in the story's size.
   */
  const rendered = new Map<string, Rendered>();
  const renderedAt = async (key: string, index: CatalogIndex, version: number, make: (index: CatalogIndex) => Promise<Cached>): Promise<Rendered> => {
    let hit = rendered.get(key);
    if (hit && hit.checkedAt !== version) {
      if (catalogFingerprint(index, hit.reads) === hit.fingerprint) hit.checkedAt = version;
      else hit = undefined;
    }
    if (hit) return hit;
    const recording = recordCatalogReads(index);
    const made = await make(recording.index);
    hit = { ...made, reads: recording.reads, fingerprint: catalogFingerprint(index, recording.reads), checkedAt: version };
    keep(rendered, key, hit);
    return hit;
  };

  const chromeOf = (index: CatalogIndex, current?: string): SiteChrome => ({
    site: ctx.site(),
    info: ctx.siteInfo,
    beats: [...index.beats.values()].map((b) => ({ slug: b.slug, name: b.name })),
    ...(current ? { current } : {}),
  });
  const beatNameIn = (index: CatalogIndex) => (b: string) => index.beats.get(b)?.name ?? b;

  /** The rendered body of a published story for a feed (cached as a story page is). */
  const feedEntry = async (e: PublishedEntry, index: CatalogIndex, catalogVersion: number, site: string): Promise<FeedEntry> => {
    const { text: html } = await renderedAt(`body:${e.slug}:${e.version}:${site}`, index, catalogVersion, async (catalog) => ({
      text: renderHtml(parseStory(e.text ?? ''), { catalog, site }),
      etag: '',
    }));
    return {
      url: referenceUrl(site, 'story', e.slug),
      title: e.title,
      ...(e.dek ? { dek: e.dek } : {}),
      section: beatNameIn(index)(e.beat),
      published: e.published,
      updated: e.updatedAt,
      html,
    };
  };

  // Browsers ask for it on every page; there is none, and "none" should not be an error.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  app.get<{ Querystring: { page?: string } }>('/', async (req, reply) => {
    const page = pageNumber(req.query.page);
    const { index, version } = await store.catalog();
    const site = ctx.site();
    const hit = await rememberAsync(`front:${page}:${version}:${site}`, async () => {
      const { items, total } = await store.publishedStories((page - 1) * PAGE_SIZE, PAGE_SIZE);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      if (page > pages) throw new HttpError(404, 'not_found', `There is no page ${page}.`);
      // The header names the site; the front page's own heading says what it lists.
      const html = storyList(chromeOf(index), 'Latest stories', items, beatNameIn(index), { page, pages, base: '/' }, ctx.siteInfo.description || undefined);
      return { text: html, etag: etagOf(html) };
    });
    return sendCached(req, reply, HTML, hit);
  });

  app.get<{ Params: { slug: string } }>('/stories/:slug', async (req, reply) => {
    const raw = req.params.slug;
    const txt = raw.endsWith('.txt');
    const parsed = slugParamSchema.safeParse(txt ? raw.slice(0, -4) : raw);
    if (!parsed.success) throw notFound();
    const slug = parsed.data;
    // The story's version and status and the catalog's version: a cached page needs nothing more
    // from the database (both asked at once: on PostgreSQL, two queries in flight together).
    const [state, { index, version }] = await Promise.all([store.getStoryState(slug), store.catalog()]);
    if (!state || (state.status !== 'published' && state.status !== 'withdrawn')) throw notFound();
    if (state.status === 'withdrawn') throw new HttpError(410, 'gone', 'This story has been withdrawn.');
    const site = ctx.site();
    const hit = await renderedAt(`${txt ? 't' : 'h'}:${slug}:${state.version}:${site}`, index, version, async (catalog) => {
      const s = await store.getStoryVersion(slug, state.version);
      if (!s) throw notFound();
      const story = parseStory(s.text);
      let text: string;
      if (txt) text = toPlainText(story, catalog, { site });
      else {
        const section = s.story.beat ? beatNameIn(catalog)(s.story.beat) : undefined;
        const head = articleHead(ctx.siteInfo, {
          url: referenceUrl(site, 'story', slug),
          title: s.story.title,
          ...(s.story.dek ? { dek: s.story.dek } : {}),
          ...(section ? { section } : {}),
          ...(s.story.published ? { published: s.story.published } : {}),
          modified: s.updatedAt,
        });
        text = withChrome(renderHtml(story, { catalog, site, standalone: true }), chromeOf(catalog, s.story.beat), head);
      }
      // By the text alone: a page the catalog's changes left alone keeps its ETag (a 304 still).
      return { text, etag: etagOf(text, `${txt ? 't' : 'h'}${s.version}-`) };
    });
    return sendCached(req, reply, txt ? 'text/plain; charset=utf-8' : HTML, hit);
  });

  // A beat's and an entity's pages list their published stories the same way.
  for (const kind of ['beat', 'entity'] as const) {
    const folder = kind === 'beat' ? 'beats' : 'entities';
    app.get<{ Params: { slug: string }; Querystring: { page?: string } }>(`/${folder}/:slug`, async (req, reply) => {
      const parsed = slugParamSchema.safeParse(req.params.slug);
      if (!parsed.success) throw notFound();
      const page = pageNumber(req.query.page);
      const { index, version } = await store.catalog();
      const site = ctx.site();
      const hit = await rememberAsync(`${kind}:${parsed.data}:${page}:${version}:${site}`, async () => {
        const item = (kind === 'beat' ? index.beats : index.entities).get(parsed.data);
        const { items, total } = await store.publishedStories((page - 1) * PAGE_SIZE, PAGE_SIZE, { [kind]: parsed.data });
        if (!item && total === 0) throw new HttpError(404, 'not_found', `There is no such ${kind}.`);
        const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
        if (page > pages) throw new HttpError(404, 'not_found', `There is no page ${page}.`);
        const intro = item && 'description' in item && typeof item.description === 'string' ? item.description : undefined;
        const chrome = chromeOf(index, kind === 'beat' ? parsed.data : undefined);
        const html = storyList(chrome, item?.name ?? parsed.data, items, beatNameIn(index), { page, pages, base: `/${folder}/${parsed.data}` }, intro);
        return { text: html, etag: etagOf(html) };
      });
      return sendCached(req, reply, HTML, hit);
    });
  }

  // ---- feeds

  const feed = async (req: FastifyRequest, reply: FastifyReply, format: 'atom' | 'json', beat?: string) => {
    const { index, version } = await store.catalog();
    const site = ctx.site();
    if (beat !== undefined && !index.beats.has(beat)) throw new HttpError(404, 'not_found', 'There is no such beat.');
    const hit = await rememberAsync(`feed:${format}:${beat ?? ''}:${version}:${site}`, async () => {
      const published = await store.publishedEntries(FEED_SIZE, { withText: true, ...(beat !== undefined ? { beat } : {}) });
      const entries: FeedEntry[] = [];
      for (const e of published) entries.push(await feedEntry(e, index, version, site));
      const beatName = beat !== undefined ? beatNameIn(index)(beat) : undefined;
      const o = {
        title: beatName ? `${ctx.siteInfo.name}: ${beatName}` : ctx.siteInfo.name,
        home: beat !== undefined ? referenceUrl(site, 'beat', beat) : `${site}/`,
        self: beat !== undefined ? `${site}/beats/${beat}/feed.xml` : `${site}/feed.${format === 'atom' ? 'xml' : 'json'}`,
        entries,
      };
      const text = format === 'atom' ? atomFeed(ctx.siteInfo, o) : jsonFeed(ctx.siteInfo, o);
      return { text, etag: etagOf(text) };
    });
    return sendCached(req, reply, format === 'atom' ? ATOM : 'application/feed+json; charset=utf-8', hit);
  };
  app.get('/feed.xml', (req, reply) => feed(req, reply, 'atom'));
  app.get('/feed.json', (req, reply) => feed(req, reply, 'json'));
  app.get<{ Params: { slug: string } }>('/beats/:slug/feed.xml', (req, reply) => {
    const parsed = slugParamSchema.safeParse(req.params.slug);
    if (!parsed.success) throw new HttpError(404, 'not_found', 'There is no such beat.');
    return feed(req, reply, 'atom', parsed.data);
  });

  // ---- sitemaps and robots.txt

  app.get('/sitemap.xml', async (req, reply) => {
    const { index, version } = await store.catalog();
    const site = ctx.site();
    const hit = await rememberAsync(`sitemap:${version}:${site}`, async () => {
      const stories = await store.publishedEntries(SITEMAP_LIMIT);
      const newest = new Map<string, string>();
      for (const s of stories) if ((newest.get(s.beat) ?? '') < s.updatedAt) newest.set(s.beat, s.updatedAt);
      const text = sitemap({
        home: `${site}/`,
        ...(stories.length ? { homeLastmod: stories.reduce((m, s) => (s.updatedAt > m ? s.updatedAt : m), '') } : {}),
        beats: [...index.beats.keys()].map((b) => ({ url: referenceUrl(site, 'beat', b), ...(newest.has(b) ? { lastmod: newest.get(b)! } : {}) })),
        stories: stories.map((s) => ({ url: referenceUrl(site, 'story', s.slug), updated: s.updatedAt })),
      });
      return { text, etag: etagOf(text) };
    });
    return sendCached(req, reply, XML, hit);
  });

  app.get('/news-sitemap.xml', async (req, reply) => {
    const { version } = await store.catalog();
    const site = ctx.site();
    // The window moves with time as well as with publications: made again at most every minute.
    const minute = Math.floor(Date.now() / 60_000);
    const hit = await rememberAsync(`news:${version}:${minute}:${site}`, async () => {
      const since = new Date(minute * 60_000 - NEWS_WINDOW_MS).toISOString();
      const stories = await store.publishedEntries(NEWS_LIMIT, { publishedSince: since });
      const text = newsSitemap(
        ctx.siteInfo,
        stories.map((s) => ({ url: referenceUrl(site, 'story', s.slug), title: s.title, published: s.published })),
      );
      return { text, etag: etagOf(text) };
    });
    return sendCached(req, reply, XML, hit);
  });

  app.get('/robots.txt', async (req, reply) => {
    const site = ctx.site();
    const hit = remember(`robots:${site}`, () => {
      const text = robotsTxt(site);
      return { text, etag: etagOf(text) };
    });
    return sendCached(req, reply, 'text/plain; charset=utf-8', hit);
  });
};
