/**
 * A studio that distrusts its backend (issue 15, the studio's side): a pull skips and reports what
 * it cannot take (#4, #13), pulls are bounded in pages and answer sizes (#10), redirects are never
 * followed to another origin (#12). The backends here are scripted to attack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { deepCitationStory, healthy, HostileBackend, json, remoteStory } from './helpers/hostile-backend.js';
import { makeEngine, storyText } from './helpers/stories.js';

let evil: HostileBackend;
let other: HostileBackend;
beforeEach(async () => {
  evil = await new HostileBackend().start();
  other = await new HostileBackend().start();
  other.routes = [healthy];
});
afterEach(async () => {
  await evil.close();
  await other.close();
});

const storyList = (slugs: string[], cursor = 9, hasMore = false) => ({ items: slugs.map((slug) => ({ slug, version: 1, status: 'review' })), cursor, hasMore });

describe('a pull skips and reports what it cannot take (issue 15 #4, #13)', () => {
  it('a story nested 2,500 deep is skipped and reported; the stories after it are pulled and the cursor moves on', async () => {
    evil.routes = [
      healthy,
      (req, url, res) => {
        if (url.pathname === '/api/v1/stories') json(res, 200, storyList(['deep-story-aa11', 'fine-story-bb22']));
        else if (url.pathname === '/api/v1/stories/deep-story-aa11') json(res, 200, deepCitationStory(2_500));
        else if (url.pathname === '/api/v1/stories/fine-story-bb22') json(res, 200, remoteStory('fine-story-bb22'));
      },
    ];
    const engine = makeEngine(evil.url, () => 'tok');
    const r = await engine.pull();
    expect(r.fastForwarded).toEqual(['fine-story-bb22']);
    expect(r.skipped).toEqual([expect.objectContaining({ kind: 'story', slug: 'deep-story-aa11', reason: expect.stringMatching(/nests deeper than \d+/) })]);
    expect(engine.local.texts.has('deep-story-aa11')).toBe(false);
    expect(engine.status().cursors.stories).toBe('9');
    // The next pull starts after it: it is not fetched again.
    evil.log.length = 0;
    evil.routes = [
      healthy,
      (req, url, res) => {
        if (url.pathname === '/api/v1/stories') json(res, 200, storyList([], 9));
      },
    ];
    await engine.pull();
    expect(evil.log.filter((l) => l.path.startsWith('/api/v1/stories/'))).toEqual([]);
  });

  it('names, slugs and fields that do not fit the shared schemas are refused item by item', async () => {
    const bad = ['../x', 'a\nb', '//evil.example/x'];
    evil.routes = [
      (req, url, res) => {
        if (url.pathname === '/api/v1/catalog') {
          json(res, 200, {
            entities: [
              { slug: '../etc', name: 'Bad', type: 'person' },
              { slug: 'good-entity', name: 'Good', type: 'person' },
            ],
            beats: [{ slug: 'open-source-ai', name: 'Open source AI' }],
            stories: [],
            cursor: 1,
            hasMore: false,
          });
        } else if (url.pathname === '/api/v1/stories') json(res, 200, storyList([...bad, 'escape-title-cc33', 'good-story-dd44']));
        else if (url.pathname === '/api/v1/stories/escape-title-cc33') json(res, 200, remoteStory('escape-title-cc33', 'Title \u001b]0;pwned\u0007 here'));
        else if (url.pathname === '/api/v1/stories/good-story-dd44') json(res, 200, remoteStory('good-story-dd44'));
        else if (url.pathname.startsWith('/api/v1/stories/')) json(res, 200, remoteStory(decodeURIComponent(url.pathname.slice(16))));
      },
    ];
    const engine = makeEngine(evil.url, () => 'tok');
    const r = await engine.pull();
    expect(r.fastForwarded).toEqual(['good-story-dd44']);
    // Reported as printable lines: the newline of a slug is shown as a space.
    expect(r.skipped.map((s) => s.slug).sort()).toEqual(['../x', 'a b', '//evil.example/x', 'escape-title-cc33', '../etc'].sort());
    // The story GETs of bad slugs were never sent.
    expect(evil.log.filter((l) => l.path.startsWith('/api/v1/stories/')).map((l) => l.path)).toEqual([
      '/api/v1/stories/escape-title-cc33',
      '/api/v1/stories/good-story-dd44',
    ]);
    expect((engine.store.catalog().entities as { slug: string }[]).map((e) => e.slug)).toEqual(['good-entity']);
    // Every reason is one printable line.
    for (const s of r.skipped) expect(s.reason).not.toMatch(/[\u0000-\u001f\u007f]/);
  });
});

describe('pulls are bounded (issue 15 #10)', () => {
  it('a backend that always says hasMore gets a bounded number of requests, and the pull says it stopped', async () => {
    let n = 0;
    evil.routes = [
      healthy,
      (req, url, res) => {
        if (url.pathname === '/api/v1/stories') json(res, 200, storyList([], ++n, true));
      },
    ];
    const engine = makeEngine(evil.url, () => 'tok');
    const r = await engine.pull();
    const pages = evil.log.filter((l) => l.path.startsWith('/api/v1/stories?')).length;
    expect(pages).toBeLessThanOrEqual(200);
    expect(r.truncated).toMatch(/stories.*pages/);
  }, 20_000);

  it('an answer over the size limit is cut off, not read to its end', async () => {
    evil.routes = [
      healthy,
      (req, url, res) => {
        if (url.pathname === '/api/v1/stories') evil.stream(res, `{"items":[${'{"slug":"a","version":1,"status":"review"},'.repeat(1000)}`, 400 * 1024 * 1024);
      },
    ];
    const engine = makeEngine(evil.url, () => 'tok', { maxAnswerBytes: 4 * 1024 * 1024 });
    await expect(engine.pull()).rejects.toThrow(/larger than 4 MiB/);
    expect(evil.streamed).toBeLessThan(64 * 1024 * 1024);
  }, 20_000);
});

describe('redirects are never followed to another origin (issue 15 #12)', () => {
  it('a PUT redirected to another origin is not sent there', async () => {
    evil.routes = [
      healthy,
      (req, url, res) => {
        if (url.pathname.startsWith('/api/v1/stories')) {
          res.writeHead(307, { location: `${other.url}${url.pathname}` });
          res.end();
        }
      },
    ];
    const engine = makeEngine(evil.url, () => 'secret-token');
    engine.enqueue(storyText('redirected-story-ee55'), 'review');
    const r = await engine.push({ maxWaitMs: 0 });
    expect(r.done).toBe(0);
    expect(other.log).toEqual([]);
    expect(engine.status().rejected[0]?.message ?? engine.status().queued[0]?.lastError).toMatch(/redirect/);
  });

  it('a login through a redirect reports it and trusts nothing the target says', async () => {
    evil.routes = [
      (req, url, res) => {
        res.writeHead(302, { location: `${other.url}${url.pathname}` });
        res.end();
      },
    ];
    const dir = mkdtempSync(join(tmpdir(), 'hostile-'));
    const library = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
    try {
      const sync = new SyncService({ library, vault: new MemoryVault(), intervalMs: 0 });
      await expect(sync.login(evil.url, 'secret-token')).rejects.toThrow(new RegExp(`redirect.*${other.url.replace(/[.:/]/g, '\\$&')}`));
      expect(other.log).toEqual([]);
      expect((await sync.overview()).configured).toBe(false);
    } finally {
      library.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
