import type { FastifyPluginAsync } from 'fastify';
import { referenceUrl } from '../../shared/index.js';
import { describeZodError, etagFor, roleForPut, roleForStatus, roleForTarget, storyPutBodySchema } from '../../shared/protocol/index.js';
import { requireRole, tokenOf } from '../auth.js';
import { jsonResponse, type ServerContext, type WireResponse } from '../context.js';
import { badRequest, notFound } from '../errors.js';
import { pageQuerySchema, slugParamSchema } from '../schemas.js';
import type { PutStoryResult, StoredStory, StoryFieldsRecord } from '../store/store.js';
import { CheckLimitError } from '../story-checker.js';
import { idempotencyKey, idempotentWrite, precondition } from './idempotent.js';
import { sendWire } from './send.js';

/** On a kept 412 (never sent): the version whose story a replay puts back. */
const KEPT_STORY_VERSION = 'x-kept-story-version';

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

  /**
   * A 412 carries the whole current story, up to a megabyte: what is kept for replays names the
   * version instead, and a replay rebuilds the same bytes from it (versions never change).
   */
  const keptConflict = (current: StoredStory, slug: string): WireResponse => {
    const full = JSON.parse(conflict(current, slug).body) as { current: Record<string, unknown> };
    delete full.current.story;
    return jsonResponse(412, full, { [KEPT_STORY_VERSION]: String(current.version) });
  };
  const expandKept =
    (slug: string) =>
    async (kept: WireResponse): Promise<WireResponse> => {
      const version = kept.headers[KEPT_STORY_VERSION];
      if (version === undefined) return kept;
      const story = await store.getStoryVersion(slug, Number(version));
      if (!story) throw new Error(`the version ${version} of "${slug}" that a kept 412 names is gone`);
      return conflict(story, slug);
    };

  app.get('/api/v1/stories', async (req, reply) => {
    tokenOf(req); // the onRequest hook authenticates; this makes sure no route is reached without it
    const q = pageQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest(`bad query: ${describeZodError(q.error, req.query)}`);
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
    const key = idempotencyKey(req);
    const expected = precondition(req, true);
    const parsed = storyPutBodySchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(`the story does not fit the shape: ${describeZodError(parsed.error, req.body)}`);
    const body = parsed.data;
    requireRole(token, roleForStatus(body.status), `put a story with status "${body.status}"`);

    return idempotentWrite(
      req,
      reply,
      store,
      token,
      key,
      async (scope, now) => {
        // Decided on the state the If-Match names: if it changes before the write, the write is a 412.
        const current = expected !== null ? await store.getStoryState(slug) : null;
        if (current && roleForPut(current.status, body.status) !== roleForStatus(body.status)) {
          requireRole(
            token,
            roleForPut(current.status, body.status),
            `change a ${current.status} story (only a publisher may change what is on the public site or was taken off it)`,
          );
        }
        let published = body.published;
        if (published === undefined && body.status === 'published') {
          // Published again without a date: it keeps the one it has (its state holds it), else now.
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
        const checked = await ctx.checker.check({ slug, body, published }).catch((e: unknown) => {
          if (!(e instanceof CheckLimitError)) throw e;
          // Refused like any story with an error: the writer sees why, and a retry would fare the same.
          const finding = {
            rule: 'check-limit',
            severity: 'error' as const,
            message: `${e.message}: shorten it or split it`,
            line: 1,
            column: 1,
            from: 0,
            to: 0,
          };
          return { text: '', diagnostics: [finding], diagnosticsTotal: 1, errorCount: 1, refs: [] };
        });
        const { text, diagnostics, diagnosticsTotal, errorCount, refs } = checked;
        if (errorCount > 0) {
          const r = jsonResponse(422, {
            error: 'invalid_story',
            message: `the story has ${errorCount} error(s)${diagnosticsTotal > diagnostics.length ? `; the first ${diagnostics.length} of ${diagnosticsTotal} diagnostics are listed` : ''}`,
            diagnostics,
            diagnosticsTotal,
          });
          await store.completeIdempotent(scope, r);
          return r;
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
            respond: (result) => {
              if (result.ok) return (sent = answer(result, slug));
              sent = conflict(result.current, slug);
              return result.current ? keptConflict(result.current, slug) : sent;
            },
          },
        });
        return sent!;
      },
      expandKept(slug),
    );
  });

  app.delete<{ Params: { slug: string } }>('/api/v1/stories/:slug', async (req, reply) => {
    const token = tokenOf(req);
    requireRole(token, roleForTarget('withdrawn'), 'withdraw a story');
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
