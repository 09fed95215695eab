/**
 * Several backend instances on one PostgreSQL database, as a newsroom runs them behind a load
 * balancer: three real `studio-server serve --db postgres://…` processes (the built CLI), started
 * together on a fresh database, and every protocol guarantee checked across them.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_SCHEMA_VERSION, PgStore } from '../../server/store/pg-store.js';
import { PG_SKIP_REASON, startPgCluster, type PgCluster } from './pg-cluster.js';
import { freshKey, ROOT, sampleStory } from './helpers.js';

const CLI = join(ROOT, 'dist/server/cli.js');
const CATALOG = join(ROOT, 'resources/catalog.json');
/** One public site for all instances, as behind a load balancer: their pages and ETags agree. */
const SITE = 'https://news.example.test';

interface Instance {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

let cluster: PgCluster;
let db: string;
let sql: postgres.Sql;
let nodes: Instance[] = [];
const tokens: Record<'writer' | 'editor' | 'publisher', string> = { writer: '', editor: '', publisher: '' };
const children: ChildProcess[] = [];

const execFileAsync = promisify(execFile);

// The CLI runs asynchronously: a synchronous child would stall this process's event loop, and with it
// the keep-alive bookkeeping of its HTTP client (a socket the server closed meanwhile is then reused).
async function cli(...args: string[]): Promise<string> {
  return (await execFileAsync(process.execPath, [CLI, ...args], { encoding: 'utf8' })).stdout.trim();
}

async function cliFails(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  try {
    await execFileAsync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    return { status: 0, stderr: '' };
  } catch (e) {
    const err = e as { code: number | null; stderr: string };
    return { status: err.code, stderr: err.stderr };
  }
}

/** One `serve` process on a free port; resolves once it listens. */
function serve(url: string, extra: string[] = []): Promise<Instance> {
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '--db', url, '--port', '0', '--story-workers', '0', '--log-level', 'warn', '--catalog', CATALOG, '--site', SITE, ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) resolve({ child, url: m[1]!, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${stderr.trim()}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function put(
  node: Instance,
  slug: string,
  body: unknown,
  opts: { token?: string; key?: string; ifMatch?: string; ifNoneMatch?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${opts.token ?? tokens.writer}`,
    'idempotency-key': opts.key ?? freshKey(),
  };
  if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
  if (opts.ifNoneMatch) headers['if-none-match'] = opts.ifNoneMatch;
  return fetch(`${node.url}/api/v1/stories/${slug}`, { method: 'PUT', headers, body: JSON.stringify(body) });
}

function get(node: Instance, path: string, token = tokens.writer): Promise<Response> {
  return fetch(`${node.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

/** The single `n` a `SELECT COUNT(*)::int AS n …` answers. */
async function count(rows: Promise<postgres.RowList<postgres.Row[]>>): Promise<number> {
  return (await rows)[0]!.n as number;
}

let slugs = 0;
const newSlug = (p: string) => `${p}-${++slugs}-${Date.now().toString(36)}`;

describe.skipIf(PG_SKIP_REASON !== null)('three instances on one PostgreSQL database', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], { cwd: ROOT, stdio: 'pipe' });
    cluster = await startPgCluster();
    db = await cluster.createDatabase('instances');
    sql = postgres(db, { max: 2, onnotice: () => undefined });
    // Three instances started together on an empty database: one migrates, one seeds, all serve.
    nodes = await Promise.all([serve(db), serve(db), serve(db)]);
    for (const role of ['writer', 'editor', 'publisher'] as const) tokens[role] = await cli('token', 'create', '--db', db, '--name', role, '--role', role);
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sql?.end({ timeout: 1 });
    await cluster?.stop();
  });

  it('migrated once and seeded once when all three started together', async () => {
    expect(await sql`SELECT version FROM schema_migrations ORDER BY version`).toEqual(
      Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => ({ version: i + 1 })),
    );
    const n = await count(sql`SELECT COUNT(*)::int AS n FROM catalog_items WHERE kind = 'beat'`);
    const beats = (JSON.parse(readFileSync(CATALOG, 'utf8')) as { beats: unknown[] }).beats.length;
    expect(n).toBe(beats);
    for (const node of nodes) expect((await fetch(`${node.url}/api/v1/health`)).status).toBe(200);
  });

  it('token create, list and revoke work on a postgres:// database; a revocation holds on every instance at once', async () => {
    const token = await cli('token', 'create', '--db', db, '--name', 'short-lived', '--role', 'editor');
    expect(await cli('token', 'list', '--db', db)).toMatch(/^short-lived\teditor\t/m);
    for (const node of nodes) expect((await get(node, '/api/v1/whoami', token)).status).toBe(200);
    expect(await cli('token', 'revoke', 'short-lived', '--db', db)).toBe('revoked short-lived');
    for (const node of nodes) expect((await get(node, '/api/v1/whoami', token)).status).toBe(401);
    expect(await cliFails('token', 'revoke', 'short-lived', '--db', db)).toMatchObject({ status: 2, stderr: 'studio-server: no token named "short-lived"\n' });
  });

  it('two PUTs with the same If-Match on different instances: exactly one wins, every round', async () => {
    for (let round = 0; round < 10; round++) {
      const slug = newSlug('race');
      expect((await put(nodes[0]!, slug, sampleStory(), { ifNoneMatch: '*' })).status).toBe(201);
      const results = await Promise.all(
        nodes.flatMap((node, i) => [0, 1].map((j) => put(node, slug, sampleStory({ title: `Racer ${i}.${j}` }), { ifMatch: '"v1"' }))),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412, 412]);
      const n = await count(sql`SELECT COUNT(*)::int AS n FROM story_versions WHERE slug = ${slug}`);
      expect(n).toBe(2);
    }
  });

