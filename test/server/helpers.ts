import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseCatalog } from '../../shared/index.js';
import { buildServer } from '../../server/app.js';
import { hashToken, newToken } from '../../server/auth.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import type { Role } from '../../server/store/store.js';

export const ROOT = join(import.meta.dirname, '../..');
export const SAMPLE_CATALOG = parseCatalog(readFileSync(join(ROOT, 'resources/catalog.json'), 'utf8'));

export interface TestServer {
  app: FastifyInstance;
  store: SqliteStore;
  url: string;
  dir: string;
  tokens: Record<Role, string> & { writer2: string };
  close(): Promise<void>;
}

/** A real server on a loopback port, a temporary database seeded with the sample catalog, and one token per role. */
export async function startServer(options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'studio-server-test-'));
  const store = new SqliteStore(join(dir, 'server.sqlite'), { synchronous: options.synchronous ?? 'NORMAL' });
  await store.seedCatalog(SAMPLE_CATALOG);
  const tokens = {} as TestServer['tokens'];
  for (const [name, role] of [['writer', 'writer'], ['editor', 'editor'], ['publisher', 'publisher'], ['writer2', 'writer']] as const) {
    const t = newToken();
    await store.createToken(name, role, hashToken(t));
    tokens[name] = t;
  }
  let url = '';
  const app = await buildServer({ store, site: () => url || 'https://aidran.ai', logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    app, store, url, dir, tokens,
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let keyCounter = 0;
export function freshKey(): string {
  return `key-${process.pid}-${Date.now()}-${++keyCounter}`;
}

export interface StoryBody {
  title: string;
  dek?: string;
  beat: string;
  body: string;
  citations: { n: number; url: string; title?: string; source?: string }[];
  status: 'review' | 'approved' | 'published';
  published?: string;
}

export function sampleStory(over: Partial<StoryBody> = {}): StoryBody {
  return {
    title: 'Warehouse robots learn to ask for help',
    dek: 'A short test story.',
    beat: 'open-source-ai',
    body: 'When {{entity:sam-altman|Altman}} spoke, the {{beat:open-source-ai|open-source crowd}} listened[1].\n\nA second paragraph[²].\n',
    citations: [
      { n: 1, url: 'https://example.org/one', title: 'First source', source: 'Example News' },
      { n: 2, url: 'https://example.org/two', title: 'Second source' },
    ],
    status: 'review',
    ...over,
  };
}

export async function putStory(
  s: TestServer, slug: string, body: unknown,
  opts: { token?: string; key?: string | null; ifMatch?: string; ifNoneMatch?: string; raw?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key !== null) headers['idempotency-key'] = opts.key ?? freshKey();
  if (opts.ifMatch !== undefined) headers['if-match'] = opts.ifMatch;
  if (opts.ifNoneMatch !== undefined) headers['if-none-match'] = opts.ifNoneMatch;
  return fetch(`${s.url}/api/v1/stories/${slug}`, { method: 'PUT', headers, body: opts.raw ?? JSON.stringify(body) });
}

export function api(s: TestServer, path: string, token?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${s.url}${path}`, { ...init, headers });
}
