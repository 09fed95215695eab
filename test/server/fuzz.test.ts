/**
 * The malformed-input battery: ≥ 10,000 generated requests (bad JSON, wrong shapes, odd and huge
 * headers, bad slugs, bad cursors, over-long bodies) against one real server. Expected: no 5xx,
 * every API error is `{ error, message }`, health still answers, and no story is ever written.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { storyPutBodySchema } from '../../shared/protocol/index.js';
import type { SqliteStore } from '../../server/store/sqlite-store.js';
import { sampleStory, startServer, type TestServer } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

const RUNS = Number(process.env.SERVER_FUZZ_RUNS ?? 10_000);
/** A new seed each run, printed, so a failure can be replayed with SERVER_FUZZ_SEED. */
const SEED = Number(process.env.SERVER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`server fuzz: seed ${SEED} (replay with SERVER_FUZZ_SEED=${SEED})`);
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const headerValue = fc.oneof(fc.string({ unit: printable, maxLength: 40 }), fc.string({ unit: printable, minLength: 190, maxLength: 260 }), fc.constant(''));
const validSlug = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/);
const slug = fc.oneof(
  validSlug,
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: printable, maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('..', '%2e%2e', '%zz', '%00', 'a--b', '-a', 'A', 'a_b', 'x'.repeat(121), 'x'.repeat(400), 'é', '%F0%9F%92%A9', 'a.txt', '.txt'),
);
const cursor = fc.oneof(
  fc.constantFrom('-1', '1.5', '1e3', 'abc', '', '99999999999999999999', '0x10', ' 1', '%00', '1&since=2'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);
const limit = fc.oneof(fc.constantFrom('0', '5001', '-5', 'x', '1.0', '', '100000000000000000000'), fc.string({ maxLength: 10 }).map(encodeURIComponent));

const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
  fc.constant(''),
);
const keys = ['title', 'dek', 'beat', 'body', 'citations', 'status', 'published'] as const;
/** A story body that does not fit the shape (checked against the schema itself). */
const wrongShape = fc
  .oneof(
    fc.record({ drop: fc.constantFrom('title', 'beat', 'body', 'citations', 'status') }).map(({ drop }) => {
      const b: Record<string, unknown> = { ...sampleStory() };
      delete b[drop];
      return b;
    }),
    fc.record({ key: fc.constantFrom(...keys), value: wrongType }).map(({ key, value }) => ({ ...sampleStory(), [key]: value })),
    fc
      .record({ key: fc.string({ minLength: 1, maxLength: 10 }), value: fc.jsonValue({ maxDepth: 1 }) })
      .map(({ key, value }) => ({ ...sampleStory(), [`x-${key}`]: value })),
    fc.constantFrom('draft', 'withdrawn', 'PUBLISHED', '').map((status) => ({ ...sampleStory(), status })),
    fc
      .record({ n: fc.oneof(fc.integer({ max: 0 }), fc.double(), fc.string()) })
      .map(({ n }) => ({ ...sampleStory(), citations: [{ n, url: 'https://x.org' }] })),
    fc.jsonValue({ maxDepth: 3 }),
  )
  .filter((b) => !storyPutBodySchema.safeParse(b).success)
  .map((b) => JSON.stringify(b) ?? 'null');
