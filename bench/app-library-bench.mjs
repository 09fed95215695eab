// Library service benchmarks with the real Library class on real SQLite files:
// - FTS search and story open on a 100,000-story library (targets: search ≤ 10 ms p95, open ≤ 5 ms
//   p95), each beside the bare SQLite statement doing the same lookup in the same file;
// - listing one beat of the 100,000;
// - saving (a revision and a re-index per save) a 10,000-word story, in a small temporary library.
// The 100,000-story library takes minutes to build (every story goes through the shared parser and
// renderer for its search text): it is built once, in batches of one transaction each, into
// node_modules/.cache/studio-bench/ and reused while its corpus version is current (upgraded in place to a newer schema).
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateCatalog, generateStory, median, percentile, report, rng, importBundled } from './bench-util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// STUDIO_BENCH_CACHE: another folder for the cached library, e.g. a worktree's own when node_modules
// is shared; the bundle then goes to the worktree's dist/ (it must resolve the packages from root).
const cacheDir = process.env.STUDIO_BENCH_CACHE ?? join(root, 'node_modules', '.cache', 'studio-bench');
const bundleDir = process.env.STUDIO_BENCH_CACHE ? join(root, 'dist', 'bench') : cacheDir;
const STORIES = 100_000;
/** Bump when the generated corpus changes: a cached library of another version is rebuilt. */
const CORPUS_VERSION = 1;
const BATCH = 5_000;

/** The library service, bundled from its TypeScript sources into the cache (as the app's build does). */
export async function loadLibrary() {
  const out = join(bundleDir, 'library.mjs');
  return importBundled(out, {
    entryPoints: [join(root, 'electron/services/library/index.ts')],
  });
}

// ── a corpus with a realistic spread of word frequencies ─────────────────────────────────────

const STOP = 'the of and a to in is that for on it with as was by at from be this an are or its has but not have'.split(' ');
const SYLLABLES = 'ka lo mi ne ru sa te vo da fi gu he ji ko la ma no pe qui ri so tu va we xi yo ze bra cle dro fre glo pra stri tha'.split(' ');

