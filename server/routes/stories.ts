import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { hasErrors, referenceUrl } from '../../shared/index.js';
import { idempotencyKeySchema, roleForStatus } from '../../shared/protocol/index.js';
import { requireRole, tokenOf } from '../auth.js';
import { etagFor, jsonResponse, type ServerContext, type WireResponse } from '../context.js';
import { badRequest, HttpError, notFound } from '../errors.js';
import { describeZodError, IF_MATCH, pageQuerySchema, slugParamSchema, storyPutBodySchema } from '../schemas.js';
import type { PutStoryResult, StoredStory, StoryFieldsRecord } from '../store/store.js';
import { sendWire } from './send.js';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** `{ expected }`: null for `If-None-Match: *`, N for `If-Match: "vN"`; 428 for anything else. */
function precondition(req: FastifyRequest, allowCreate: boolean): number | null {
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  const required = (message: string) => new HttpError(428, 'precondition_required', message);
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw required('send exactly one of If-None-Match: * and If-Match: "v<N>"');
  if (ifMatch !== undefined) {
    const m = IF_MATCH.exec(ifMatch.trim());
    if (!m) throw required('If-Match must be "v<N>", the version last seen');
    return Number(m[1]);
  }
  if (ifNoneMatch !== undefined && allowCreate) {
    if (ifNoneMatch.trim() !== '*') throw required('If-None-Match must be *');
    return null;
  }
  throw required(allowCreate ? 'send If-None-Match: * to create or If-Match: "v<N>" to update' : 'send If-Match: "v<N>"');
}

function slugFrom(raw: string, kind: 'bad' | 'missing'): string {
  const r = slugParamSchema.safeParse(raw);
  if (!r.success) throw kind === 'bad' ? badRequest('the slug in the path is not a valid slug') : notFound('no such story');
  return r.data;
}

function currentOf(s: StoredStory) {
  return { version: s.version, status: s.status, story: s.story, updatedAt: s.updatedAt };
}

export const storyRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  const answer = (r: PutStoryResult & { ok: true }, slug: string): WireResponse =>
    jsonResponse(
      r.created ? 201 : 200,
      { slug, version: r.version, status: r.status, url: referenceUrl(ctx.site(), 'story', slug), updatedAt: r.updatedAt },
      { etag: etagFor(r.version) },
    );
  const conflict = (current: StoredStory | null, slug: string): WireResponse =>
    jsonResponse(412, {
      error: 'version_conflict',
      message: current ? `the story "${slug}" is at version ${current.version}` : `there is no story "${slug}" yet`,
      ...(current ? { current: currentOf(current) } : {}),
    });

  app.get('/api/v1/stories', async (req, reply) => {
    tokenOf(req); // the onRequest hook authenticates; this makes sure no route is reached without it
    const q = pageQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest(`bad query: ${describeZodError(q.error)}`);
    const page = await store.storyChanges(Number(q.data.since ?? 0), q.data.limit ?? 1000);
    const items = page.items.map((i) => ({ slug: i.slug, version: i.version, status: i.status, updatedAt: i.updatedAt }));
    return sendWire(reply, jsonResponse(200, { items, cursor: page.cursor, hasMore: page.hasMore }));
  });

  app.get<{ Params: { slug: string } }>('/api/v1/stories/:slug', async (req, reply) => {
    tokenOf(req);
    const slug = slugFrom(req.params.slug, 'missing');
    const s = await store.getStory(slug);
    if (!s) throw notFound(`no story "${slug}"`);
    const body = { slug, version: s.version, status: s.status, story: s.story, url: referenceUrl(ctx.site(), 'story', slug), updatedAt: s.updatedAt };
    return sendWire(reply, jsonResponse(200, body, { etag: etagFor(s.version) }));
  });

  app.put<{ Params: { slug: string } }>('/api/v1/stories/:slug', async (req, reply) => {
    const token = tokenOf(req);
    const slug = slugFrom(req.params.slug, 'bad');
    const keyHeader = header(req, 'idempotency-key');
    const key = idempotencyKeySchema.safeParse(keyHeader);
    if (!key.success) {
      throw new HttpError(400, 'idempotency_key_required', 'an Idempotency-Key header of 1 to 200 printable ASCII characters is required');
    }
    const expected = precondition(req, true);
    const parsed = storyPutBodySchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(`the story does not fit the shape: ${describeZodError(parsed.error)}`);
    const body = parsed.data;
    requireRole(token, roleForStatus(body.status), `put a story with status "${body.status}"`);

    const now = new Date().toISOString();
    const scope = { owner: token.name, key: key.data };
    const bodyHash = createHash('sha256').update(req.rawBody ?? JSON.stringify(req.body)).digest('hex');
    const fingerprint = createHash('sha256')
      .update(['PUT', req.url, bodyHash, header(req, 'if-match') ?? '', header(req, 'if-none-match') ?? ''].join('\n'))
      .digest('hex');
    const begun = await store.beginIdempotent(scope, fingerprint, now);
    if (begun.state === 'reused') {
      throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    }
    if (begun.state === 'in_flight') {
      reply.header('retry-after', '1');
      throw new HttpError(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed; retry later');
    }
    if (begun.state === 'done') return sendWire(reply, begun.response, { 'idempotent-replayed': 'true' });

    try {
      let published = body.published;
      if (published === undefined && body.status === 'published') {
        // Published again without a date: it keeps the one it has (its state holds it), else now.
        const current = expected !== null ? await store.getStoryState(slug) : null;
        published = current?.status === 'published' && current.published ? current.published : now;
      }
      const fields: StoryFieldsRecord = {
        slug,
        title: body.title,
        ...(body.dek !== undefined ? { dek: body.dek } : {}),
        beat: body.beat,
        body: body.body,
        citations: body.citations,
        status: body.status,
        ...(published !== undefined ? { published } : {}),
      };
      const { text, diagnostics, refs } = await ctx.checker.check({ slug, body, published });
      if (hasErrors(diagnostics)) {
        const r = jsonResponse(422, {
          error: 'invalid_story',
          message: `the story has ${diagnostics.filter((d) => d.severity === 'error').length} error(s)`,
          diagnostics,
        });
        await store.completeIdempotent(scope, r);
        return sendWire(reply, r);
      }
      let sent: WireResponse | undefined;
      await store.putStory({
        slug,
        expectedVersion: expected,
        story: fields,
        text,
        refs,
        author: token.name,
        now,
        idempotency: {
          ...scope,
          respond: (result) => (sent = result.ok ? answer(result, slug) : conflict(result.current, slug)),
        },
      });
      return sendWire(reply, sent!);
    } catch (e) {
      await store.abandonIdempotent(scope).catch(() => undefined);
      throw e;
    }
  });

  app.delete<{ Params: { slug: string } }>('/api/v1/stories/:slug', async (req, reply) => {
    const token = tokenOf(req);
    requireRole(token, 'publisher', 'withdraw a story');
    const slug = slugFrom(req.params.slug, 'bad');
    const expected = precondition(req, false);
    const result = await store.withdrawStory(slug, expected!, token.name, new Date().toISOString());
    if (!result.ok) {
      if (result.reason === 'not_found') throw notFound(`no story "${slug}"`);
      return sendWire(reply, conflict(result.current, slug));
    }
    return sendWire(reply, answer({ ...result, created: false }, slug));
  });
};