const badJson = fc.oneof(
  fc.nat({ max: 400 }).map((cut) => {
    const text = JSON.stringify(sampleStory());
    return text.slice(0, Math.min(cut, text.length - 1));
  }),
  fc.string({ maxLength: 60 }).map((t) => `{${t}`),
  fc.constantFrom('', 'nul', '{"title": "a",}', "{'a':1}", '[1,2', '\u0000', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": {}}}'),
);
const HUGE = JSON.stringify({ ...sampleStory(), body: 'x'.repeat(2 * 1024 * 1024 + 1) });
const body = fc.oneof({ weight: 10, arbitrary: badJson }, { weight: 10, arbitrary: wrongShape }, { weight: 1, arbitrary: fc.constant(HUGE) });

const validKey = fc.string({ unit: printable, minLength: 1, maxLength: 40 }).filter((k) => k.trim() === k && k.length > 0);
const request = fc.record({
  method: fc.constantFrom('GET', 'PUT', 'PUT', 'PUT', 'PUT', 'DELETE', 'POST', 'PATCH', 'HEAD', 'OPTIONS'),
  path: fc.oneof(
    { weight: 6, arbitrary: slug.map((x) => `/api/v1/stories/${x}`) },
    { weight: 6, arbitrary: validSlug.map((x) => `/api/v1/stories/${x}`) },
    { weight: 2, arbitrary: slug.map((x) => `/api/v1/catalog/entities/${x}`) },
    { weight: 2, arbitrary: fc.tuple(cursor, limit).map(([c, l]) => `/api/v1/catalog?since=${c}&limit=${l}`) },
    { weight: 2, arbitrary: fc.tuple(cursor, limit).map(([c, l]) => `/api/v1/stories?since=${c}&limit=${l}`) },
    { weight: 2, arbitrary: slug.map((x) => `/stories/${x}`) },
    { weight: 1, arbitrary: slug.map((x) => `/entities/${x}`) },
    { weight: 1, arbitrary: slug.map((x) => `/beats/${x}`) },
    { weight: 1, arbitrary: fc.string({ unit: printable, maxLength: 12 }).map((p) => `/?page=${encodeURIComponent(p)}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }).map((p) => `/${encodeURIComponent(p)}`) },
    // The API again, spelled with percent-escapes the router decodes, and the whoami extension.
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('/%61pi/v1', '/api/%761', '/%61%70%69/v1'),
          fc.constantFrom('/stories', '/catalog', '/whoami', '/stories/a', '/catalog/entities/a'),
        )
        .map(([a, b]) => a + b),
    },
    { weight: 1, arbitrary: fc.constant('/api/v1/whoami') },
  ),
  auth: fc.constantFrom('writer', 'publisher', 'publisher', 'garbage', 'none', 'writer'),
  key: fc.oneof({ weight: 4, arbitrary: validKey }, { weight: 2, arbitrary: headerValue }, { weight: 1, arbitrary: fc.constant(undefined) }),
  ifMatch: fc.option(fc.oneof(fc.constantFrom('"v1"', '"v0"', '*', 'v1', '"v-1"', '"v99999999999999999999"', 'W/"v1"'), headerValue), {
    nil: undefined,
    freq: 2,
  }),
  ifNoneMatch: fc.option(fc.oneof({ weight: 4, arbitrary: fc.constant('*') }, { weight: 1, arbitrary: headerValue }), { nil: undefined, freq: 1 }),
  contentType: fc.constantFrom('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', undefined),
  body,
  extra: fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), headerValue, { maxKeys: 4 }),
  bigHeader: fc.nat({ max: 99 }).map((n) => (n === 0 ? 'y'.repeat(20_000) : n === 1 ? 'y'.repeat(8_000) : undefined)),
});

/** Everything the database holds, as one comparable value: a request that wrote anything changes it. */
function snapshot() {
  const db = (s.store as SqliteStore).db;
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((t) => t.name);
  const out: Record<string, unknown> = {};
  for (const t of tables) {
    const rows = db.prepare(`SELECT * FROM "${t}"`).all();
    out[t] = {
      count: rows.length,
      hash: createHash('sha256')
        .update(JSON.stringify(rows, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v)))
        .digest('hex'),
    };
  }
  return out;
}

it(`answers ${RUNS} malformed requests without a 5xx and writes nothing`, async () => {
  const started = Date.now();
  const before = snapshot();
  expect(Object.keys(before)).toEqual(expect.arrayContaining(['stories', 'story_versions', 'catalog_items', 'idempotency', 'counters', 'tokens']));
  let sent = 0;
  let refusedByClient = 0;
  const statuses = new Map<number, number>();
  const codes = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers: Record<string, string> = {};
      if (r.auth === 'writer' || r.auth === 'publisher') headers.authorization = `Bearer ${s.tokens[r.auth]}`;
      if (r.auth === 'garbage') headers.authorization = 'Bearer not-a-real-token-at-all-but-long-enough';
      if (r.key !== undefined) headers['idempotency-key'] = r.key;
      if (r.ifMatch !== undefined) headers['if-match'] = r.ifMatch;
      if (r.ifNoneMatch !== undefined) headers['if-none-match'] = r.ifNoneMatch;
      if (r.contentType) headers['content-type'] = r.contentType;
      if (r.bigHeader) headers['x-big'] = r.bigHeader;
      Object.assign(headers, r.extra);
      const withBody = r.method !== 'GET' && r.method !== 'HEAD';
      let res: Response;
      try {
        res = await fetch(`${s.url}${r.path}`, { method: r.method, headers, ...(withBody ? { body: r.body } : {}) });
      } catch {
        refusedByClient++;
        return;
      }
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      expect(res.status, `${r.method} ${r.path}: ${text.slice(0, 200)}`).toBeLessThan(500);
      if (r.path.startsWith('/api/') && res.status >= 400 && r.method !== 'HEAD') {
        const parsed = JSON.parse(text);
        expect(parsed.error).toMatch(/^[a-z_]+$/);
        expect(typeof parsed.message).toBe('string');
        codes.set(parsed.error, (codes.get(parsed.error) ?? 0) + 1);
      }
    }),
    { numRuns: RUNS, seed: SEED },
  );
  const health = await fetch(`${s.url}/api/v1/health`);
  expect(health.status).toBe(200);
  const counts = (s.store as SqliteStore).db
    .prepare('SELECT (SELECT COUNT(*) FROM stories) AS stories, (SELECT COUNT(*) FROM story_versions) AS versions')
    .get();
  expect(counts).toEqual({ stories: 0, versions: 0 });
  // Nor anything else: catalog, change counter, idempotency keys, tokens are as they were.
  expect(snapshot()).toEqual(before);
  expect(sent).toBeGreaterThanOrEqual(RUNS * 0.95);
  console.log(
    `fuzz: ${sent} requests answered (${refusedByClient} refused by fetch itself) in ${((Date.now() - started) / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; API error codes ${JSON.stringify(Object.fromEntries(codes))}`,
  );
}, 180_000);

it('survives raw malformed HTTP on the socket', async () => {
  const { port } = new URL(s.url);
  const garbage = fc.sample(
    fc.oneof(
      fc.string({ maxLength: 200 }).map((t) => `${t}\r\n\r\n`),
      fc.string({ unit: 'binary', maxLength: 100 }).map((t) => `PUT /api/v1/stories/a HTTP/1.1\r\nHost: x\r\nX-Odd: ${t}\r\n\r\n`),
      fc.nat({ max: 5 }).map((n) => `GET / HTTP/1.1\r\nHost: x\r\n${'X-Many: 1\r\n'.repeat(n * 500)}\r\n`),
      fc.constantFrom(
        'PUT /api/v1/stories/a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n\r\n',
        'PUT /api/v1/stories/a HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        'GET /\x00 HTTP/1.1\r\n\r\n',
        'GET / HTTP/9.9\r\nHost: x\r\n\r\n',
      ),
    ),
    { numRuns: 300, seed: SEED + 1 },
  );
  for (const raw of garbage) {
    const reply = await new Promise<string>((resolve) => {
      const sock = connect(Number(port), '127.0.0.1');
      let data = '';
      sock.on('data', (d) => (data += d.toString('latin1')));
      sock.on('error', () => resolve(data));
      sock.on('close', () => resolve(data));
      sock.setTimeout(2000, () => sock.destroy());
      sock.end(raw, 'utf8');
    });
    const m = /^HTTP\/1\.1 (\d{3})/.exec(reply);
    if (m) expect(Number(m[1]), JSON.stringify(raw).slice(0, 200)).toBeLessThan(500);
  }
  expect((await fetch(`${s.url}/api/v1/health`)).status).toBe(200);
});
