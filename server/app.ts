/**
 * The reference publishing backend as a Fastify app: `buildServer({ store, site, logger })`.
 * Routes live in routes/*.ts as plugins; request shapes in schemas.ts; storage behind PublishingStore.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { pino } from 'pino';
import { normalizeSite } from '../shared/index.js';
import { parseJsonBounded, PUT_REQUEST_MAX_BYTES } from '../shared/protocol/index.js';
import type { ServerContext } from './context.js';
import { DEFAULT_SITE_INFO, type SiteInfo } from './site/index.js';
import { authenticate } from './auth.js';
import { HttpError } from './errors.js';
import { errorPage } from './html.js';
import { apiRoutes } from './routes/api.js';
import { catalogRoutes } from './routes/catalog.js';
import { noteRoutes } from './routes/notes.js';
import { pageRoutes } from './routes/pages.js';
import { storyRoutes } from './routes/stories.js';
import { InlineStoryChecker, WorkerStoryChecker } from './story-checker.js';
import type { PublishingStore } from './store/store.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body exactly as received (JSON requests), for idempotency fingerprints. */
    rawBody?: string;
  }
}

export const BODY_LIMIT = PUT_REQUEST_MAX_BYTES;
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface BuildServerOptions {
  store: PublishingStore;
  /** The public site URL (story URLs, reference links); a function when known only after listening. */
  site?: string | (() => string);
  /** The public site's name and description (defaults: DEFAULT_SITE_INFO). */
  siteInfo?: Partial<SiteInfo>;
  /** A pino logger, `false` for none; by default pino at `info` on stderr, tokens redacted. */
  logger?: FastifyBaseLogger | false;
  /** How often finished idempotency keys older than 24 h are swept (default 10 minutes). */
  sweepIntervalMs?: number;
  /**
   * Check PUT stories in this many worker threads running `file` (see story-checker.ts); on the
   * event loop when left out or `count` is 0.
   */
  storyWorkers?: { file: string | URL; count: number; timeLimitMs?: number; memoryMb?: number };
  /** What a connection may cost (defaults: SERVER_LIMITS). */
  limits?: Partial<ServerLimits>;
}

/** How long a client may take and how many connections it may hold, so slow clients cannot starve others. */
export interface ServerLimits {
  /** The whole request, headers and body (a 2 MiB body at 70 KB/s fits). */
  requestTimeoutMs: number;
  /** The request headers. */
  headersTimeoutMs: number;
  /** An idle kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** A socket on which nothing moves at all. */
  idleTimeoutMs: number;
  /** Open connections of one remote address; more are closed at once. */
  connectionsPerAddress: number;
  /** Open connections in all (below the process's file descriptors). */
  connectionsTotal: number;
}

export const SERVER_LIMITS: ServerLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 15_000,
  connectionsPerAddress: 64,
  connectionsTotal: 800,
};

/** Paths whose values must never reach a log line. */
export const LOG_REDACT = ['req.headers.authorization', 'headers.authorization', 'request.headers.authorization', 'authorization'];

export function createLogger(level = 'info'): FastifyBaseLogger {
  return pino({ level, redact: { paths: LOG_REDACT, censor: '[redacted]' } }, pino.destination(2)) as unknown as FastifyBaseLogger;
}

