/**
 * Issue 11 #2, #3 and #7 against the reference backend: `studio publish` of a plain-text export goes
 * through the app's import (the beat's name back to its slug); `studio login` pulls the backend's
 * catalog at once; a submit, approval or publication is checked first as the backend would check
 * it (errors stop it, `--force` sends it anyway, warnings are shown), and every finding is printed
 * on the lines of the file given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStory, toPlainText } from '../../shared/index.js';
import { runStudio } from '../../electron/cli/studio.js';
import { Library } from '../../electron/services/library/index.js';
import { SAMPLE_CATALOG, startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

let backend: TestServer;
let home: string;

beforeAll(async () => {
  backend = await startServer();
  home = mkdtempSync(join(tmpdir(), 'studio-check-'));
});
afterAll(async () => {
  await backend?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function studio(args: string[], stdin = '') {
  let out = '';
  let err = '';
  const io = {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      err += t;
    },
    stdin: async () => stdin,
    isTTY: false,
    env: { STUDIO_HOME: home, STUDIO_SYNC_BACKOFF_BASE_MS: '5', STUDIO_SYNC_BACKOFF_CAP_MS: '50' },
  };
  const code = await runStudio(args, io);
  return { code, out, err };
}

async function onBackend(slug: string) {
  const res = await fetch(`${backend.url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${backend.tokens.publisher}` } });
  return res.status === 404 ? undefined : ((await res.json()) as { version: number; status: string; story: { beat: string; title: string } });
}

function withLibrary<T>(fn: (lib: Library) => T): T {
  const lib = Library.open(join(home, 'library.sqlite'));
  try {
    return fn(lib);
  } finally {
    lib.close();
  }
}

/** The 1-based line of the first occurrence of `needle` in `text`. */
const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('the check before sending, and the CLI (issue 11 #2, #3, #7)', () => {
  it("`studio login` pulls the backend's catalog at once: the next command knows an entity only the backend has", async () => {
    await backend.store.putEntity({ slug: 'marsh-wardens', name: 'Marsh Wardens', type: 'organization' }, new Date().toISOString());
    const r = await studio(['login', '--backend', backend.url], backend.tokens.editor);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(withLibrary((lib) => lib.catalog()?.displayName('entity', 'marsh-wardens'))).toBe('Marsh Wardens');
    // No sync in between: the check before sending already knows it.
    const file = join(home, 'wardens.md');
    writeFileSync(file, storyText('wardens-count-the-birds-1a2b', 'The {{entity:marsh-wardens|Marsh Wardens}} counted the birds.\n'));
    const p = await studio(['publish', file, '--status', 'review']);
    expect(p.out).toMatch(/^queued wardens-count-the-birds-1a2b → review$/m);
    expect(p.code).toBe(0);
    expect((await onBackend('wardens-count-the-birds-1a2b'))?.status).toBe('review');
  });

  it("publishes a plain-text export with its beat's slug, not its display name (the app's import)", async () => {
    const source = storyText('herons-nest-early-3c4d', 'Herons nested early this spring.\n\nThe warden counted forty.\n', {
      beat: 'ai-policy',
      title: 'Herons nest early',
    });
    const exported = toPlainText(parseStory(source), SAMPLE_CATALOG, { site: 'https://news.example.org' });
    expect(exported).toMatch(/^Beat: AI Policy$/m);
    const file = join(home, 'herons.txt');
    writeFileSync(file, exported);
    const r = await studio(['publish', file, '--status', 'review']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const remote = await onBackend('herons-nest-early-3c4d');
    expect(remote).toMatchObject({ status: 'review', story: { beat: 'ai-policy', title: 'Herons nest early' } });
    // The library keeps it as a story file.
    expect(withLibrary((lib) => lib.storyBySlug('herons-nest-early-3c4d')?.text)).toMatch(/^---\ntitle: Herons nest early\n/);
  });

  it("errors stop the action before anything is queued, printed on the file's lines; --force sends it and the backend says the same", async () => {
    const body = 'A first line.\n\nThe {{entity:no-such-warden|ghost}} spoke.\n';
    const text = storyText('ghost-warden-5e6f', body);
    const file = join(home, 'ghost.md');
    writeFileSync(file, text);
    const r = await studio(['publish', file, '--status', 'review']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^not sent: ghost-warden-5e6f → review: the check before sending found 1 problem/m);
    const line = lineOf(text, '{{entity:no-such-warden');
    expect(r.out).toContain(`ghost.md:${line}:5: error ref-unknown:`);
    expect(r.err).toMatch(/^studio: publish: .*ghost\.md: 1 problem stop.*--force\n$/);
    expect(await onBackend('ghost-warden-5e6f')).toBeUndefined();
    const status = await studio(['status', '--format', 'json']);
    expect(JSON.parse(status.out).queued ?? []).toEqual([]);
    // Nothing is lost: the story is in the library.
    expect(withLibrary((lib) => lib.storyBySlug('ghost-warden-5e6f')?.text)).toBe(text);

    const forced = await studio(['publish', file, '--status', 'review', '--force']);
    expect(forced.out).toMatch(/^queued ghost-warden-5e6f → review \(sent anyway: 1 problem\)$/m);
    expect(forced.out).toMatch(/^rejected: ghost-warden-5e6f → review/m);
    // The backend's finding is the check's, on the same line: said once (issue 11 #4).
    expect(forced.out.split('\n').filter((l) => l.includes(`ghost.md:${line}:5: error ref-unknown:`))).toHaveLength(1);
    expect(forced.code).toBe(1);
    expect(await onBackend('ghost-warden-5e6f')).toBeUndefined();
  });

  it("a title over the protocol's limit is a finding on the title, never a bare 400", async () => {
    const text = storyText('long-title-7a8b', 'A paragraph.\n', { title: 'T'.repeat(1001) });
    const file = join(home, 'long.md');
    writeFileSync(file, text);
    const r = await studio(['publish', file, '--status', 'review']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/long\.md:2:\d+: error push-refused: .*title/i);
    expect(await onBackend('long-title-7a8b')).toBeUndefined();
  });

  it('warnings are shown and do not stop it', async () => {
    const text = storyText('label-warning-9c0d', 'Here {{entity:sam-altman|the kestrel}} spoke.\n');
    const file = join(home, 'warn.md');
    writeFileSync(file, text);
    const r = await studio(['publish', file, '--status', 'review']);
    expect(r.out).toMatch(/^queued label-warning-9c0d → review, 1 warning$/m);
    expect(r.out).toContain(`warn.md:${lineOf(text, '{{entity:sam-altman')}:6: warning ref-label-mismatch:`);
    expect(r.code).toBe(0);
    expect((await onBackend('label-warning-9c0d'))?.status).toBe('review');
  });

  it("a plain-text export's findings are printed on the export's own lines", async () => {
    const source = storyText('ghost-in-export-1e2f', 'Herons came back.\n\nThen {{entity:no-such-heron|nobody}} left.\n', {
      beat: 'ai-policy',
      title: 'Ghost in the export',
    });
    const exported = toPlainText(parseStory(source), SAMPLE_CATALOG, { site: 'https://news.example.org' });
    const file = join(home, 'ghost.txt');
    writeFileSync(file, exported);
    const r = await studio(['publish', file, '--status', 'review']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`ghost.txt:${lineOf(exported, '{{entity:no-such-heron')}:6: error ref-unknown:`);
  });
});
