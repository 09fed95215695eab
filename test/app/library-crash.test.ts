/**
 * kill -9 safety of the library: a writer process saves edits to several stories in a loop and
 * prints each revision once `saveStory` has returned; it is killed with SIGKILL at 50+ random
 * moments (some while it opens the library, most while it saves) and restarted on the same file.
 * Afterwards every revision it reported is intact (same story, same text, by SHA-256), every
 * story's text is its latest revision's, and `PRAGMA integrity_check` says ok.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot } from '../../electron/services/paths.js';

const KILLS = 60;
const STORIES = 8;

/** A small deterministic generator, so each run's delays are the same sequence. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

// The writer: opens the library, then saves edits forever (texts from 200 bytes to ~24 KB, so
// some saves span overflow pages), printing "saved <revision> <story> <sha256>" after each save.
const WRITER = `
import { writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
const [bundle, file, run, ids] = process.argv.slice(2);
const { Library } = await import(bundle);
const lib = Library.open(file);
const stories = ids.split(',');
writeSync(1, 'ready\\n');
const words = 'ledger harbour quorum lantern meridian cobalt vintage orchard thistle beacon'.split(' ');
let s = Number(run) >>> 0;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
for (let n = 0; ; n++) {
  const id = stories[Math.floor(rnd() * stories.length)];
  const size = rnd() < 0.15 ? 4000 : 30 + Math.floor(rnd() * 300);
  const body = Array.from({ length: size }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const text = '---\\ntitle: "Story ' + id.slice(0, 8) + ' edit ' + run + '-' + n + '"\\nstatus: draft\\n---\\n' + body + '\\n';
  const r = lib.saveStory(id, text);
  writeSync(1, 'saved ' + r.revision + ' ' + id + ' ' + createHash('sha256').update(text).digest('hex') + '\\n');
}
`;

interface Run {
  lines: string[];
  ready: boolean;
  killedBy: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

describe('library: kill -9 while saving', () => {
  let dir: string;
  let work: string;
  let bundle: string;
  let writer: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-crash-lib-'));
    work = join(packageRoot(), 'node_modules', '.cache', 'studio-test', `crash-${process.pid}`);
    mkdirSync(work, { recursive: true });
    bundle = join(work, 'library.mjs');
    writer = join(work, 'writer.mjs');
    await build({
      entryPoints: [join(packageRoot(), 'electron/services/library/index.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
    writeFileSync(writer, WRITER);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /**
   * Starts the writer and kills it with SIGKILL: `delay` ms after it starts when `early`, else
   * `delay` ms after it has reported `afterSaves` saves (counted, not timed, so that a loaded
   * machine kills as many writers mid-save as a quiet one).
   */
  function killWriter(file: string, ids: string[], run: number, delay: number, early: boolean, afterSaves: number): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [writer, bundle, file, String(run), ids.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let stderr = '';
      let ready = false;
      let timer: NodeJS.Timeout | undefined;
      const kill = () => child.kill('SIGKILL');
      if (early) timer = setTimeout(kill, delay);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!ready && out.includes('ready\n')) ready = true;
        if (ready && !early && !timer && out.split('\nsaved ').length - 1 >= afterSaves) timer = setTimeout(kill, delay);
      });
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        // Only complete lines were reported; a line cut by the kill was not.
        const lines = out.split('\n').slice(0, -1);
        resolve({ lines, ready, killedBy: signal, code, stderr });
      });
    });
  }

  it(`every revision reported saved survives ${KILLS} SIGKILLs, and the file passes integrity_check`, async () => {
    const file = join(dir, 'library.sqlite');
    const lib = Library.open(file);
    const ids = Array.from({ length: STORIES }, (_, i) => lib.createStory({ title: `Crash story ${i}` }).id);
    lib.close();

    const reported = new Map<number, { story: string; sha: string }>();
    const rnd = seeded(20240611);
    let kills = 0;
    let earlyKills = 0;
    let killsMidSaving = 0;
    let promised = 0;
    const started = Date.now();
    for (let k = 0; k < KILLS; k++) {
      const early = rnd() < 0.15;
      const delay = early ? Math.floor(rnd() * 150) : Math.floor(rnd() * 10);
      const afterSaves = early ? 0 : 1 + Math.floor(rnd() * 12);
      if (!early) promised += afterSaves;
      const run = await killWriter(file, ids, k + 1, delay, early, afterSaves);
      // The writer never stops by itself: it must have died of our SIGKILL, not of an error.
      expect(run.stderr, `writer ${k + 1} wrote to stderr`).toBe('');
      expect(run.killedBy, `writer ${k + 1} exited with code ${run.code}`).toBe('SIGKILL');
      kills++;
      if (!run.ready) earlyKills++;
      let saved = 0;
      for (const line of run.lines) {
        if (line === 'ready') continue;
        const [word, revision, story, sha] = line.split(' ');
        expect(word).toBe('saved');
        expect(reported.has(Number(revision)), `revision ${revision} reported twice`).toBe(false);
        reported.set(Number(revision), { story: story!, sha: sha! });
        saved++;
      }
      if (saved > 0) killsMidSaving++;
    }
    const killMs = Date.now() - started;

    // The file as the last kill left it, opened raw first: nothing has recovered it for us.
    const db = new Database(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const revision = db.prepare('SELECT story_id AS story, text FROM revisions WHERE id = ?');
    let verified = 0;
    for (const [id, want] of reported) {
      const row = revision.get(id) as { story: string; text: string } | undefined;
      expect(row, `revision ${id} was reported saved but is missing`).toBeDefined();
      expect(row!.story).toBe(want.story);
      expect(createHash('sha256').update(row!.text).digest('hex'), `revision ${id} changed`).toBe(want.sha);
      verified++;
    }
    // Each story's text is its latest revision's, and no later than what was reported for it.
    const latest = db
      .prepare(
        'SELECT s.id, s.text, r.id AS revision, r.text AS revisionText FROM stories s JOIN revisions r ON r.id = (SELECT max(id) FROM revisions WHERE story_id = s.id)',
      )
      .all() as Array<{ id: string; text: string; revision: number; revisionText: string }>;
    expect(latest).toHaveLength(STORIES);
    for (const s of latest) {
      expect(s.text, `story ${s.id} differs from its latest revision ${s.revision}`).toBe(s.revisionText);
      const lastReported = Math.max(0, ...[...reported].filter(([, r]) => r.story === s.id).map(([id]) => id));
      expect(s.revision).toBeGreaterThanOrEqual(lastReported);
    }
    // The search index agrees with the stories (one row per story, updated on every save).
    expect((db.prepare('SELECT count(*) AS n FROM stories_fts').get() as { n: number }).n).toBe(STORIES);
    db.close();

    // And the library opens and keeps working.
    const again = Library.open(file);
    const after = again.saveStory(ids[0]!, '---\ntitle: After the crashes\n---\nStill here.\n');
    expect(after.revision).toBeGreaterThan(Math.max(...reported.keys()));
    expect(again.search('crashes').map((h) => h.id)).toEqual([ids[0]]);
    again.close();

    console.log(
      `[library kill -9] ${kills} SIGKILLs (${earlyKills} before the writer was ready, ${killsMidSaving} after it had saved), ${verified} reported revisions verified intact, integrity_check ok (${(killMs / 1000).toFixed(1)} s)`,
    );
    expect(kills).toBeGreaterThanOrEqual(50);
    expect(killsMidSaving).toBeGreaterThanOrEqual(KILLS / 2);
    expect(verified).toBeGreaterThanOrEqual(promised);
    expect(promised).toBeGreaterThan(KILLS * 4);
  }, 120_000);
});