  it('one Idempotency-Key sent to two instances at once executes once: the other answers 409 in flight or the replay, and any instance replays it byte for byte', async () => {
    let replays = 0;
    let inFlight = 0;
    for (let round = 0; round < 20; round++) {
      const slug = newSlug('twin');
      const key = freshKey();
      const body = sampleStory({ title: `Twin ${round}` });
      const [a, b] = await Promise.all([
        put(nodes[round % 3]!, slug, body, { key, ifNoneMatch: '*' }),
        put(nodes[(round + 1) % 3]!, slug, body, { key, ifNoneMatch: '*' }),
      ]);
      const [ta, tb] = [await a.text(), await b.text()];
      const statuses = [a.status, b.status].sort();
      if (statuses[0] === 201 && statuses[1] === 201) {
        expect(ta).toBe(tb);
        replays++;
      } else {
        expect(statuses).toEqual([201, 409]);
        expect(JSON.parse(a.status === 409 ? ta : tb).error).toBe('idempotency_key_in_flight');
        inFlight++;
      }
      const first = a.status === 201 ? { r: a, t: ta } : { r: b, t: tb };
      for (const node of nodes) {
        const again = await put(node, slug, body, { key, ifNoneMatch: '*' });
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.status).toBe(201);
        expect(again.headers.get('etag')).toBe(first.r.headers.get('etag'));
        expect(await again.text()).toBe(first.t);
      }
      const n = await count(sql`SELECT COUNT(*)::int AS n FROM story_versions WHERE slug = ${slug}`);
      expect(n).toBe(1);
    }
    expect(replays + inFlight).toBe(20);
  });

  it('old keys are swept once however many instances sweep at the same moment', async () => {
    const old = new Date(Date.now() - 25 * 3600_000).toISOString();
    const keys = Array.from({ length: 300 }, (_, i) => `sweep-${i}-${Date.now()}`);
    await sql`INSERT INTO idempotency (owner, key, fingerprint, state, status, headers, body, created_at)
              SELECT 'writer', k, 'f', 'done', 201, '{}', '{}', ${old} FROM unnest(${keys}::text[]) AS k`;
    const stores = await Promise.all([PgStore.open(db, { poolSize: 2 }), PgStore.open(db, { poolSize: 2 }), PgStore.open(db, { poolSize: 2 })]);
    try {
      const removed = await Promise.all(stores.map((s) => s.sweepIdempotency(new Date(Date.now() - 24 * 3600_000).toISOString())));
      expect(removed.reduce((a, b) => a + b, 0)).toBe(300);
      const n = await count(sql`SELECT COUNT(*)::int AS n FROM idempotency WHERE key LIKE 'sweep-%'`);
      expect(n).toBe(0);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('public pages follow a publication, an update and a withdrawal on another instance at the next request (no stale 200 after a 410)', async () => {
    const slug = newSlug('page');
    const [a, b, c] = nodes as [Instance, Instance, Instance];
    expect((await fetch(`${b.url}/stories/${slug}`)).status).toBe(404);
    expect((await put(a, slug, sampleStory({ status: 'published', title: 'First headline' }), { token: tokens.publisher, ifNoneMatch: '*' })).status).toBe(201);
    const first = await fetch(`${b.url}/stories/${slug}`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(await first.text()).toContain('First headline');
    expect((await fetch(`${c.url}/stories/${slug}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await put(a, slug, sampleStory({ status: 'published', title: 'Second headline' }), { token: tokens.publisher, ifMatch: '"v1"' })).status).toBe(200);
    for (const node of [b, c]) {
      const r = await fetch(`${node.url}/stories/${slug}`, { headers: { 'if-none-match': etag } });
      expect(r.status).toBe(200);
      expect(r.headers.get('etag')).not.toBe(etag);
      expect(await r.text()).toContain('Second headline');
    }
    const w = await fetch(`${a.url}/api/v1/stories/${slug}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${tokens.publisher}`, 'if-match': '"v2"' },
    });
    expect(w.status).toBe(200);
    for (const node of [b, c]) {
      expect((await fetch(`${node.url}/stories/${slug}`)).status).toBe(410);
      expect((await fetch(`${node.url}/stories/${slug}`, { headers: { 'if-none-match': etag } })).status).toBe(410);
      expect(await (await fetch(`${node.url}/`)).text()).not.toContain(`/stories/${slug}"`);
    }
  });

  it('cursors never skip: two instances write 10,000 changes concurrently while a third pages; every change is seen exactly once', async () => {
    const [reader, ...writers] = nodes as [Instance, Instance, Instance];
    const head = await (await get(reader, '/api/v1/stories?limit=1')).json();
    // Start from the newest cursor: page to the end first.
    let since = String(head.cursor);
    for (let more = head.hasMore; more;) {
      const p = await (await get(reader, `/api/v1/stories?since=${since}&limit=5000`)).json();
      since = p.cursor;
      more = p.hasMore;
    }
    const catHead = await (await get(reader, '/api/v1/catalog?limit=5000')).json();
    let catSince = String(catHead.cursor);
    for (let more = catHead.hasMore; more;) {
      const p = await (await get(reader, `/api/v1/catalog?since=${catSince}&limit=5000`)).json();
      catSince = p.cursor;
      more = p.hasMore;
    }
    const TOTAL = 10_000;
    const PER_WRITER = 8; // concurrent requests per writing instance
    const run = Date.now().toString(36);
    let next = 0;
    const written: string[] = [];
    const published = new Set<string>();
    const worker = async (node: Instance) => {
      for (let i = next++; i < TOTAL; i = next++) {
        const slug = `c-${run}-${i}`;
        const pub = i % 10 === 0;
        const body = { title: `Change ${i}`, beat: 'open-source-ai', body: `Change ${i}.\n`, citations: [], status: pub ? 'published' : 'review' };
        const r = await put(node, slug, body, { ifNoneMatch: '*', token: pub ? tokens.publisher : tokens.writer });
        if (r.status !== 201) throw new Error(`PUT ${slug}: ${r.status} ${await r.text()}`);
        await r.arrayBuffer();
        written.push(slug);
        if (pub) published.add(slug);
      }
    };
    const seen = new Map<string, number>();
    const seenCatalog = new Map<string, number>();
    let pages = 0;
    let writing = true;
    const pageOnce = async () => {
      const p = await (await get(reader, `/api/v1/stories?since=${since}&limit=200`)).json();
      for (const item of p.items as { slug: string }[]) if (item.slug.startsWith(`c-${run}-`)) seen.set(item.slug, (seen.get(item.slug) ?? 0) + 1);
      since = p.cursor;
      const c = await (await get(reader, `/api/v1/catalog?since=${catSince}&limit=200`)).json();
      for (const item of c.stories as { slug: string }[])
        if (item.slug.startsWith(`c-${run}-`)) seenCatalog.set(item.slug, (seenCatalog.get(item.slug) ?? 0) + 1);
      catSince = c.cursor;
      pages++;
      return p.hasMore || c.hasMore;
    };
    const reading = (async () => {
      // Polling as a client does; a short pause when caught up leaves the cores to the writers.
      while (writing) if (!(await pageOnce())) await new Promise((r) => setTimeout(r, 5));
      while (await pageOnce());
    })();
    await Promise.all(writers.flatMap((node) => Array.from({ length: PER_WRITER }, () => worker(node))));
    writing = false;
    await reading;
    expect(written).toHaveLength(TOTAL);
    expect(seen.size).toBe(TOTAL);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    expect(seenCatalog.size).toBe(published.size);
    expect([...seenCatalog.values()].every((n) => n === 1)).toBe(true);
    // The reader really paged while the writers wrote (not once at the end).
    expect(pages).toBeGreaterThan(20);
  }, 900_000);

  it('kill -9 of one instance during a PUT stream while two others serve: every acknowledged version is there, no duplicates', async () => {
    const victim = await serve(db);
    const live = [nodes[0]!, nodes[1]!];
    const STORIES = 6;
    const ROUNDS = 40;
    const acknowledged = new Map<string, number[]>();
    let killed = false;
    const stream = async (s: number) => {
      const slug = newSlug(`stream${s}`);
      acknowledged.set(slug, []);
      let version = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const key = freshKey();
        const body = sampleStory({ title: `Stream ${s} round ${round}` });
        const opts = version === 0 ? { key, ifNoneMatch: '*' } : { key, ifMatch: `"v${version}"` };
        // Half the stories send to the victim first; on a lost answer the same request (same key) goes elsewhere.
        const targets = s % 2 === 0 && !killed ? [victim, ...live] : [live[round % 2]!, live[(round + 1) % 2]!];
        let answer: Response | null = null;
        for (let attempt = 0; !answer; attempt++) {
          const node = targets[Math.min(attempt, targets.length - 1)]!;
          try {
            const r = await put(node, slug, body, opts);
            if (r.status === 409) {
              await r.arrayBuffer();
              await new Promise((res) => setTimeout(res, 20));
              continue;
            }
            answer = r;
          } catch {
            // Connection refused or reset: the victim is gone.
          }
        }
        expect([200, 201]).toContain(answer.status);
        const got = (await answer.json()) as { version: number };
        expect(got.version).toBe(version + 1);
        version = got.version;
        acknowledged.get(slug)!.push(version);
        if (s === 0 && round === ROUNDS / 4 && !killed) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: STORIES }, (_, s) => stream(s)));
    await exited(victim.child);
    expect(victim.child.signalCode).toBe('SIGKILL');
    for (const [slug, versions] of acknowledged) {
      expect(versions).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
      const rows = await sql`SELECT version, fields FROM story_versions WHERE slug = ${slug} ORDER BY version`;
      expect(rows.map((r) => r.version)).toEqual(versions);
      // No duplicate writes: each round's title once.
      const titles = rows.map((r) => JSON.parse(r.fields as string).title as string);
      expect(new Set(titles).size).toBe(ROUNDS);
    }
    // A claim left in flight by the dead instance is void at once: nothing is stuck at 409.
    const n = await count(sql`SELECT COUNT(*)::int AS n FROM idempotency WHERE state = 'in_flight'`);
    expect(n).toBe(0);
  });

  it('an instance refuses a database of a newer schema with one clear line', async () => {
    const newer = await cluster.createDatabase('newer');
    const other = postgres(newer, { max: 1, onnotice: () => undefined });
    await other`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
    await other`INSERT INTO schema_migrations (version) VALUES (1), (99)`;
    await other.end();
    const r = await cliFails('token', 'list', '--db', newer);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `studio-server: cannot open the database ${newer}: the database schema is version 99, newer than this server knows (${PG_SCHEMA_VERSION})\n`,
    );
    await expect(serve(newer)).rejects.toThrow(`the database schema is version 99, newer than this server knows (${PG_SCHEMA_VERSION})`);
  });
});
