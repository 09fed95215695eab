// The publishing backend under load on loopback (issue 4), each rate beside a bare Fastify route
// answering the same bytes, measured with autocannon in one run:
//   - story PUT: every request makes a new story version (each connection creates its own story with
//     If-None-Match: *, then updates it with If-Match on the version it got back; fresh keys);
//   - public page: GET /stories/:slug of a published story.
// Then the same on PostgreSQL (a throwaway cluster, fsync on), with one instance and with two
// instances sharing the database (each loaded with as many connections as the one was).
// Targets: PUT ≥ 1,000/s; page ≥ 80 % of the bare route on either store; PostgreSQL's single
// instance PUT ≥ 50 % of SQLite's.
// The server is the built `studio-server serve` (default durability: every acknowledged write on
// disk) in its own process, as it runs for real, and the bare routes are in another: autocannon, here,
// does not share their event loop. `npm run bench` calls run(); alone:
//   node bench/server-bench.mjs [--duration 5] [--connections 10]
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMs } from './bench-util.mjs';
import { startBenchCluster } from './pg-cluster.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'dist/server/cli.js');
const PUT_TARGET = 1000;
/** A cached public page against the bare route serving its bytes, on either store (issue 12). */
const PAGE_RATIO_TARGET = 0.8;
/** PostgreSQL with one instance against SQLite's story PUT rate (issue 12). */
const PG_PUT_RATIO_TARGET = 0.5;

/** A story of about 5 KB with references and a citation, as a PUT body; `revision` changes its last line. */
function benchStory(revision = 0) {
  const paragraph = (i) =>
    `Paragraph ${i}: {{entity:sam-altman|Altman}} and {{entity:openai}} met the {{beat:open-source-ai|open-source crowd}}[1]. ${'Words go here. '.repeat(20)}`;
  return {
    title: 'Benchmark story about open models',
    dek: 'A story put again and again.',
    beat: 'open-source-ai',
    body: `${Array.from({ length: 12 }, (_, i) => paragraph(i)).join('\n\n')}\n\nRevision ${revision}.\n`,
    citations: [{ n: 1, url: 'https://example.org/source', title: 'A source', source: 'Example' }],
    status: 'published',
  };
}

// The bare routes: Fastify with nothing but the route, sending the bytes it is given.
const BARE_SERVER = `
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
const put = readFileSync(process.env.BENCH_PUT_ANSWER, 'utf8');
const page = readFileSync(process.env.BENCH_PAGE, 'utf8');
const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
app.put('/api/v1/stories/:slug', async (_req, reply) => reply.type('application/json; charset=utf-8').send(put));
app.get('/stories/:slug', async (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write('listening on http://127.0.0.1:' + app.server.address().port + '\\n');
`;

