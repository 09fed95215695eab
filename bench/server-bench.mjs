// The publishing backend under load, beside bare Fastify routes answering the same bytes:
//   story PUT rate (every request a new story version, unique Idempotency-Keys) and public page rate.
// Run after `node scripts/build.mjs server`: node bench/server-bench.mjs [--duration 5] [--connections 10] [--sync FULL|NORMAL]
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '10' }, sync: { type: 'string', default: 'FULL' } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const { buildServer, SqliteStore, newToken, hashToken } = await import(join(root, 'dist/server/cli.js'));
const catalog = JSON.parse(readFileSync(join(root, 'resources/catalog.json'), 'utf8'));

const dir = mkdtempSync(join(tmpdir(), 'studio-server-bench-'));
const store = new SqliteStore(join(dir, 'bench.sqlite'), { synchronous: values.sync });
await store.seedCatalog(catalog);
const token = newToken();
await store.createToken('bench', 'publisher', hashToken(token));
const app = await buildServer({ store, site: 'https://aidran.ai', logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${app.server.address().port}`;

const story = {
  title: 'Benchmark story about open models',
  dek: 'A story put again and again.',
  beat: 'open-source-ai',
  body: Array.from({ length: 12 }, (_, i) => `Paragraph ${i}: {{entity:sam-altman|Altman}} and {{entity:openai}} met the {{beat:open-source-ai|open-source crowd}}[1]. ${'Words go here. '.repeat(20)}`).join('\n\n') + '\n',
  citations: [{ n: 1, url: 'https://example.org/source', title: 'A source', source: 'Example' }],
  status: 'published',
};
const body = JSON.stringify(story);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'if-none-match': '*' };

// One PUT to learn the answer's size and to have a page to serve.
const first = await fetch(`${url}/api/v1/stories/bench-page`, { method: 'PUT', headers: { ...headers, 'idempotency-key': 'first' }, body });
if (first.status !== 201) throw new Error(`setup PUT failed: ${first.status} ${await first.text()}`);
const putAnswer = await first.text();
const pageBytes = await (await fetch(`${url}/stories/bench-page`)).text();

const bare = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
bare.put('/api/v1/stories/:slug', async (_req, reply) => reply.code(201).type('application/json; charset=utf-8').send(putAnswer));
bare.get('/stories/:slug', async (_req, reply) => reply.type('text/html; charset=utf-8').send(pageBytes));
await bare.listen({ port: 0, host: '127.0.0.1' });
const bareUrl = `http://127.0.0.1:${bare.server.address().port}`;

let n = 0;
function putRun(target) {
  return autocannon({
    url: target,
    connections,
    duration,
    requests: [{
      method: 'PUT',
      body,
      setupRequest: (req) => {
        const i = ++n;
        return { ...req, path: `/api/v1/stories/bench-${i}`, headers: { ...headers, 'idempotency-key': `bench-key-${i}` } };
      },
    }],
  });
}
function getRun(target) {
  return autocannon({ url: `${target}/stories/bench-page`, connections, duration });
}
const fmt = (r) => `${r.requests.average.toFixed(0)} req/s (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors})`;

const before = n;
const putServer = await putRun(url);
const putsMade = n - before;
const putBare = await putRun(bareUrl);
const pageServer = await getRun(url);
const pageBare = await getRun(bareUrl);

const versions = store.db.prepare('SELECT COUNT(*) AS n FROM story_versions').get().n;
console.log(`story PUT, server (synchronous=${values.sync}): ${fmt(putServer)}; ${versions - 1} versions written for ${putsMade} requests`);
console.log(`story PUT, bare Fastify route, same answer bytes: ${fmt(putBare)}`);
console.log(`  ratio server / bare: ${(putServer.requests.average / putBare.requests.average).toFixed(3)}`);
console.log(`public page, server: ${fmt(pageServer)} (${pageBytes.length} bytes)`);
console.log(`public page, bare Fastify route, same bytes: ${fmt(pageBare)}`);
console.log(`  ratio server / bare: ${(pageServer.requests.average / pageBare.requests.average).toFixed(3)}`);

await bare.close();
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
