/**
 * A small in-process stand-in for the publishing backend (protocol v1 as publishing-protocol.md
 * describes it): roles, idempotency keys with byte-exact replays, preconditions, 412 with the
 * current version, 422 with the shared linter's diagnostics, paged change lists. The sync tests run
 * against it always, and against the real reference backend (dist/server/cli.js) when it is built.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createStory, hasErrors, lintStory, loadCatalog } from '../../../shared/index.js';

type Role = 'writer' | 'editor' | 'publisher';
const RANK: Record<Role, number> = { writer: 0, editor: 1, publisher: 2 };
const NEED: Record<string, Role> = { review: 'writer', approved: 'editor', published: 'publisher' };

interface Version { version: number; status: string; story: Record<string, unknown>; updatedAt: string }

export class FakeBackend {
  private server!: Server;
  url = '';
  readonly tokens = new Map<string, { role: Role; owner: string }>();
  readonly stories = new Map<string, Version[]>();
  private readonly changes: string[] = []; // slug per change; cursor = index
  private readonly keys = new Map<string, { fingerprint: string; status: number; headers: Record<string, string>; body: string }>();
  private readonly catalogJson: unknown;
  private readonly catalog;
  puts = 0;

  constructor(catalogFile = 'resources/catalog.json') {
    this.catalogJson = JSON.parse(readFileSync(catalogFile, 'utf8'));
    this.catalog = loadCatalog(this.catalogJson);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  createToken(role: Role, owner = `${role}-${randomBytes(3).toString('hex')}`): string {
    const token = `tok_${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, { role, owner });
    return token;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(text);
      return { status, headers, body: text };
    };
    if (url.pathname === '/api/v1/health') return void send(200, { ok: true, protocol: 1 });
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const who = auth ? this.tokens.get(auth[1]!) : undefined;
    if (!who) return void send(401, { error: 'unauthorized', message: 'missing or unknown token' });
    const m = /^\/api\/v1\/stories(?:\/([a-z0-9-]+))?$/.exec(url.pathname);
    if (url.pathname === '/api/v1/catalog' && req.method === 'GET') {
      const since = url.searchParams.get('since');
      const c = this.catalogJson as Record<string, unknown[]>;
      return void send(200, since ? { entities: [], beats: [], stories: [], cursor: since, hasMore: false }
        : { entities: c.entities ?? [], beats: c.beats ?? [], stories: c.stories ?? [], cursor: '1', hasMore: false });
    }
    if (m && !m[1] && req.method === 'GET') {
      const since = Number(url.searchParams.get('since') ?? '0');
      const limit = Number(url.searchParams.get('limit') ?? '1000');
      const slice = this.changes.slice(since, since + limit);
      const items = slice.map((slug) => {
        const v = this.stories.get(slug)!.at(-1)!;
        return { slug, version: v.version, status: v.status, updatedAt: v.updatedAt };
      });
      const cursor = String(since + slice.length);
      return void send(200, { items, cursor, hasMore: since + slice.length < this.changes.length });
    }
    if (m && m[1] && req.method === 'GET') {
      const v = this.stories.get(m[1])?.at(-1);
      if (!v) return void send(404, { error: 'not_found', message: 'no such story' });
      return void send(200, { slug: m[1], version: v.version, status: v.status, story: v.story, url: `/stories/${m[1]}`, updatedAt: v.updatedAt }, { etag: `"v${v.version}"` });
    }
    if (m && m[1] && req.method === 'PUT') {
      const slug = m[1];
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(key)) return void send(400, { error: 'idempotency_key_required', message: 'Idempotency-Key is required' });
      const ifNone = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      const fingerprint = JSON.stringify([req.method, url.pathname, raw, ifNone ?? null, ifMatch ?? null]);
      const scoped = `${who.owner}\u0000${key}`;
      const seen = this.keys.get(scoped);
      if (seen) {
        if (seen.fingerprint !== fingerprint) return void send(422, { error: 'idempotency_key_reused', message: 'the key was used for another request' });
        res.writeHead(seen.status, { 'content-type': 'application/json', ...seen.headers });
        return void res.end(seen.body);
      }
      const remember = (r: { status: number; headers: Record<string, string>; body: string }) => {
        if (r.status < 500) this.keys.set(scoped, { fingerprint, ...r });
      };
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return void send(400, { error: 'bad_request', message: 'body is not JSON' });
      }
      const status = body.status as string;
      if (typeof body.title !== 'string' || typeof body.beat !== 'string' || typeof body.body !== 'string' || !Array.isArray(body.citations) || !(status in NEED)) {
        return void send(400, { error: 'bad_request', message: 'shape' });
      }
      if (RANK[who.role] < RANK[NEED[status]!]) return void send(403, { error: 'forbidden', message: `a ${who.role} may not set status ${status}` });
      if ((ifNone === undefined) === (ifMatch === undefined)) return void send(428, { error: 'precondition_required', message: 'If-Match or If-None-Match' });
      const versions = this.stories.get(slug);
      const cur = versions?.at(-1);
      const currentOf = (v: Version) => ({ version: v.version, status: v.status, story: v.story, updatedAt: v.updatedAt });
      if (ifNone !== undefined && cur) return void remember(send(412, { error: 'version_conflict', message: 'exists', current: currentOf(cur) }));
      if (ifMatch !== undefined) {
        const n = /^"v(\d+)"$/.exec(String(ifMatch));
        if (!cur || !n || Number(n[1]) !== cur.version) {
          return void remember(send(412, { error: 'version_conflict', message: 'version', current: cur ? currentOf(cur) : null }));
        }
      }
      const meta: Record<string, unknown> = { title: body.title, beat: body.beat, slug, status };
      if (body.dek) meta.dek = body.dek;
      if ((body.citations as unknown[]).length) meta.citations = body.citations;
      const diagnostics = lintStory(createStory(meta, body.body as string), this.catalog);
      if (hasErrors(diagnostics)) return void remember(send(422, { error: 'invalid_story', message: 'the story has errors', diagnostics }));
      const version = (cur?.version ?? 0) + 1;
      const v: Version = { version, status, story: { ...body, slug }, updatedAt: new Date().toISOString() };
      if (status === 'published' && !body.published) v.story.published = v.updatedAt;
      this.stories.set(slug, [...(versions ?? []), v]);
      this.changes.push(slug);
      this.puts++;
      return void remember(send(cur ? 200 : 201, { slug, version, status, url: `/stories/${slug}`, updatedAt: v.updatedAt }, { etag: `"v${version}"` }));
    }
    send(404, { error: 'not_found', message: 'no such route' });
  }
}