/** Starts a server process and resolves with its URL, from its first line `listening on URL`. */
async function startProcess(args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${args.join(' ').slice(0, 80)} exited (${code}) before listening`)));
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(line);
  if (!m) throw new Error(`unexpected first line: ${line}`);
  return { child, url: m[1] };
}

function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** PUTs: each connection its own story, every request a new version of it, each with an edited body. */
function putLoad(url, { token, connections, duration, prefix }) {
  const base = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  // Built once: the load generator shares the cores with the server, so it should cost little.
  const template = JSON.stringify(benchStory('@REVISION@'));
  let clients = 0;
  return autocannon({
    url,
    connections,
    duration,
    setupClient(client) {
      const state = { slug: `${prefix}-${++clients}`, version: 0, n: 0 };
      client.setRequests([
        {
          method: 'PUT',
          setupRequest: (req) => ({
            ...req,
            path: `/api/v1/stories/${state.slug}`,
            body: template.replace('@REVISION@', String(state.n + 1)),
            headers: {
              ...base,
              'idempotency-key': `${state.slug}-${++state.n}`,
              ...(state.version === 0 ? { 'if-none-match': '*' } : { 'if-match': `"v${state.version}"` }),
            },
          }),
          onResponse: (status, text) => {
            // A 412 (a request cut off by a timeout, then retried) puts the chain back on the current version.
            const answer = status < 300 ? JSON.parse(text) : status === 412 ? JSON.parse(text).current : null;
            if (answer) state.version = answer.version;
          },
        },
      ]);
    },
  });
}

const getLoad = (url, { connections, duration }) => autocannon({ url, connections, duration });

/** Runs a load and adds the target process's CPU ms per completed request to its result. */
async function measured(pid, load) {
  const before = cpuMs(pid);
  const ours = process.cpuUsage();
  const result = await load();
  const after = cpuMs(pid);
  const used = process.cpuUsage(ours);
  const n = Math.max(1, result.requests.total);
  result.cpuPerRequest = before === null || after === null ? null : (after - before) / n;
  // autocannon's own share of the same cores.
  result.clientCpuPerRequest = (used.user + used.system) / 1000 / n;
  return result;
}

const rate = (r) => r.requests.average;
const describe = (r) =>
  `${Math.round(rate(r)).toLocaleString('en')} req/s (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r['2xx'].toLocaleString('en')} × 2xx, non-2xx ${r.non2xx}, errors ${r.errors}, timeouts ${r.timeouts}${r.cpuPerRequest === null ? '' : `; ${r.cpuPerRequest.toFixed(3)} ms CPU a request, autocannon ${r.clientCpuPerRequest.toFixed(3)}`})`;

export async function run({ duration = 5, connections = 10 } = {}) {
  // Always the current sources: the server part builds in a fraction of a second.
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'server'], { cwd: root, stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'studio-server-bench-'));
  const db = join(dir, 'bench.sqlite');
  let server;
  let bare;
  try {
    const token = execFileSync(process.execPath, [CLI, 'token', 'create', '--db', db, '--name', 'bench', '--role', 'publisher'], { encoding: 'utf8' }).trim();
    server = await startProcess([CLI, 'serve', '--port', '0', '--db', db, '--catalog', join(root, 'resources/catalog.json'), '--log-level', 'warn']);
    const body = JSON.stringify(benchStory());

    // The page every GET asks for, and an update's answer (what most PUTs get back), for the bare routes.
    const put = (slug, headers) =>
      fetch(`${server.url}/api/v1/stories/${slug}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const created = await put('bench-page', { 'idempotency-key': 'setup-1', 'if-none-match': '*' });
    if (created.status !== 201) throw new Error(`setup PUT answered ${created.status}: ${await created.text()}`);
    const updated = await put('bench-page', { 'idempotency-key': 'setup-2', 'if-match': '"v1"' });
    if (updated.status !== 200) throw new Error(`setup PUT answered ${updated.status}: ${await updated.text()}`);
    const putAnswer = await updated.text();
    const pageResponse = await fetch(`${server.url}/stories/bench-page`);
    if (pageResponse.status !== 200) throw new Error(`the bench page answered ${pageResponse.status}`);
    const page = await pageResponse.text();
    writeFileSync(join(dir, 'put-answer.json'), putAnswer);
    writeFileSync(join(dir, 'page.html'), page);
    bare = await startProcess(['--input-type=module', '-e', BARE_SERVER], {
      BENCH_PUT_ANSWER: join(dir, 'put-answer.json'),
      BENCH_PAGE: join(dir, 'page.html'),
    });

    const load = { token, connections, duration };
    const putServer = await measured(server.child.pid, () => putLoad(server.url, { ...load, prefix: 'bench' }));
    const putBare = await measured(bare.child.pid, () => putLoad(bare.url, { ...load, prefix: 'bare' }));
    const pageServer = await measured(server.child.pid, () => getLoad(`${server.url}/stories/bench-page`, load));
    const pageBare = await measured(bare.child.pid, () => getLoad(`${bare.url}/stories/bench-page`, load));
    await stop(server.child);
    server = undefined;

    // What the PUTs left in the file: one version per acknowledged PUT (a PUT cut off at the end of
    // the run may have been written without its answer being counted).
    const { default: Database } = await import('better-sqlite3');
    const file = new Database(db, { readonly: true });
    const versions = file.prepare(`SELECT COUNT(*) AS n FROM story_versions WHERE slug LIKE 'bench-%' AND slug <> 'bench-page'`).get().n;
    file.close();

    const putRatio = rate(putServer) / rate(putBare);
    const pageRatio = rate(pageServer) / rate(pageBare);
    const putMet = rate(putServer) >= PUT_TARGET;
    const pageMet = pageRatio >= PAGE_RATIO_TARGET;
    console.log(`\n## Publishing backend: autocannon on loopback, ${connections} connections, ${duration} s a run`);
    console.log(`- story PUT, each a new version: ${describe(putServer)}`);
    console.log(`  bare Fastify route, same answer bytes: ${describe(putBare)}`);
    console.log(
      `  ratio ${putRatio.toFixed(2)}; ${versions.toLocaleString('en')} versions written for ${putServer['2xx'].toLocaleString('en')} acknowledged PUTs  [target ≥ ${PUT_TARGET.toLocaleString('en')}/s: ${putMet ? 'met' : 'NOT met'}]`,
    );
    console.log(`- public page /stories/:slug (${Buffer.byteLength(page).toLocaleString('en')} bytes): ${describe(pageServer)}`);
    console.log(`  bare Fastify route, same bytes: ${describe(pageBare)}`);
    console.log(`  ratio ${pageRatio.toFixed(2)}  [target ≥ ${PAGE_RATIO_TARGET.toFixed(2)} of the bare route: ${pageMet ? 'met' : 'NOT met'}]`);
    if (putServer.non2xx > 0 || pageServer.non2xx > 0)
      throw new Error(`the server answered non-2xx under load (PUT ${putServer.non2xx}, page ${pageServer.non2xx})`);
    if (versions < putServer['2xx']) throw new Error(`${putServer['2xx']} PUTs acknowledged but only ${versions} versions written`);
    const pgResult = await postgresRuns({ connections, duration, pageBare: rate(pageBare), sqlitePut: rate(putServer) });
    console.log(
      `  (machine: ${availableParallelism()} cores, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} at the end)`,
    );
    return {
      put: rate(putServer),
      putBare: rate(putBare),
      putRatio,
      page: rate(pageServer),
      pageBare: rate(pageBare),
      pageRatio,
      versions,
      putMet,
      pageMet,
      postgres: pgResult,
    };
  } finally {
    await stop(server?.child);
    await stop(bare?.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The PostgreSQL store: one instance, then two on the same database, beside SQLite's figures. */
async function postgresRuns({ connections, duration, pageBare, sqlitePut }) {
  const cluster = await startBenchCluster();
  if (cluster.skipped) {
    console.log(`- PostgreSQL: SKIPPED, ${cluster.skipped}`);
    return null;
  }
  const nodes = [];
  try {
    const url = await cluster.createDatabase('bench');
    const token = execFileSync(process.execPath, [CLI, 'token', 'create', '--db', url, '--name', 'bench', '--role', 'publisher'], { encoding: 'utf8' }).trim();
    const start = async () => {
      const node = await startProcess([
        CLI,
        'serve',
        '--port',
        '0',
        '--db',
        url,
        '--catalog',
        join(root, 'resources/catalog.json'),
        '--log-level',
        'warn',
        '--site',
        'https://bench.example',
      ]);
      nodes.push(node);
      return node;
    };
    const one = await start();
    const created = await fetch(`${one.url}/api/v1/stories/bench-page`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'pg-setup', 'if-none-match': '*' },
      body: JSON.stringify(benchStory()),
    });
    if (created.status !== 201) throw new Error(`PostgreSQL setup PUT answered ${created.status}: ${await created.text()}`);
    const load = { token, connections, duration };
    const put1 = await measured(one.child.pid, () => putLoad(one.url, { ...load, prefix: 'pg1' }));
    const page1 = await measured(one.child.pid, () => getLoad(`${one.url}/stories/bench-page`, load));
    const two = await start();
    const put2 = await Promise.all([one, two].map((n, i) => putLoad(n.url, { ...load, prefix: `pg2-${i}` })));
    const page2 = await Promise.all([one, two].map((n) => getLoad(`${n.url}/stories/bench-page`, load)));
    const sum = (rs, key) => rs.reduce((a, r) => a + (key ? r[key] : rate(r)), 0);
    const { default: postgres } = await import('postgres');
    const sql = postgres(url, { max: 1, onnotice: () => undefined });
    const [{ n: versions }] = await sql`SELECT COUNT(*)::int AS n FROM story_versions WHERE slug LIKE 'pg%'`;
    await sql.end();
    const acknowledged = put1['2xx'] + sum(put2, '2xx');
    const putRatio = rate(put1) / sqlitePut;
    const pageRatio = rate(page1) / pageBare;
    console.log(`\n## Publishing backend on PostgreSQL 15 (fsync on): the same loads`);
    console.log(`- one instance, story PUT: ${describe(put1)}`);
    console.log(
      `  ratio to SQLite's ${putRatio.toFixed(2)}  [target ≥ ${PG_PUT_RATIO_TARGET.toFixed(2)}: ${putRatio >= PG_PUT_RATIO_TARGET ? 'met' : 'NOT met'}]`,
    );
    console.log(`- one instance, public page from cache: ${describe(page1)}`);
    console.log(
      `  ratio to the bare route ${pageRatio.toFixed(2)}  [target ≥ ${PAGE_RATIO_TARGET.toFixed(2)}: ${pageRatio >= PAGE_RATIO_TARGET ? 'met' : 'NOT met'}]`,
    );
    console.log(
      `- two instances, ${connections} connections each: story PUT ${Math.round(sum(put2)).toLocaleString('en')} req/s together (${put2.map((r) => Math.round(rate(r)).toLocaleString('en')).join(' + ')}; non-2xx ${sum(put2, 'non2xx')}), public page ${Math.round(sum(page2)).toLocaleString('en')} req/s together (${page2.map((r) => Math.round(rate(r)).toLocaleString('en')).join(' + ')})`,
    );
    console.log(`  ${versions.toLocaleString('en')} versions written for ${acknowledged.toLocaleString('en')} acknowledged PUTs`);
    if (versions < acknowledged) throw new Error(`${acknowledged} PUTs acknowledged on PostgreSQL but only ${versions} versions written`);
    if (put1.non2xx > 0 || page1.non2xx > 0 || sum(put2, 'non2xx') > 0 || sum(page2, 'non2xx') > 0)
      throw new Error('PostgreSQL instances answered non-2xx under load');
    return { put1: rate(put1), page1: rate(page1), put2: sum(put2), page2: sum(page2), putRatio, pageRatio, versions };
  } finally {
    for (const n of nodes) await stop(n.child);
    await cluster.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { duration: { type: 'string', default: '5' }, connections: { type: 'string', default: '10' } } });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  if (!(duration > 0) || !Number.isInteger(connections) || connections < 1) {
    console.error('server-bench: --duration must be a positive number of seconds and --connections a positive whole number');
    process.exit(2);
  }
  await run({ duration, connections });
}
