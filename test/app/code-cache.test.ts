import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runWithCodeCache } from '../../electron/services/code-cache.js';

// The browser host and the CLI run their bundles through V8's code cache (issue 13's cold start). What must hold:
// the cache is used when it fits, and never runs code the bundle no longer has.
declare global {
  var __codeCacheRuns: string[];
}

describe('the host bundle run from the code cache', () => {
  let dir: string;
  const bundle = () => join(dir, 'host.cjs');
  const cache = () => join(dir, 'host.cjs.cache');
  const write = (word: string) =>
    writeFileSync(
      bundle(),
      `const { basename } = require('node:path');\nfunction say() { globalThis.__codeCacheRuns.push(${JSON.stringify(word)} + ':' + basename(__filename)); }\nsay();\n`,
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'studio-code-cache-'));
    globalThis.__codeCacheRuns = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // V8 keeps what this process compiled, by source and file name, and would not read the cache at
  // all for the same file: the same bundle and cache in another folder is what a new process meets.
  const elsewhere = (name: string, from: string): [string, string] => {
    const to = join(dir, name);
    mkdirSync(to);
    copyFileSync(join(from, 'host.cjs'), join(to, 'host.cjs'));
    copyFileSync(join(from, 'host.cjs.cache'), join(to, 'host.cjs.cache'));
    return [join(to, 'host.cjs'), join(to, 'host.cjs.cache')];
  };

  it('compiles the first time, writes the cache on save, and takes it the next time', () => {
    write('one');
    const first = runWithCodeCache(bundle(), cache());
    expect(first.accepted).toBe(false);
    first.save();
    expect(statSync(cache()).size).toBeGreaterThan(100);
    const second = runWithCodeCache(...elsewhere('second', dir));
    expect(second.accepted).toBe(true);
    expect(globalThis.__codeCacheRuns).toEqual(['one:host.cjs', 'one:host.cjs']);
  });

  it('runs a rebuilt bundle of the same length and time as it is now, not the cached build', () => {
    write('one');
    runWithCodeCache(bundle(), cache()).save();
    const { atime, mtime } = statSync(bundle());
    write('two'); // same length: V8's own check of the source would take the old code
    utimesSync(bundle(), atime, mtime);
    const run = runWithCodeCache(bundle(), cache());
    expect(run.accepted).toBe(false);
    expect(globalThis.__codeCacheRuns).toEqual(['one:host.cjs', 'two:host.cjs']);
  });

  it('starts as without a cache when the file is damaged, and saves a good one over it', () => {
    write('one');
    runWithCodeCache(bundle(), cache()).save();
    const good = readFileSync(cache());
    const key = good.subarray(0, good.indexOf(10) + 1);
    writeFileSync(cache(), Buffer.concat([key, Buffer.from('not a code cache at all')]));
    const moved = elsewhere('moved', dir);
    const run = runWithCodeCache(...moved);
    expect(run.accepted).toBe(false);
    run.save();
    expect(runWithCodeCache(...elsewhere('again', join(dir, 'moved'))).accepted).toBe(true);
    expect(globalThis.__codeCacheRuns).toEqual(['one:host.cjs', 'one:host.cjs', 'one:host.cjs']);
  });

  it('keeps running when the cache cannot be written (a folder the user may not write)', () => {
    write('one');
    writeFileSync(join(dir, 'a-file'), '');
    const run = runWithCodeCache(bundle(), join(dir, 'a-file', 'host.cjs.cache'));
    expect(() => run.save()).not.toThrow();
    expect(globalThis.__codeCacheRuns).toEqual(['one:host.cjs']);
  });
});

const CLI = join(process.cwd(), 'dist/cli');
const cliBuilt = existsSync(join(CLI, 'studio.cjs'));

describe.skipIf(!cliBuilt)(`the studio CLI's launcher${cliBuilt ? '' : ' (SKIPPED: dist/cli not built)'}`, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'studio-cli-cache-'));
    for (const f of ['studio.js', 'studio.cjs']) copyFileSync(join(CLI, f), join(dir, f));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const studio = (...args: string[]) => spawnSync(process.execPath, [join(dir, 'studio.js'), ...args], { encoding: 'utf8' });

  it('keeps no cache from bad input (exit 2), writes it after a run that did its work (a lint with errors, exit 1), and runs the same from it', () => {
    const bad = studio('--no-such-option');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("unknown option '--no-such-option'");
    expect(existsSync(join(dir, 'studio.cjs.cache'))).toBe(false);
    const story = ['lint', 'resources/stories/lint-showcase-references.md', '--catalog', 'resources/catalog.json'];
    const first = studio(...story);
    expect(first.status).toBe(1);
    expect(first.stdout).toContain('7 errors, 4 warnings in 1 file');
    expect(statSync(join(dir, 'studio.cjs.cache')).size).toBeGreaterThan(10_000);
    const written = statSync(join(dir, 'studio.cjs.cache')).mtimeMs;
    const again = studio(...story);
    expect(again.status).toBe(1);
    expect(again.stdout).toBe(first.stdout);
    // A run that took the cache does not write it again.
    expect(statSync(join(dir, 'studio.cjs.cache')).mtimeMs).toBe(written);
  });
});