export async function buildServer(options: BuildServerOptions): Promise<FastifyInstance> {
  const logger = options.logger === undefined ? createLogger() : options.logger;
  const limits: ServerLimits = { ...SERVER_LIMITS, ...options.limits };
  const app = Fastify({
    // Node checks the request and header timeouts on this interval: a tenth of the shortest, so a
    // slow client is cut close to its deadline rather than up to 30 s (Node's default) after it.
    serverFactory: (handler) => {
      const server = createServer(
        {
          requestTimeout: limits.requestTimeoutMs,
          headersTimeout: limits.headersTimeoutMs,
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.max(100, Math.min(limits.requestTimeoutMs, limits.headersTimeoutMs) / 10),
        },
        handler,
      );
      server.maxConnections = limits.connectionsTotal;
      limitPerAddress(server, limits.connectionsPerAddress);
      return server;
    },
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 300 },
    return503OnClosing: true,
    clientErrorHandler,
    // Bad percent-encoding and over-long path parameters: through the one error handler too.
    frameworkErrors: (err, req, reply) => void sendError(err, req as FastifyRequest, reply as FastifyReply),
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;

  const siteOption = options.site;
  const site =
    typeof siteOption === 'function'
      ? () => normalizeSite(siteOption())
      : (() => {
          const fixed = normalizeSite(siteOption);
          return () => fixed;
        })();
  const workers = options.storyWorkers;
  const checker =
    workers && workers.count > 0 ? new WorkerStoryChecker(options.store, workers.file, workers.count, workers) : new InlineStoryChecker(options.store);
  const ctx: ServerContext = { store: options.store, site, checker, siteInfo: { ...DEFAULT_SITE_INFO, ...options.siteInfo } };

  // JSON bodies: kept as received (fingerprints), parse errors answered as 400 bad_request.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text === '') return done(null, undefined);
    (req as FastifyRequest).rawBody = text;
    const parsed = parseJsonBounded(text, { maxBytes: BODY_LIMIT });
    if (parsed.ok) done(null, parsed.value);
    else done(new HttpError(400, 'bad_request', `the body is not valid JSON: ${parsed.error}`), undefined);
  });

  // Authentication first, before a body is read: 401 comes before any other answer.
  app.addHook('onRequest', async (req) => {
    if (needsToken(req)) req.token = await authenticate(options.store, req);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (isApi(req) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.setErrorHandler((err: unknown, req, reply) => sendError(err, req, reply));
  app.setNotFoundHandler((req, reply) => sendError(new HttpError(404, 'not_found', `nothing at ${req.method} ${req.url.split('?')[0]}`), req, reply));

  await app.register(apiRoutes, { ctx });
  await app.register(catalogRoutes, { ctx });
  await app.register(storyRoutes, { ctx });
  await app.register(noteRoutes, { ctx });
  await app.register(pageRoutes, { ctx });

  // Idempotency keys: remembered at least 24 h; swept at start and on a timer.
  const sweep = async () => {
    try {
      const removed = await options.store.sweepIdempotency(new Date(Date.now() - IDEMPOTENCY_TTL_MS).toISOString());
      if (removed > 0) app.log.info({ removed }, 'idempotency keys swept');
    } catch (e) {
      app.log.error({ err: e }, 'idempotency sweep failed');
    }
  };
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    // Listening means answering promptly: story workers loaded and holding the catalog first.
    await checker.ready();
    await options.store.releaseInFlight();
    await sweep();
    timer = setInterval(() => void sweep(), options.sweepIntervalMs ?? 10 * 60 * 1000);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await checker.close();
  });
  return app;
}

/** Closes a new connection at once when its address already holds `max` (counted until each closes). */
function limitPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const n = (open.get(address) ?? 0) + 1;
    if (n > max) {
      socket.destroy();
      return;
    }
    open.set(address, n);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

/** Malformed HTTP caught by Node's parser (before any route): answered in the protocol's error shape. */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'request_timeout', 'the request took too long']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headers_too_large', 'the request headers are too large']
        : [400, 'bad_request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: code, message });
  const reason = status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request';
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Security-Policy: ${CONTENT_SECURITY_POLICY}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * Whether a request must carry a token. Decided on the route the router matched, not on the raw
 * URL: the router decodes the path, so `/%61pi/v1/stories` reaches the story list too. A path that
 * matches no route is judged by its raw form, so that an unknown API path answers 401 before 404.
 */
function needsToken(req: FastifyRequest): boolean {
  const route = req.routeOptions.url;
  if (route !== undefined) return route.startsWith('/api/v1/') && route !== '/api/v1/health';
  return req.url.startsWith('/api/v1/') && !/^\/api\/v1\/health(?:[?#]|$)/.test(req.url);
}

function isApi(req: FastifyRequest): boolean {
  return (req.routeOptions.url ?? req.url).startsWith('/api/');
}

/** The one error handler: protocol errors as they are, framework 4xx mapped, 5xx details hidden. */
function sendError(err: unknown, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  let e: HttpError;
  if (err instanceof HttpError) e = err;
  else {
    const status = typeof (err as { statusCode?: unknown })?.statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    if (status >= 400 && status < 500) {
      const code =
        status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 404
              ? 'not_found'
              : status === 414
                ? 'uri_too_long'
                : status === 405
                  ? 'method_not_allowed'
                  : 'bad_request';
      const message =
        status === 413
          ? 'the body is larger than 2 MiB'
          : String((err as Error).message ?? 'bad request')
              .split('\n')[0]!
              .slice(0, 300);
      e = new HttpError(status === 413 || status === 415 || status === 404 || status === 414 || status === 405 ? status : 400, code, message);
    } else {
      req.log.error({ err }, 'request failed');
      e = new HttpError(status >= 500 && status < 600 ? status : 500, 'internal', 'internal error');
    }
  }
  reply.code(e.statusCode).header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-content-type-options', 'nosniff');
  if (isApi(req) || req.method !== 'GET') return reply.type('application/json; charset=utf-8').send(JSON.stringify(e.toJSON()));
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(errorPage(e.statusCode, e.message));
}
