/** Bearer tokens: 32 random bytes (base64url), kept only as SHA-256 hashes. */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's token, set by the onRequest hook on /api/v1 routes. */
    token?: CallerToken;
  }
}
import { forbidden, unauthorized } from './errors.js';
import { roleAtLeast, type Role } from '../shared/protocol/index.js';
import type { PublishingStore, TokenInfo } from './store/store.js';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * The caller's token, with its identity: the hex SHA-256 of the token itself. Names can be reused (a
 * token revoked and made again under the same name); the identity cannot, so idempotency keys and
 * anything else that must belong to one token are scoped by it.
 */
export interface CallerToken extends TokenInfo {
  id: string;
}

/** The caller's token, or a 401. */
export async function authenticate(store: PublishingStore, req: FastifyRequest): Promise<CallerToken> {
  const header = req.headers.authorization;
  // The scheme's name is case-insensitive (RFC 7235); the token's characters are base64url.
  const m = typeof header === 'string' ? /^Bearer +([A-Za-z0-9_-]{20,200})$/i.exec(header.trim()) : null;
  if (!m) throw unauthorized();
  const hash = hashToken(m[1]!);
  const token = await store.findToken(hash);
  if (!token) throw unauthorized('unknown token');
  return { ...token, id: hash.toString('hex') };
}

/** The token the onRequest hook authenticated (every /api/v1 route but health has one). */
export function tokenOf(req: FastifyRequest): CallerToken {
  if (!req.token) throw unauthorized();
  return req.token;
}

export function requireRole(token: TokenInfo, needed: Role, action: string): void {
  if (!roleAtLeast(token.role, needed)) throw forbidden(`${token.role === 'editor' ? 'an' : 'a'} ${token.role} token may not ${action}`);
}
