/**
 * A scripted backend on 127.0.0.1 for attacks on the studio: each route answers what a test says
 * (a JSON value, a status, a redirect or an endless stream), and every request is logged.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, url: URL, res: ServerResponse) => void | Promise<void>;

export class HostileBackend {
  private server!: Server;
  url = '';
  readonly log: { method: string; path: string; authorization: string | undefined }[] = [];
  /** Bytes written by `stream` answers (what the client made the server send). */
  streamed = 0;
  routes: Route[] = [];

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.log.push({ method: req.method ?? 'GET', path: url.pathname + url.search, authorization: req.headers.authorization });
      for await (const _ of req) {
        /* drain the body */
      }
      for (const route of this.routes) {
        await route(req, url, res);
        if (res.headersSent || res.writableEnded) return;
      }
      json(res, 404, { error: 'not_found', message: 'no such route' });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers with `chunk` repeated until the client goes away or `max` bytes were sent. */
  stream(res: ServerResponse, chunk: string, max: number): void {
    res.writeHead(200, { 'content-type': 'application/json' });
    const write = () => {
      while (this.streamed < max) {
        this.streamed += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', write);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => {
      this.streamed = Math.min(this.streamed, max);
    });
    write();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A route for the health check and an empty catalog, so that a sync gets to the part under attack. */
export const healthy: Route = (req, url, res) => {
  if (url.pathname === '/api/v1/health') json(res, 200, { ok: true, protocol: 1 });
  else if (url.pathname === '/api/v1/whoami') json(res, 200, { name: 'desk', role: 'publisher' });
  else if (url.pathname === '/api/v1/catalog') json(res, 200, { entities: [], beats: [], stories: [], cursor: 1, hasMore: false });
};

/** A JSON text nested `depth` deep inside a citation's extra key. */
export function deepCitationStory(depth: number): string {
  const deep = '{"x":'.repeat(depth) + '1' + '}'.repeat(depth);
  return `{"slug":"deep-story-aa11","version":1,"status":"review","story":{"title":"Deep","beat":"open-source-ai","body":"Text.\\n","status":"review","citations":[{"n":1,"url":"https://example.org","extra":${deep}}]}}`;
}

export function remoteStory(slug: string, title = `Story ${slug}`) {
  return { slug, version: 1, status: 'review', story: { title, beat: 'open-source-ai', body: 'A paragraph.\n', status: 'review', citations: [] } };
}
