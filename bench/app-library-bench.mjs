// Library service benchmarks: saving (a revision and a re-index per save), full-text search and
// listing over a library of 2,000 stories, in a temporary SQLite file.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCatalog, generateStory, median, percentile, report } from './bench-util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function run() {
  const dir = mkdtempSync(join(tmpdir(), 'studio-bench-'));
  try {
    const out = join(root, 'node_modules', '.cache', 'studio-bench', 'library.mjs');
    await build({ entryPoints: [join(root, 'electron/services/library/index.ts')], outfile: out, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
    const { Library } = await import(pathToFileURL(out).href);
    const lib = Library.open(join(dir, 'bench.sqlite'));
    const { slugs } = generateCatalog(2000);
    const results = [];

    // 1. 2,000 stories of ~800 words each, created then saved once.
    const bodies = Array.from({ length: 20 }, (_, i) => generateStory({ words: 800 + i * 10, slugs }));
    let t = performance.now();
    const ids = [];
    for (let i = 0; i < 2000; i++) {
      const rec = lib.createStory({ title: `Story ${i}` });
      lib.saveStory(rec.id, `---\ntitle: Story ${i} about ${i % 7 === 0 ? 'lighthouses' : 'weights'}\nbeat: beat-${i % 50}\n---\n${bodies[i % 20]}\n`);
      ids.push(rec.id);
    }
    const fillMs = performance.now() - t;
    results.push({ name: 'create + save 2,000 stories (~800 words)', ours: fillMs, target: 'reported', pass: true });

    // 2. Autosave of a 10,000-word story: one revision and one FTS re-index per save.
    const big = generateStory({ words: 10_000, slugs });
    const saves = [];
    for (let i = 0; i < 30; i++) {
      const s = performance.now();
      lib.saveStory(ids[0], `---\ntitle: Big\n---\n${big}\nedit ${i}\n`);
      saves.push(performance.now() - s);
    }
    results.push({ name: 'save a 10,000-word story (revision + re-index)', ours: median(saves), target: '≤ 25 ms', pass: median(saves) <= 25 });

    // 3. Search over 2,000 stories, bm25 + snippet, top 50.
    const queries = ['lighthouses', 'model release', 'quiet builders', 'regulators weights', 'moats'];
    for (const q of queries) lib.search(q);
    const times = [];
    for (let i = 0; i < 100; i++) {
      const s = performance.now();
      lib.search(queries[i % queries.length]);
      times.push(performance.now() - s);
    }
    results.push({ name: 'search 2,000 stories (p95, top 50 with snippets)', ours: percentile(times, 95), target: '≤ 50 ms', pass: percentile(times, 95) <= 50 });

    // 4. Listing with a beat filter.
    const lists = [];
    for (let i = 0; i < 50; i++) {
      const s = performance.now();
      lib.listStories({ beat: `beat-${i % 50}` });
      lists.push(performance.now() - s);
    }
    results.push({ name: 'list stories of one beat (2,000 in library)', ours: median(lists), target: '≤ 5 ms', pass: median(lists) <= 5 });
    lib.close();
    report('app library', results);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
