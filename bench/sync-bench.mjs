// The studio's sync against the reference backend (issue 6), in one run:
//   - push: 10,000 stories of a fresh library (Library.open on a temporary file), each submitted for
//     review through SyncService.enqueue (the outbox on the library's file), then one drain
//     (SyncService.run without pull: the engine sends one PUT at a time). Beside it, against a fresh
//     backend database, a raw loop sending the very same PUTs (the bodies from the shared `putBody`
//     of the queued revisions, their Idempotency-Keys, If-None-Match: *) one after another with
//     fetch and nothing else, half before the drain and half after (the neighbours' load on shared
//     cores then weighs on both). Both backends (and fetch here) first take the same 200 warm-up PUTs
//     of other stories. Target: the outbox drains at ≥ 50 % of the raw loop's rate.
//   - pull: a backend whose catalog holds 100,000 items (98,950 entities, 50 beats, 1,000 stories,
//     from bench-util's generateCatalog, passed with --catalog); a studio with a fresh library pulls
//     it the way the app does (SyncService.run: catalog pages, then adoption as the library's
//     catalog copy). Target: ≤ 3 s.
// Each backend is the built `studio-server serve` in its own process on loopback (fresh database).
// `npm run bench` calls run(); alone:
//   node bench/sync-bench.mjs [--stories 10000] [--catalog 100000] [--only push|pull]
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuMs, generateCatalog } from './bench-util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(root, 'dist/server/cli.js');
const cacheDir = join(root, 'node_modules', '.cache', 'studio-bench');
const PUSH_RATIO_TARGET = 0.5;
const PULL_TARGET_MS = 3000;
const WARM_UP = 200;

