import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseCatalog } from '../../shared/index.js';
import { buildServer } from '../../server/app.js';
import { hashToken, newToken } from '../../server/auth.js';
import { PgStore } from '../../server/store/pg-store.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import type { PublishingStore, Role } from '../../server/store/store.js';
import { PG_SKIP_REASON, startPgCluster, type PgCluster } from './pg-cluster.js';

export const ROOT = join(import.meta.dirname, '../..');
export const SAMPLE_CATALOG = parseCatalog(readFileSync(join(ROOT, 'resources/catalog.json'), 'utf8'));

/** The stores the protocol suite runs on: one suite, two stores (PostgreSQL only where it can run). */
export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = PG_SKIP_REASON ? ['sqlite'] : ['sqlite', 'postgres'];

let cluster: Promise<PgCluster> | null = null;
let databases = 0;

/** The test file's one PostgreSQL cluster, started on first use (stop it with `stopPgCluster` in afterAll). */
export function pgCluster(): Promise<PgCluster> {
  cluster ??= startPgCluster();
  return cluster;
}

export async function stopPgCluster(): Promise<void> {
  const c = cluster;
  cluster = null;
  if (c) await (await c).stop();
}

/** Where a new, empty store of this kind lives: a SQLite file in `dir`, or a new PostgreSQL database. */
export async function newStoreLocation(kind: StoreKind, dir: string, name: string): Promise<string> {
  if (kind === 'sqlite') return join(dir, `${name}.sqlite`);
  return (await pgCluster()).createDatabase(`${name.toLowerCase().replace(/[^a-z0-9]+/g, '_')}_${++databases}`);
}

export async function openStore(location: string, options: { synchronous?: 'NORMAL' | 'FULL'; poolSize?: number } = {}): Promise<PublishingStore> {
  return location.startsWith('postgres://')
    ? PgStore.open(location, { poolSize: options.poolSize })
    : new SqliteStore(location, { synchronous: options.synchronous ?? 'NORMAL' });
}

/** Raw SQL on either store, with `?` placeholders (for tests that look under the interface). */
export async function rawQuery<T = Record<string, unknown>>(store: PublishingStore, text: string, ...params: unknown[]): Promise<T[]> {
  if (store instanceof SqliteStore) {
    const st = store.db.prepare(text);
    return (st.reader ? st.all(...params) : (st.run(...params), [])) as T[];
  }
  let n = 0;
  const rows = await (store as PgStore).sql.unsafe(
    text.replace(/\?/g, () => `$${++n}`),
    params as never[],
  );
  return [...rows] as T[];
}

export interface TestServer {
  app: FastifyInstance;
  store: PublishingStore;
  kind: StoreKind;
  url: string;
  dir: string;
  tokens: Record<Role, string> & { writer2: string };
  close(): Promise<void>;
}

/** A real server on a loopback port, a temporary database seeded with the sample catalog, and one token per role. */
export async function startServer(
  options: { synchronous?: 'NORMAL' | 'FULL'; kind?: StoreKind; siteInfo?: { name?: string; description?: string } } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'studio-server-test-'));
  const kind = options.kind ?? 'sqlite';
  const store = await openStore(await newStoreLocation(kind, dir, 'server'), options);
  await store.seedCatalog(SAMPLE_CATALOG);
  const tokens = {} as TestServer['tokens'];
  for (const [name, role] of [
    ['writer', 'writer'],
    ['editor', 'editor'],
    ['publisher', 'publisher'],
    ['writer2', 'writer'],
  ] as const) {
    const t = newToken();
    await store.createToken(name, role, hashToken(t));
    tokens[name] = t;
  }
  let url = '';
  const app = await buildServer({ store, site: () => url || 'https://aidran.ai', logger: false, ...(options.siteInfo ? { siteInfo: options.siteInfo } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    app,
    store,
    kind,
    url,
    dir,
    tokens,
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
  s: TestServer,
  slug: string,
  body: unknown,
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
