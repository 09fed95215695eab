import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { StudioHandlers } from '../../shared/api/contract.js';
import { HTTP_STATUS, RENDERER_CSP, SECRET_HEADER, failure, httpStatusOf, type StudioErrorCode } from '../../shared/api/transport.js';
import { dispatch } from '../services/api-handlers.js';


export interface HostOptions {
  handlers: StudioHandlers;
  /** Built renderer files (dist/renderer). */
  staticDir: string;
  port?: number;
  /** Fixed secret (tests); random 32 bytes otherwise. */
  secret?: string;
  maxBodyBytes?: number;
}

export interface RunningHost {
  server: Server;
  port: number;
  origin: string;
  secret: string;
  /** The address to open: the secret travels in the fragment, never sent to the server by the browser. */
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.map': 'application/json',
};

/**
 * The loopback browser host: the renderer's static files and `POST /api/:method`, on 127.0.0.1
 * only. Every API call needs the per-launch secret (header) and, when the browser sends one, the
 * host's own Origin; the Host header must name the loopback address (no DNS rebinding).
 */
export async function startHost(options: HostOptions): Promise<RunningHost> {
  const secret = options.secret ?? randomBytes(32).toString('hex');
  const secretBuf = Buffer.from(secret);
  const staticRoot = resolve(options.staticDir);
  const maxBody = options.maxBodyBytes ?? 20 * 1024 * 1024;
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const origins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      console.error(e);
      if (!res.headersSent) send(res, 500, { ok: false, error: { code: 'internal', message: 'internal error' } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 421, failure('refused', 'wrong Host header'));
    const origin = req.headers.origin;
    if (origin !== undefined && !origins().has(origin)) return reject(res, 'refused', 'foreign origin refused');
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) return api(req, res, url.pathname.slice(5));
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false, error: { code: 'bad-input', message: 'method not allowed' } });
    return serveStatic(req, res, url.pathname);
  }

  async function api(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, { ok: false, error: { code: 'bad-input', message: 'use POST' } });
    const given = req.headers[SECRET_HEADER];
    const givenBuf = Buffer.from(typeof given === 'string' ? given : '');
    if (givenBuf.length !== secretBuf.length || !timingSafeEqual(givenBuf, secretBuf)) {
      return reject(res, 'unauthorized', 'missing or wrong secret');
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, { ok: false, error: { code: 'bad-input', message: 'send application/json' } });
    }
    let body: unknown;
    try {
      const text = await readBody(req, maxBody);
      body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (e) {
      return (e as Error).message === 'request too large' ? reject(res, 'too-large', 'request too large') : reject(res, 'bad-input', (e as Error).message);
    }
    const result = await dispatch(options.handlers, decodeURIComponent(method), body);
    send(res, httpStatusOf(result), result);
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): void {
    let rel: string;
    try {
      rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
    } catch {
      return send(res, 400, { ok: false, error: { code: 'bad-input', message: 'bad path' } });
    }
    let file = resolve(staticRoot, rel);
    if (file !== staticRoot && !file.startsWith(staticRoot + sep)) return send(res, 404, { ok: false, error: { code: 'not-found', message: 'not found' } });
    if (!existsSync(file) || statSync(file).isDirectory()) {
      if (extname(rel)) return send(res, 404, { ok: false, error: { code: 'not-found', message: 'not found' } });
      file = join(staticRoot, 'index.html');
      if (!existsSync(file)) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The renderer is not built: run `npm run build` first.\n');
        return;
      }
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'content-type': type, 'cache-control': 'no-cache' };
    if (type.startsWith('text/html')) {
      headers['content-security-policy'] = RENDERER_CSP;
      headers['x-frame-options'] = 'DENY';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    server, port, origin, secret,
    url: `${origin}/#secret=${secret}`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections?.();
      server.close(() => ok());
    }),
  };
}

function reject(res: ServerResponse, code: StudioErrorCode, message: string): void {
  send(res, HTTP_STATUS[code], failure(code, message));
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        fail(new Error('request too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}
