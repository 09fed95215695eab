import type { FastifyPluginAsync } from 'fastify';
import type { ServerContext } from '../context.js';

export const PROTOCOL_VERSION = 1;

export const apiRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app) => {
  app.get('/api/v1/health', async (_req, reply) => {
    reply.type('application/json; charset=utf-8').send(JSON.stringify({ ok: true, protocol: PROTOCOL_VERSION }));
  });
};
