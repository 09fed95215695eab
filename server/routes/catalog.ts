import type { FastifyPluginAsync } from 'fastify';
import { requireRole, tokenOf } from '../auth.js';
import { jsonResponse, type ServerContext } from '../context.js';
import { badRequest } from '../errors.js';
import { CATALOG_EDIT_ROLE, describeZodError } from '../../shared/protocol/index.js';
import { entityPutBodySchema, pageQuerySchema, slugParamSchema } from '../schemas.js';
import { sendWire } from './send.js';

export const catalogRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const { store } = ctx;

  app.get('/api/v1/catalog', async (req, reply) => {
    tokenOf(req); // the onRequest hook authenticates; this makes sure no route is reached without it
    const q = pageQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest(`bad query: ${describeZodError(q.error)}`);
    const page = await store.catalogChanges(Number(q.data.since ?? 0), q.data.limit ?? 1000);
    const out = { entities: [] as unknown[], beats: [] as unknown[], stories: [] as unknown[], cursor: page.cursor, hasMore: page.hasMore };
    for (const item of page.items) {
      const value = item.deleted ? { slug: item.slug, deleted: true } : item.data;
      (item.kind === 'entity' ? out.entities : item.kind === 'beat' ? out.beats : out.stories).push(value);
    }
    return sendWire(reply, jsonResponse(200, out));
  });

  app.put<{ Params: { slug: string } }>('/api/v1/catalog/entities/:slug', async (req, reply) => {
    const token = tokenOf(req);
    requireRole(token, CATALOG_EDIT_ROLE, 'change the catalog');
    const slug = slugParamSchema.safeParse(req.params.slug);
    if (!slug.success) throw badRequest('the slug in the path is not a valid slug');
    const body = entityPutBodySchema.safeParse(req.body);
    if (!body.success) throw badRequest(`the entity does not fit the shape: ${describeZodError(body.error)}`);
    if (body.data.slug !== undefined && body.data.slug !== slug.data) throw badRequest("the body's slug differs from the path's");
    const entity = { ...body.data, slug: slug.data };
    const result = await store.putEntity(entity, new Date().toISOString());
    return sendWire(reply, jsonResponse(result.created ? 201 : 200, { slug: slug.data, entity, cursor: String(result.seq) }));
  });
};