/** 30,000 words: English stop words first, then made-up words, ranked for a Zipf distribution. */
export function vocabulary() {
  const r = rng(11);
  const words = [...STOP];
  const seen = new Set(words);
  while (words.length < 30_000) {
    const n = 2 + Math.floor(r() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    if (!seen.has(w)) (seen.add(w), words.push(w));
  }
  return words;
}

/** A sampler of word ranks with P(rank r) ∝ 1/r (Zipf, s = 1). */
function zipf(n, r) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1);
  return () => {
    const x = r() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Story `i` of the corpus: front matter, 80–450 words in paragraphs, a few references, a unique marker word. */
function corpusStory(i, words, pick, r) {
  const phrase = (n, from = 0) => Array.from({ length: n }, () => words[Math.max(from, pick())]).join(' ');
  const title = phrase(3 + Math.floor(r() * 5), 40);
  const dek = phrase(8 + Math.floor(r() * 8), 20);
  const paragraphs = [];
  let left = 80 + Math.floor(r() * 370);
  while (left > 0) {
    const n = Math.min(left, 30 + Math.floor(r() * 50));
    left -= n;
    let p = phrase(n);
    if (r() < 0.3) p += ` {{entity:entity-${Math.floor(r() * 500).toString(36)}-x|${words[40 + (pick() % 2000)]}}}`;
    paragraphs.push(p.charAt(0).toUpperCase() + p.slice(1) + '.');
  }
  paragraphs.splice(1, 0, `Filed under marker${i.toString(36)}.`);
  return `---\ntitle: ${JSON.stringify(title)}\ndek: ${JSON.stringify(dek)}\nbeat: beat-${i % 50}\nstatus: ${['draft', 'review', 'approved', 'published'][i % 4]}\n---\n${paragraphs.join('\n\n')}\n`;
}

/** The cached 100,000-story library: built when missing or of another corpus, upgraded in place when of an older schema. */
async function corpusLibrary(Library, SCHEMA_VERSION) {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, `library-${STORIES}.sqlite`);
  if (existsSync(file)) {
    let current = false;
    let older = false;
    try {
      const db = new Database(file, { readonly: true, fileMustExist: true });
      const version = db.pragma('user_version', { simple: true });
      const mark = db.prepare(`SELECT value FROM settings WHERE key = 'bench.corpus'`).get();
      db.close();
      const corpus = mark?.value === JSON.stringify({ version: CORPUS_VERSION, stories: STORIES });
      current = corpus && version === SCHEMA_VERSION;
      older = corpus && version >= 1 && version < SCHEMA_VERSION;
    } catch {
      current = false;
    }
    if (current) return { file, buildMs: null };
    if (older) {
      // The same corpus in an older schema: upgraded in place, as a person's library is (and timed).
      const started = performance.now();
      Library.open(file).close();
      return { file, buildMs: null, migrateMs: performance.now() - started };
    }
    console.log(`(rebuilding ${file}: another schema or corpus version)`);
  }
  const tmp = `${file}.building`;
  for (const f of [file, tmp]) for (const ext of ['', '-wal', '-shm']) rmSync(f + ext, { force: true });
  const started = performance.now();
  const lib = Library.open(tmp);
  const words = vocabulary();
  const r = rng(2024);
  const pick = zipf(words.length, r);
  for (let b = 0; b < STORIES; b += BATCH) {
    // One transaction per batch: the Library's own calls nest in it as savepoints.
    lib.db.transaction(() => {
      for (let i = b; i < Math.min(STORIES, b + BATCH); i++) {
        const rec = lib.createStory({ title: 'Untitled' });
        lib.saveStory(rec.id, corpusStory(i, words, pick, r));
      }
    })();
    process.stdout.write(
      `\r(building a ${STORIES.toLocaleString('en')}-story library: ${Math.min(STORIES, b + BATCH).toLocaleString('en')} stories, ${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
  }
  process.stdout.write('\n');
  lib.setSetting('bench.corpus', { version: CORPUS_VERSION, stories: STORIES });
  lib.close();
  renameSync(tmp, file);
  return { file, buildMs: performance.now() - started };
}

/** The cached 100,000-story library's file, built first when missing or stale. */
export async function bigLibraryFile() {
  const { Library, SCHEMA_VERSION } = await loadLibrary();
  return (await corpusLibrary(Library, SCHEMA_VERSION)).file;
}

function time(fn, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    fn(i);
    out.push(performance.now() - s);
  }
  return out;
}

export async function run() {
  const { Library, SCHEMA_VERSION, ftsQuery } = await loadLibrary();
  const results = [];

  // ── 100,000 stories: search and open ───────────────────────────────────
  const { file, buildMs, migrateMs } = await corpusLibrary(Library, SCHEMA_VERSION);
  if (buildMs !== null)
    results.push({ name: `build the ${STORIES.toLocaleString('en')}-story library (once, then cached)`, ours: buildMs, target: 'reported', pass: true });
  if (migrateMs !== undefined)
    results.push({
      name: `upgrade the cached ${STORIES.toLocaleString('en')}-story library in place to library version ${SCHEMA_VERSION}`,
      ours: migrateMs,
      target: 'reported',
      pass: true,
    });
  const lib = Library.open(file);
  const words = vocabulary();
  const count = lib.db.prepare('SELECT count(*) AS n FROM stories WHERE trashed = 0').get().n;
  if (count !== STORIES) throw new Error(`the cached library holds ${count} stories, not ${STORIES}`);

  // Queries as a writer types them into the search box (each word becomes a prefix term): words
  // from common (in about half the stories) to rare (a handful), two-word queries, a partial word.
  const queries = [
    words[30],
    words[120],
    words[600],
    words[2500],
    words[12000],
    `${words[120]} ${words[600]}`,
    `${words[45]} ${words[3000]}`,
    words[300].slice(0, 4),
    `marker${(4321).toString(36)}`,
  ];
  const docs = Object.fromEntries(
    queries.map((q) => [q, lib.db.prepare('SELECT count(*) AS n FROM stories_fts WHERE stories_fts MATCH ?').get(ftsQuery(q)).n]),
  );
  // The marker of story 4321 finds that story (it is the only one with it).
  const marked = lib.search(`marker${(4321).toString(36)}`);
  if (marked.length !== 1 || !marked[0].snippet.includes('«marker')) throw new Error('search did not find the marked story');
  for (const q of queries) lib.search(q);
  const perQuery = Object.fromEntries(queries.map((q) => [q, []]));
  const searchCpu = [];
  const searches = time((i) => {
    const q = queries[i % queries.length];
    const s = performance.now();
    const c = process.cpuUsage();
    const hits = lib.search(q);
    const d = process.cpuUsage(c);
    perQuery[q].push(performance.now() - s);
    searchCpu.push((d.user + d.system) / 1000);
    if (docs[q] > 0 && hits.length === 0) throw new Error(`no hits for ${q}`);
  }, queries.length * 30);
  const bare = lib.db.prepare('SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rank LIMIT 50');
  const peerSearch = time((i) => bare.all(ftsQuery(queries[i % queries.length])), queries.length * 30);
  const peerName = 'bare FTS5 MATCH … ORDER BY rank LIMIT 50';
  results.push({
    name: `search ${STORIES.toLocaleString('en')} stories, p50 (top 50, bm25 + snippets; ${queries.length} queries × 30)`,
    ours: percentile(searches, 50),
    peer: percentile(peerSearch, 50),
    peerName,
    target: 'reported',
    pass: true,
  });
  results.push({
    name: `search ${STORIES.toLocaleString('en')} stories, p95`,
    ours: percentile(searches, 95),
    peer: percentile(peerSearch, 95),
    peerName,
    target: '≤ 10 ms',
    pass: percentile(searches, 95) <= 10,
  });
  // The CPU time beside it: on a shared machine the wall clock's tail is mostly time spent waiting for a core.
  results.push({
    name: `search ${STORIES.toLocaleString('en')} stories, p95 of the CPU time`,
    ours: percentile(searchCpu, 95),
    target: 'reported',
    pass: true,
  });
  const worst = queries.reduce((a, q) => (percentile(perQuery[q], 95) > percentile(perQuery[a], 95) ? q : a));
  results.push({
    name: `  slowest query, p95: "${worst}" (in ${docs[worst].toLocaleString('en')} stories)`,
    ours: percentile(perQuery[worst], 95),
    target: 'reported',
    pass: true,
  });

  // Search at every frequency (issue 13): each tier's p95 on its own, beside the bare MATCH of the
  // same queries. "The" is in nearly every story's body and in no title or dek (the worst case).
  const tiers = [
    ['rare', [words[12000], `marker${(4321).toString(36)}`]],
    ['medium', [words[600], words[2500]]],
    ['common', [words[0], words[30]]],
    ['two common words', [`${words[1]} ${words[2]}`, `${words[0]} ${words[30]}`]],
    ['prefix of two letters', [words[300].slice(0, 2), words[4000].slice(0, 2)]],
    ['phrase', [`"${words[1]} ${words[0]}"`, `"${words[0]} ${words[30]}"`]],
  ];
  const tierLines = [];
  for (const [tier, qs] of tiers) {
    const n = qs.map((q) => lib.db.prepare('SELECT count(*) AS n FROM stories_fts WHERE stories_fts MATCH ?').get(ftsQuery(q)).n);
    for (const q of qs) if (!lib.search(q).some((h) => h.snippet.includes('«'))) throw new Error(`no hits with a snippet for ${q}`);
    const cpu = [];
    const ours = time((i) => {
      const c = process.cpuUsage();
      lib.search(qs[i % qs.length]);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }, qs.length * 30);
    const peer = time((i) => bare.all(ftsQuery(qs[i % qs.length])), qs.length * 30);
    const p95 = percentile(ours, 95);
    results.push({
      name: `search tier "${tier}" p95 (${qs.map((q, i) => `${q}: ${n[i].toLocaleString('en')}`).join('; ')} stories)`,
      ours: p95,
      peer: percentile(peer, 95),
      peerName: 'bare FTS5 MATCH of the same queries',
      target: '≤ 20 ms',
      pass: p95 <= 20,
    });
    // CPU time too: on a shared machine the wall clock also counts the time spent waiting for a core.
    tierLines.push(
      `  - ${tier}: p50 ${percentile(ours, 50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms; CPU time p50 ${percentile(cpu, 50).toFixed(2)} ms, p95 ${percentile(cpu, 95).toFixed(2)} ms`,
    );
  }

  const ids = lib.db
    .prepare('SELECT id FROM stories ORDER BY random() LIMIT 500')
    .all()
    .map((r) => r.id);
  for (const id of ids.slice(0, 20)) lib.getStory(id);
  const opens = time((i) => {
    const rec = lib.getStory(ids[i % ids.length]);
    if (!rec.text.startsWith('---\n') || rec.revision <= 0) throw new Error('a story opened without text or revision');
  }, 1000);
  const raw = lib.db.prepare('SELECT rowid, * FROM stories WHERE id = ?');
  const peerOpen = time((i) => raw.get(ids[i % ids.length]), 1000);
  results.push({
    name: `open a story of ${STORIES.toLocaleString('en')}, p50 (getStory: text + latest revision)`,
    ours: percentile(opens, 50),
    peer: percentile(peerOpen, 50),
    peerName: 'bare SELECT by id',
    target: 'reported',
    pass: true,
  });
  results.push({
    name: `open a story of ${STORIES.toLocaleString('en')}, p95`,
    ours: percentile(opens, 95),
    peer: percentile(peerOpen, 95),
    peerName: 'bare SELECT by id',
    target: '≤ 5 ms',
    pass: percentile(opens, 95) <= 5,
  });

  const lists = time((i) => lib.listStories({ beat: `beat-${i % 50}` }), 20);
  results.push({
    name: `list one beat's stories (${(STORIES / 50).toLocaleString('en')} of ${STORIES.toLocaleString('en')}), median`,
    ours: median(lists),
    target: 'reported',
    pass: true,
  });
  const listAll = time(() => lib.listStories(), 3);
  results.push({
    name: `list all ${STORIES.toLocaleString('en')} stories (the library pane's first list), median`,
    ours: median(listAll),
    target: 'reported',
    pass: true,
  });
  lib.close();

  // ── saving: a 10,000-word story, one revision and one re-index per save ──
  const dir = mkdtempSync(join(tmpdir(), 'studio-bench-'));
  try {
    const small = Library.open(join(dir, 'bench.sqlite'));
    const { slugs } = generateCatalog(2000);
    const rec = small.createStory({ title: 'Big' });
    const big = generateStory({ words: 10_000, slugs });
    const saves = time((i) => small.saveStory(rec.id, `---\ntitle: Big\n---\n${big}\nedit ${i}\n`), 30);
    results.push({ name: 'save a 10,000-word story (revision + re-index), median', ours: median(saves), target: '≤ 25 ms', pass: median(saves) <= 25 });
    small.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  report(`app library (${STORIES.toLocaleString('en')} stories, ${file.replace(`${root}/`, '')})`, results);
  for (const q of queries)
    console.log(
      `  - "${q}": ${docs[q].toLocaleString('en')} stories, p50 ${percentile(perQuery[q], 50).toFixed(2)} ms, p95 ${percentile(perQuery[q], 95).toFixed(2)} ms`,
    );
  for (const line of tierLines) console.log(line);
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
