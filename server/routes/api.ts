import type { FastifyPluginAsync } from 'fastify';
import { PROTOCOL_VERSION, type WhoamiAnswer } from '../../shared/protocol/index.js';
import { tokenOf } from '../auth.js';
import { jsonResponse, type ServerContext } from '../context.js';
import { sendWire } from './send.js';

export const apiRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  app.get('/api/v1/health', async (_req, reply) => {
    reply.type('application/json; charset=utf-8').send(JSON.stringify({ ok: true, protocol: PROTOCOL_VERSION }));
  });

  // An extension of protocol v1: who the token belongs to and its role, so that the studio can offer
  // only the actions the role allows, and where the public site is, so that its preview links there.
  // Every role may ask; the hook has already answered 401 otherwise.
  app.get('/api/v1/whoami', async (req, reply) => {
    const token = tokenOf(req);
    const answer: WhoamiAnswer = { name: token.name, role: token.role, site: ctx.site() };
    return sendWire(reply, jsonResponse(200, answer));
  });
};
