import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import type { StudioHandlers } from '../../shared/api/contract.js';
import { parseJsonBounded } from '../../shared/protocol/index.js';
import {
  EVENTS_PATH,
  HTTP_STATUS,
  SESSION_PATH,
  RENDERER_CSP,
  SECRET_HEADER,
  encodeServerEvent,
  failure,
  httpStatusOf,
  type StudioErrorCode,
} from '../../shared/api/transport.js';
import { dispatch } from '../services/api-handlers.js';

export interface HostOptions {
  handlers: StudioHandlers;
  /** Built renderer files (dist/renderer). */
  staticDir: string;
  port?: number;
  /** Fixed secret (tests); random 32 bytes otherwise. */
  secret?: string;
  maxBodyBytes?: number;
  /** How long a one-time address stays good (`openUrl`); 2 minutes unless given. */
  codeTtlMs?: number;
  /** The clock one-time codes expire by (tests). */
  now?: () => number;
  /** Subscribes one event stream to the host's events (see `watchHostEvents`); returns its unsubscribe. */
  events?: (emit: (event: string, payload: unknown) => void) => () => void;
}

export interface RunningHost {
  server: Server;
  port: number;
  origin: string;
  secret: string;
  /** An address with the secret in its fragment (never sent to the server by the browser): for tests and tools, never a command line. */
  url: string;
  /**
   * A one-time address for a browser: its fragment holds a fresh code that the page exchanges for the
   * secret once, within `ttlMs`; after that it is worth nothing, wherever it was seen.
   */
  openUrl(ttlMs?: number): string;
  close(): Promise<void>;
}

/** Sends a failed call's envelope with the status its code maps to (or a transport-level one: 405, 415, 421). */
function reject(reply: FastifyReply, code: StudioErrorCode, message: string, status = HTTP_STATUS[code]): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').send(failure(code, message));
}

