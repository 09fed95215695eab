import type { FastifyReply } from 'fastify';
import type { WireResponse } from '../context.js';

export function sendWire(reply: FastifyReply, r: WireResponse, extra: Record<string, string> = {}): FastifyReply {
  return reply
    .code(r.status)
    .headers({ ...r.headers, ...extra })
    .send(r.body);
}
