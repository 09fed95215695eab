/** The public site: published stories only, as the readers see them. No script on any page. */
import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { parseStory, renderHtml, toPlainText } from '../../shared/index.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../errors.js';
import { storyList } from '../html.js';
import { slugParamSchema } from '../schemas.js';

export const PAGE_SIZE = 20;
const CACHE_CONTROL = 'public, max-age=60';
const CACHE_LIMIT = 500;

const notFound = () => new HttpError(404, 'not_found', 'There is no published story here.');

/** Sends a page with a strong ETag of its bytes; a matching If-None-Match gets 304. */
function sendPage(req: FastifyRequest, reply: FastifyReply, type: string, text: string, etag?: string): FastifyReply {
  const tag = etag ?? `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  reply.header('etag', tag).header('cache-control', CACHE_CONTROL).type(type);
  const inm = req.headers['if-none-match'];
  if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === tag)) return reply.code(304).send();
  return reply.send(text);
}

function pageNumber(raw: unknown): number {
  if (raw === undefined) return 1;
  if (typeof raw !== 'string' || !/^[1-9][0-9]{0,6}$/.test(raw)) throw new HttpError(400, 'bad_request', 'page must be a positive whole number');
  return Number(raw);
}

export const pageRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  /** Rendered article pages by slug, version, catalog version and site. */
  const cache = new Map<string, { text: string; etag: string }>();

  // Browsers ask for it on every page; there is none, and "none" should not be an error.
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());

  app.get<{ Querystring: { page?: string } }>('/', async (req, reply) => {
    const page = pageNumber(req.query.page);
    const { index } = await store.catalog();
    const { items, total } = await store.publishedStories((page - 1) * PAGE_SIZE, PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    if (page > pages) throw new HttpError(404, 'not_found', `There is no page ${page}.`);
    const html = storyList(ctx.site(), 'Stories', items, (b) => index.beats.get(b)?.name ?? b, { page, pages, base: '/' });
    return sendPage(req, reply, 'text/html; charset=utf-8', html);
  });

  app.get<{ Params: { slug: string } }>('/stories/:slug', async (req, reply) => {
    const raw = req.params.slug;
    const txt = raw.endsWith('.txt');
    const parsed = slugParamSchema.safeParse(txt ? raw.slice(0, -4) : raw);
    if (!parsed.success) throw notFound();
    const slug = parsed.data;
    // The version and status first: a cached page needs nothing more from the database.
    const state = await store.getStoryState(slug);
    if (!state || (state.status !== 'published' && state.status !== 'withdrawn')) throw notFound();
    if (state.status === 'withdrawn') throw new HttpError(410, 'gone', 'This story has been withdrawn.');
    const { index, version } = await store.catalog();
    const site = ctx.site();
    const key = `${txt ? 't' : 'h'}:${slug}:${state.version}:${version}:${site}`;
    let hit = cache.get(key);
    if (!hit) {
      const s = await store.getStoryVersion(slug, state.version);
      if (!s) throw notFound();
      const story = parseStory(s.text);
      const text = txt ? toPlainText(story, index, { site }) : renderHtml(story, { catalog: index, site, standalone: true });
      hit = { text, etag: `"${txt ? 't' : 'h'}${s.version}-${version}-${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"` };
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
      cache.set(key, hit);
    }
    return sendPage(req, reply, txt ? 'text/plain; charset=utf-8' : 'text/html; charset=utf-8', hit.text, hit.etag);
  });

  // A beat's and an entity's pages list their published stories the same way.
  for (const kind of ['beat', 'entity'] as const) {
    const folder = kind === 'beat' ? 'beats' : 'entities';
    app.get<{ Params: { slug: string }; Querystring: { page?: string } }>(`/${folder}/:slug`, async (req, reply) => {
      const parsed = slugParamSchema.safeParse(req.params.slug);
      if (!parsed.success) throw notFound();
      const page = pageNumber(req.query.page);
      const { index } = await store.catalog();
      const item = (kind === 'beat' ? index.beats : index.entities).get(parsed.data);
      const { items, total } = await store.publishedStories((page - 1) * PAGE_SIZE, PAGE_SIZE, { [kind]: parsed.data });
      if (!item && total === 0) throw new HttpError(404, 'not_found', `There is no such ${kind}.`);
      const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
      if (page > pages) throw new HttpError(404, 'not_found', `There is no page ${page}.`);
      const html = storyList(ctx.site(), item?.name ?? parsed.data, items, (b) => index.beats.get(b)?.name ?? b, { page, pages, base: `/${folder}/${parsed.data}` });
      return sendPage(req, reply, 'text/html; charset=utf-8', html);
    });
  }
};