/**
 * The loopback browser host, on Fastify: the renderer's static files (@fastify/static) and
 * `POST /api/:method`, on 127.0.0.1 only. Every API call needs the per-launch secret (header) and,
 * when the browser sends one, the host's own Origin; the Host header must name the loopback address
 * (no DNS rebinding).
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const secretBuf = Buffer.from(secret);
  const staticRoot = resolve(options.staticDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const now = options.now ?? Date.now;
  /** One-time codes → when each expires; a few at most (each launch or copy makes one). */
  const codes = new Map<string, number>();
  const MAX_CODES = 64;
  const prune = () => {
    for (const [code, expires] of codes) if (expires <= now()) codes.delete(code);
  };

  const app = Fastify({
    logger: false,
    bodyLimit: options.maxBodyBytes ?? 20 * 1024 * 1024,
    forceCloseConnections: true,
    // A malformed percent-encoding (`/api/%E0%A4%A`) is the caller's mistake: 400, in the envelope.
    frameworkErrors: (error, _req, reply) => {
      void reject(reply, 'bad-input', error.code === 'FST_ERR_BAD_URL' ? 'malformed address (bad percent-encoding)' : error.message);
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer').header('cross-origin-resource-policy', 'same-origin');
    if (!allowedHosts().has(req.headers.host ?? '')) return reject(reply, 'refused', 'wrong Host header', 421);
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().has(origin)) return reject(reply, 'refused', 'foreign origin refused');
    return undefined;
  });

  // Errors before a handler ran (body too large, not JSON, wrong content type) as envelopes; the
  // details of anything unexpected stay in the host's log.
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (reply.raw.headersSent) {
      // A static file that failed mid-stream (it vanished, or its read failed): that answer is cut
      // short, and nothing else is affected.
      console.error(`studio host: ${req.method} ${req.url}: ${error.message}`);
      reply.raw.destroy();
      return reply;
    }
    reply.removeHeader('content-type');
    if (status >= 500) {
      console.error(`studio host: ${req.method} ${req.url}:`, error);
      return reject(reply, 'internal', 'internal error (see the host log)');
    }
    if (status === 413) return reject(reply, 'too-large', 'request too large');
    if (status === 403 || status === 404) return reject(reply, 'not-found', 'not found');
    if (status === 415) return reject(reply, 'bad-input', 'send application/json', 415);
    return reject(reply, 'bad-input', error.message.replace(/\s+/g, ' '));
  });

  // Bodies through the protocol's bounded parse: nesting deeper than the protocol allows is refused
  // before JSON.parse recurses into it. An empty body is an empty input.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    const parsed = parseJsonBounded(text);
    if (parsed.ok) return done(null, parsed.value);
    return done(Object.assign(new Error(parsed.error), { statusCode: 400 }), undefined);
  });

  const authorized = (req: FastifyRequest): boolean => {
    const given = req.headers[SECRET_HEADER];
    const givenBuf = Buffer.from(typeof given === 'string' ? given : '');
    return givenBuf.length === secretBuf.length && timingSafeEqual(givenBuf, secretBuf);
  };

  // The secret is checked before the body is read, so a stranger cannot make the host parse 20 MB.
  const needSecret = async (req: FastifyRequest, reply: FastifyReply) =>
    authorized(req) ? undefined : reject(reply, 'unauthorized', 'missing or wrong secret');

  // Host events as server-sent events, one stream per page, kept open until the page goes.
  const KEEP_ALIVE_MS = 25_000;
  app.get(EVENTS_PATH, { onRequest: needSecret }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cross-origin-resource-policy': 'same-origin',
    });
    res.write(': studio events\n\n');
    const off = options.events?.((event, payload) => void res.write(encodeServerEvent(event, payload))) ?? (() => undefined);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    beat.unref();
    const end = () => {
      clearInterval(beat);
      off();
    };
    res.on('close', end);
    res.on('error', end);
  });

  app.post<{ Body: unknown }>(SESSION_PATH, async (req, reply) => {
    prune();
    const code = (req.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !codes.has(code)) {
      return reject(reply, 'unauthorized', 'this address was used already or has expired: open the one the studio printed, or restart it');
    }
    codes.delete(code);
    return reply.header('cache-control', 'no-store').send({ ok: true, value: { secret } });
  });

  app.post<{ Params: { method: string } }>('/api/:method', { onRequest: needSecret }, async (req, reply) => {
    const result = await dispatch(options.handlers, req.params.method, req.body ?? undefined);
    return reply.code(httpStatusOf(result)).header('cache-control', 'no-store').send(result);
  });
  app.all('/api/*', async (req, reply) =>
    req.method === 'POST' ? reject(reply, 'unknown-method', `no such method: ${req.url}`) : reject(reply, 'bad-input', 'use POST', 405),
  );

  await app.register(fastifyStatic, {
    root: staticRoot,
    wildcard: true,
    index: ['index.html'],
    cacheControl: false,
    etag: true,
    setHeaders: (res, path) => {
      res.setHeader('cache-control', 'no-cache');
      if (path.endsWith('.html')) {
        res.setHeader('content-security-policy', RENDERER_CSP);
        res.setHeader('x-frame-options', 'DENY');
      }
    },
  });

  // The page's own routes (no extension) get the page; a missing file with an extension is a 404.
  app.setNotFoundHandler(async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return reject(reply, 'bad-input', 'method not allowed', 405);
    if (extname(req.url.split('?')[0] ?? '')) return reject(reply, 'not-found', 'not found');
    if (!existsSync(join(staticRoot, 'index.html'))) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The renderer is not built: run `npm run build` first.\n');
    }
    return reply.sendFile('index.html');
  });

  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    server: app.server,
    port,
    origin,
    secret,
    url: `${origin}/#secret=${secret}`,
    openUrl: (ttlMs = options.codeTtlMs ?? 120_000) => {
      prune();
      while (codes.size >= MAX_CODES) codes.delete(codes.keys().next().value!);
      const code = randomBytes(24).toString('hex');
      codes.set(code, now() + ttlMs);
      return `${origin}/#code=${code}`;
    },
    close: () => app.close(),
  };
}
