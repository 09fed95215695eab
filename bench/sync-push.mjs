// Sync push throughput against the real reference backend: N stories queued, then one drain.
// Usage: node bench/sync-push.mjs [N=500]   (needs dist/server/cli.js: node scripts/build.mjs server)
import { build } from 'esbuild';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 500);
const serverCli = join(root, 'dist/server/cli.js');
if (!existsSync(serverCli)) {
  console.error('bench/sync-push: dist/server/cli.js is not built (node scripts/build.mjs server)');
  process.exit(2);
}
const tmp = mkdtempSync(join(tmpdir(), 'bench-sync-'));
// Bundled inside the project so that its externals resolve from node_modules.
const outfile = join(root, 'node_modules/.cache/bench-sync/sync.mjs');
await build({
  entryPoints: [join(root, 'electron/services/sync/index.ts')], outfile, bundle: true, platform: 'node', format: 'esm',
  target: 'node20', packages: 'external', logLevel: 'warning', nodePaths: [join(root, 'node_modules')],
});
// Resolve externals (better-sqlite3, zod, yaml…) from the project.
const { createRequire } = await import('node:module');
const require = createRequire(join(root, 'package.json'));
const Database = require('better-sqlite3');
const { SyncEngine } = await import(pathToFileURL(outfile).href);

const db = join(tmp, 'backend.sqlite');
const server = spawn(process.execPath, [serverCli, 'serve', '--db', db, '--port', '0', '--catalog', join(root, 'resources/catalog.json')], { stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', (l) => {
    const m = /listening on (http:\/\/\S+)/.exec(l);
    if (m) resolve(m[1]); else reject(new Error(l));
  });
});
server.stdout.resume();
const token = execFileSync(process.execPath, [serverCli, 'token', 'create', '--db', db, '--name', 'bench', '--role', 'publisher'], { encoding: 'utf8' }).trim();
try {
  const engine = new SyncEngine({ db: new Database(join(tmp, 'sync.sqlite')), backendUrl: url, token: () => token });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    engine.enqueue(`---\ntitle: Bench story ${i}\nbeat: open-source-ai\nslug: bench-story-${i}\nstatus: draft\n---\nA paragraph about {{entity:sam-altman|Sam Altman}}.\n`, 'review');
  }
  const t1 = performance.now();
  const r = await engine.push();
  const t2 = performance.now();
  const p0 = performance.now();
  const other = new SyncEngine({ db: new Database(join(tmp, 'sync2.sqlite')), backendUrl: url, token: () => token, pageSize: 200 });
  const pulled = await other.pull();
  const p1 = performance.now();
  console.log(JSON.stringify({
    stories: N,
    enqueueMs: Math.round(t1 - t0),
    pushMs: Math.round(t2 - t1),
    pushPerSecond: Math.round((r.done / (t2 - t1)) * 1000),
    done: r.done,
    pullMs: Math.round(p1 - p0),
    pulled: pulled.fastForwarded.length,
  }));
} finally {
  server.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
}