/** The studio's library, sync service, vault and wire helpers, bundled from their TypeScript sources. */
async function loadStudio() {
  mkdirSync(cacheDir, { recursive: true });
  const out = join(cacheDir, 'sync.mjs');
  await build({
    stdin: {
      contents: `
        export { Library } from './electron/services/library/index.ts';
        export { SyncService } from './electron/services/sync-service/index.ts';
        export { MemoryVault } from './electron/services/vault/index.ts';
        export { putBody } from './shared/protocol/wire-story.ts';`,
      resolveDir: root,
      loader: 'ts',
    },
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}

/** A draft of about 3 KB with references to the sample catalog's entities and beat, and a citation. */
function draft(i) {
  const paragraph = (p) =>
    `Paragraph ${p} of story ${i}: {{entity:sam-altman|Altman}} and {{entity:openai}} met the {{beat:open-source-ai|open-source crowd}}[1]. ${'Builders kept shipping local tools. '.repeat(6)}`;
  return [
    '---',
    `title: Bench story ${i} about open models`,
    `dek: One of many stories submitted at once.`,
    'beat: open-source-ai',
    `slug: bench-story-${i}`,
    'status: draft',
    'citations:',
    '  - n: 1',
    '    url: https://example.org/source',
    '    title: A source',
    '---',
    '',
    Array.from({ length: 10 }, (_, p) => paragraph(p)).join('\n\n'),
    '',
  ].join('\n');
}

/** Starts `studio-server serve` on a fresh database; resolves with its URL, a publisher token and the process. */
async function startBackend(dir, name, catalogFile) {
  const db = join(dir, `${name}.sqlite`);
  const token = execFileSync(process.execPath, [CLI, 'token', 'create', '--db', db, '--name', 'bench', '--role', 'publisher'], { encoding: 'utf8' }).trim();
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', '--catalog', catalogFile, '--log-level', 'warn'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the backend (${name}) exited (${code}) before listening`)));
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(line);
  if (!m) throw new Error(`unexpected first line: ${line}`);
  child.stdout.resume();
  await settle(child.pid);
  return { url: m[1].replace(/\/+$/, ''), token, child };
}

function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** Runs `fn`, timing it and measuring the CPU it took here and in the backend process. */
async function measured(pid, fn) {
  const server0 = cpuMs(pid);
  const ours0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  const ours = process.cpuUsage(ours0);
  const server1 = cpuMs(pid);
  return { value, ms, cpu: (ours.user + ours.system) / 1000, serverCpu: server0 === null || server1 === null ? null : server1 - server0 };
}

/**
 * Waits until a freshly started backend is idle (under 5 % of a core over 250 ms, at most 20 s):
 * after `listening` it still works in the background for a while (with a 100,000-item catalog,
 * seconds of CPU), which would otherwise be measured as the studio's time on a 2-core machine.
 */
async function settle(pid) {
  const until = performance.now() + 20_000;
  let before = cpuMs(pid);
  while (before !== null && performance.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    const now = cpuMs(pid);
    if (now === null || now - before <= 12.5) return;
    before = now;
  }
}

/** PUTs of a few stories that are not part of the measurement (slugs warm-up-N). */
async function warmUp(backend, body, n = WARM_UP) {
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${backend.url}/api/v1/stories/warm-up-${i}`, {
      method: 'PUT',
      body,
      headers: {
        'content-type': 'application/json',
        'idempotency-key': `warm-up-${i}`,
        'if-none-match': '*',
        authorization: `Bearer ${backend.token}`,
        accept: 'application/json',
      },
    });
    await res.text();
    if (res.status !== 201) throw new Error(`a warm-up PUT answered ${res.status}`);
  }
}

const perStory = (m, n) => `${(m.cpu / n).toFixed(2)} ms CPU a story here${m.serverCpu === null ? '' : `, ${(m.serverCpu / n).toFixed(2)} in the backend`}`;
const rateOf = (n, ms) => (n / ms) * 1000;
const fmtRate = (r) => `${Math.round(r).toLocaleString('en')} stories/s`;

async function benchPush(studio, dir, stories) {
  const { Library, SyncService, MemoryVault, putBody } = studio;
  const catalog = join(root, 'resources/catalog.json');
  // With the catalog the stories name: each Submit is checked against it first (issue 11 #2), and
  // a library without one would refuse every draft as naming unknown entities.
  const lib = Library.open(join(dir, 'push-library.sqlite'), { seed: { catalogPath: catalog } });
  let raw;
  let synced;
  try {
    // The library: drafts, in one transaction (the setup, not measured).
    const ids = [];
    lib.db.transaction(() => {
      for (let i = 0; i < stories; i++) ids.push(lib.putBySlug(`bench-story-${i}`, draft(i)).id);
    })();
    raw = await startBackend(dir, 'raw', catalog);
    synced = await startBackend(dir, 'outbox', catalog);
    const vault = new MemoryVault();
    await vault.save({ backendUrl: synced.url, token: synced.token });
    const service = new SyncService({ library: lib, vault, intervalMs: 0 });

    // Submit each for review: the outbox row, and the story's status saved as a new revision.
    const enqueue = await measured(null, async () => {
      for (const id of ids) await service.enqueue(id, 'review');
    });

    // The very same PUTs, built before the loop: what the outbox holds, as the engine sends it.
    const rows = lib.db.prepare('SELECT story_slug, revision, target_status, idempotency_key FROM sync_outbox ORDER BY id').all();
    if (rows.length !== stories) throw new Error(`the outbox holds ${rows.length} rows, not ${stories}`);
    const requests = rows.map((r) => ({
      url: `${raw.url}/api/v1/stories/${encodeURIComponent(r.story_slug)}`,
      body: JSON.stringify(putBody(r.revision, r.target_status)),
      headers: {
        'content-type': 'application/json',
        'idempotency-key': r.idempotency_key,
        'if-none-match': '*',
        authorization: `Bearer ${raw.token}`,
        accept: 'application/json',
      },
    }));

    // Both backends, and fetch here, warmed alike with stories of their own, so that neither loop
    // pays for the other's JIT warm-up.
    for (const backend of [raw, synced]) await warmUp(backend, requests[0].body);

    // The raw loop: one PUT after another, nothing else. It runs in two halves, one before the drain
    // and one after, so that a change in the neighbours' load on the shared cores weighs on both.
    const rawLoop = (list) =>
      measured(raw.child.pid, async () => {
        let bad = 0;
        for (const r of list) {
          const res = await fetch(r.url, { method: 'PUT', headers: r.headers, body: r.body });
          await res.text();
          if (res.status !== 201) bad++;
        }
        return bad;
      });
    const half = Math.ceil(stories / 2);
    const before = await rawLoop(requests.slice(0, half));

    // One drain through the outbox (push only; the engine sends one PUT at a time).
    const drain = await measured(synced.child.pid, () => service.run({ pull: false, maxWaitMs: 60_000 }));
    const push = drain.value.push;
    if (!push || push.done !== stories)
      throw new Error(`the drain settled ${push?.done ?? 0} of ${stories} changes (${JSON.stringify(push ?? drain.value.overview.lastError)})`);

    const after = await rawLoop(requests.slice(half));
    if (before.value + after.value > 0) throw new Error(`the raw loop got ${before.value + after.value} answers other than 201`);
    const loop = {
      ms: before.ms + after.ms,
      cpu: before.cpu + after.cpu,
      serverCpu: before.serverCpu === null || after.serverCpu === null ? null : before.serverCpu + after.serverCpu,
    };
    const rawRate = rateOf(stories, loop.ms);
    const outboxRate = rateOf(push.done, drain.ms);
    const ratio = outboxRate / rawRate;
    const met = ratio >= PUSH_RATIO_TARGET;
    const kb = requests.reduce((s, r) => s + r.body.length, 0) / requests.length / 1024;
    console.log(`\n## Sync push: ${stories.toLocaleString('en')} stories (PUT bodies of ${kb.toFixed(1)} KB), one at a time, reference backend on loopback`);
    console.log(
      `- submitted for review (SyncService.enqueue: outbox row and a new revision each): ${(enqueue.ms / 1000).toFixed(2)} s, ${fmtRate(rateOf(stories, enqueue.ms))}`,
    );
    console.log(`- outbox drain (SyncService.run, push only): ${(drain.ms / 1000).toFixed(2)} s, ${fmtRate(outboxRate)} (${perStory(drain, stories)})`);
    console.log(
      `  raw fetch loop, same PUTs, fresh backend: ${(loop.ms / 1000).toFixed(2)} s, ${fmtRate(rawRate)} (${perStory(loop, stories)}; half before the drain ${fmtRate(rateOf(half, before.ms))}, half after ${fmtRate(rateOf(stories - half, after.ms))})`,
    );
    console.log(`  ratio ${ratio.toFixed(2)}  [target ≥ ${PUSH_RATIO_TARGET.toFixed(2)} of the raw loop: ${met ? 'met' : 'NOT met'}]`);
    return { outboxRate, rawRate, ratio, enqueueRate: rateOf(stories, enqueue.ms), met };
  } finally {
    await stop(raw?.child);
    await stop(synced?.child);
    lib.close();
  }
}

async function benchPull(studio, dir, items) {
  const { Library, SyncService, MemoryVault } = studio;
  // 50 beats and 1,000 stories come with every generated catalog; the rest are entities.
  const { catalog } = generateCatalog(items - 1050);
  const total = catalog.entities.length + catalog.beats.length + catalog.stories.length;
  const catalogFile = join(dir, 'catalog.json');
  writeFileSync(catalogFile, JSON.stringify(catalog));
  const backend = await startBackend(dir, 'pull', catalogFile);
  const lib = Library.open(join(dir, 'pull-library.sqlite'));
  try {
    const vault = new MemoryVault();
    await vault.save({ backendUrl: backend.url, token: backend.token });
    let pages = 0;
    let limit = null;
    const counting = (url, init) => {
      const u = new URL(String(url));
      if (u.pathname === '/api/v1/catalog') {
        pages++;
        limit = u.searchParams.get('limit');
      }
      return fetch(url, init);
    };
    const service = new SyncService({ library: lib, vault, intervalMs: 0, fetch: counting });
    const pulled = await measured(backend.child.pid, () => service.run({ pull: true }));
    const result = pulled.value.pull;
    if (!result) throw new Error(`the pull did not run: ${pulled.value.overview.lastError}`);
    const copy = JSON.parse(lib.db.prepare('SELECT json FROM catalog WHERE id = 1').get()?.json ?? '{}');
    const adopted = (copy.entities?.length ?? 0) + (copy.beats?.length ?? 0) + (copy.stories?.length ?? 0);
    if (result.catalogChanges !== total || adopted !== total) {
      throw new Error(
        `pulled ${result.catalogChanges} catalog changes and adopted ${adopted} items, not ${total} (${pulled.value.overview.lastError ?? 'no error'})`,
      );
    }
    const met = pulled.ms <= PULL_TARGET_MS;
    console.log(
      `\n## Sync pull: a ${total.toLocaleString('en')}-item catalog from scratch into a fresh library (${catalog.entities.length.toLocaleString('en')} entities, ${catalog.beats.length} beats, ${catalog.stories.length.toLocaleString('en')} stories)`,
    );
    console.log(
      `- SyncService.run (pull, adopted as the library's catalog copy): ${(pulled.ms / 1000).toFixed(2)} s, ${pages} catalog pages of up to ${limit} items  [target ≤ ${(PULL_TARGET_MS / 1000).toFixed(0)} s: ${met ? 'met' : 'NOT met'}]`,
    );
    console.log(
      `  CPU ${(pulled.cpu / 1000).toFixed(2)} s here${pulled.serverCpu === null ? '' : `, ${(pulled.serverCpu / 1000).toFixed(2)} s in the backend`}`,
    );
    return { pullMs: pulled.ms, pages, met };
  } finally {
    await stop(backend.child);
    lib.close();
  }
}

export async function run({ stories = 10_000, catalogItems = 100_000, only } = {}) {
  // Always the current sources: the server part builds in a fraction of a second.
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'server'], { cwd: root, stdio: 'ignore' });
  const studio = await loadStudio();
  const dir = mkdtempSync(join(tmpdir(), 'studio-sync-bench-'));
  try {
    const out = {};
    if (only !== 'pull') out.push = await benchPush(studio, dir, stories);
    if (only !== 'push') out.pull = await benchPull(studio, dir, catalogItems);
    console.log(
      `  (machine: ${availableParallelism()} cores, load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')} at the end)`,
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { stories: { type: 'string', default: '10000' }, catalog: { type: 'string', default: '100000' }, only: { type: 'string' } },
  });
  const stories = Number(values.stories);
  const catalogItems = Number(values.catalog);
  if (
    !Number.isInteger(stories) ||
    stories < 1 ||
    !Number.isInteger(catalogItems) ||
    catalogItems < 1051 ||
    (values.only && !['push', 'pull'].includes(values.only))
  ) {
    console.error('sync-bench: --stories a positive whole number, --catalog a whole number ≥ 1051, --only push or pull');
    process.exit(2);
  }
  await run({ stories, catalogItems, only: values.only });
}
