/**
 * What every idempotent write of the protocol shares (publishing-protocol.md, PUT): the
 * precondition headers, and the Idempotency-Key's life — a replay answers the first answer byte for
 * byte, a different request with the same key is refused, a key still in flight answers 409.
 */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { idempotencyKeySchema, parseIfMatch } from '../../shared/protocol/index.js';
import type { WireResponse } from '../context.js';
import { HttpError } from '../errors.js';
import type { CallerToken } from '../auth.js';
import type { IdempotencyScope, PublishingStore } from '../store/store.js';
import { sendWire } from './send.js';

export function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** null for `If-None-Match: *` (create), N for `If-Match: "vN"`; 428 for anything else. */
export function precondition(req: FastifyRequest, allowCreate: boolean): number | null {
  const ifMatch = header(req, 'if-match');
  const ifNoneMatch = header(req, 'if-none-match');
  const required = (message: string) => new HttpError(428, 'precondition_required', message);
  if (ifMatch !== undefined && ifNoneMatch !== undefined) throw required('send exactly one of If-None-Match: * and If-Match: "v<N>"');
  if (ifMatch !== undefined) {
    const version = parseIfMatch(ifMatch);
    if (version === null) throw required('If-Match must be "v<N>", the version last seen');
    return version;
  }
  if (ifNoneMatch !== undefined && allowCreate) {
    if (ifNoneMatch.trim() !== '*') throw required('If-None-Match must be *');
    return null;
  }
  throw required(allowCreate ? 'send If-None-Match: * to create or If-Match: "v<N>" to update' : 'send If-Match: "v<N>"');
}

/** The request's Idempotency-Key, or 400 `idempotency_key_required`. */
export function idempotencyKey(req: FastifyRequest): string {
  const key = idempotencyKeySchema.safeParse(header(req, 'idempotency-key'));
  if (!key.success) throw new HttpError(400, 'idempotency_key_required', 'an Idempotency-Key header of 1 to 200 printable ASCII characters is required');
  return key.data;
}

/**
 * Runs `write` once per key: a replay gets the first answer again, with `Idempotent-Replayed`. The
 * write completes the key itself (with its answer, in its own transaction); if it throws, the key
 * is forgotten so that a retry runs again.
 */
export async function idempotentWrite(
  req: FastifyRequest,
  reply: FastifyReply,
  store: PublishingStore,
  token: CallerToken,
  key: string,
  write: (scope: IdempotencyScope, now: string) => Promise<WireResponse>,
  /** Rebuilds a full answer from the compact one kept (see stories.ts: a 412 keeps no story text). */
  expand: (stored: WireResponse) => Promise<WireResponse> = async (stored) => stored,
): Promise<FastifyReply> {
  const now = new Date().toISOString();
  const scope: IdempotencyScope = { owner: token.id, key };
  const bodyHash = createHash('sha256')
    .update(req.rawBody ?? JSON.stringify(req.body ?? null))
    .digest('hex');
  const fingerprint = createHash('sha256')
    .update([req.method, req.url, bodyHash, header(req, 'if-match') ?? '', header(req, 'if-none-match') ?? ''].join('\n'))
    .digest('hex');
  const begun = await store.beginIdempotent(scope, fingerprint, now);
  if (begun.state === 'reused') throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
  if (begun.state === 'in_flight') {
    reply.header('retry-after', '1');
    throw new HttpError(409, 'idempotency_key_in_flight', 'a request with this Idempotency-Key is still being processed; retry later');
  }
  if (begun.state === 'done') return sendWire(reply, await expand(begun.response), { 'idempotent-replayed': 'true' });
  try {
    return sendWire(reply, await write(scope, now));
  } catch (e) {
    await store.abandonIdempotent(scope).catch(() => undefined);
    throw e;
  }
}
