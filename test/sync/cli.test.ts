import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStudio } from '../../electron/cli/studio.js';
import { Library } from '../../electron/services/library/index.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { FaultProxy } from './helpers/fault-proxy.js';
import { BACKENDS, type Backend } from './helpers/backends.js';
import { storyText } from './helpers/stories.js';

for (const b of BACKENDS) {
  describe.skipIf(b.skip)(`studio login/publish/withdraw/sync/status against the ${b.name}`, () => {
    let backend: Backend;
    let home: string;
    const tokens: Record<string, string> = {};
    beforeAll(async () => {
      backend = await b.start();
      for (const r of ['writer', 'editor', 'publisher'] as const) tokens[r] = await backend.token(r);
      home = mkdtempSync(join(tmpdir(), 'studio-cli-'));
    });
    afterAll(async () => {
      await backend?.close();
      rmSync(home, { recursive: true, force: true });
    });

    async function studio(args: string[], stdin = '', env: Record<string, string> = {}, isTTY = false) {
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
        isTTY,
        env: { STUDIO_HOME: home, STUDIO_SYNC_BACKOFF_BASE_MS: '5', STUDIO_SYNC_BACKOFF_CAP_MS: '50', ...env },
      };
      const code = await runStudio(args, io);
      for (const t of Object.values(tokens)) {
        expect(out).not.toContain(t);
        expect(err).not.toContain(t);
      }
      return { code, out, err };
    }

    /** The library the commands work on (the data folder's), read after they closed it. */
    function libraryStory(slug: string) {
      const lib = Library.open(join(home, 'library.sqlite'));
      try {
        return lib.storyBySlug(slug);
      } finally {
        lib.close();
      }
    }

    it('status works before login; sync says to log in', async () => {
      const s = await studio(['status', '--format', 'json']);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.out)).toMatchObject({ backendUrl: null, loggedIn: false, counts: {} });
      const r = await studio(['sync']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/not logged in: run `studio login/);
    });

    it('logs in with the token on stdin, into a 0600 plain vault beside the library, and learns the role', async () => {
      const r = await studio(['login', '--backend', backend.url], `${tokens.writer}\n`);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/logged in to .* as writer-\d+ \(writer\) \(token stored in plain text, file mode 0600\)/);
      const file = join(home, 'credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ storage: 'plain' });
      const bad = await studio(['login', '--backend', backend.url], 'wrong-token');
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/^studio: .*refused the token \(401\)/);
      expect(bad.err).not.toContain('wrong-token');
      const nowhere = await studio(['login', '--backend', 'http://127.0.0.1:9'], tokens.writer!);
      expect(nowhere.code).toBe(2);
      expect(nowhere.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
    });

    it('publishes a file for review into the library, then pauses on 403 until a higher role logs in', async () => {
      const file = join(home, 'cli-story.md');
      writeFileSync(file, storyText('cli-story-5a5a'));
      let r = await studio(['publish', file, '--status', 'review']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/queued cli-story-5a5a → review/);
      expect((await backend.story('cli-story-5a5a'))?.version).toBe(1);
      expect(libraryStory('cli-story-5a5a')).toMatchObject({ status: 'review', title: 'Story cli-story-5a5a' });

      r = await studio(['publish', file, '--status', 'approved']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/paused: cli-story-5a5a: .*403/);
      r = await studio(['status']);
      expect(r.out).toMatch(/waiting: cli-story-5a5a: Approve paused .*403/);

      r = await studio(['login', '--backend', backend.url], tokens.editor!);
      expect(r.code).toBe(0);
      r = await studio(['sync']);
      expect(r.out).toMatch(/push: 1 sent/);
      expect(r.code).toBe(0);
      expect(await backend.story('cli-story-5a5a')).toMatchObject({ version: 2, status: 'approved' });

      r = await studio(['status', '--format', 'json']);
      const s = JSON.parse(r.out);
      expect(s).toMatchObject({ paused: null, counts: { done: 2 }, tokenStorage: 'plain', loggedIn: true });
      expect(s.lastPullAt).not.toBeNull();
    });

    it("shows a rejected story's diagnostics on the lines of the file sent", async () => {
      const file = join(home, 'bad.md');
      writeFileSync(file, storyText('cli-bad-story-0001', 'A line.\n\nA {{entity:no-such-entity|ghost}} here.\n', { beat: 'no-such-beat' }));
      // Sent anyway: what the backend says, not only the check before sending (check-before-sending.test.ts).
      const r = await studio(['publish', file, '--status', 'review', '--force']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/rejected: cli-bad-story-0001/);
      // The beat is on line 3 of the file; the unknown reference on line 9, column 3.
      expect(r.out).toMatch(/bad\.md:3:\d+: error meta-beat-unknown/);
      expect(r.out).toMatch(/bad\.md:9:3: error ref-unknown/);
    });

    it('withdraws a published story (publisher), and refuses a story never sent', async () => {
      const file = join(home, 'to-withdraw.md');
      writeFileSync(file, storyText('cli-withdraw-0b0b'));
      let r = await studio(['login', '--backend', backend.url], tokens.publisher!);
      r = await studio(['publish', file, '--status', 'published']);
      expect(r.code).toBe(0);
      r = await studio(['withdraw', 'cli-withdraw-0b0b']);
      expect(r.out).toMatch(/queued the withdrawal of cli-withdraw-0b0b/);
      expect(r.code).toBe(0);
      expect(await backend.story('cli-withdraw-0b0b')).toMatchObject({ version: 2, status: 'withdrawn' });
      const page = await fetch(`${backend.url}/stories/cli-withdraw-0b0b`);
      expect(page.status).toBe(410);
      // The library keeps the story, a draft again: once it is off the site nothing says published (issue 11 #1).
      expect(libraryStory('cli-withdraw-0b0b')?.status).toBe('draft');

      writeFileSync(file, storyText('cli-never-sent-0c0c'));
      await studio(['publish', file, '--status', 'review', '--offline']);
      const lib = Library.open(join(home, 'library.sqlite'));
      lib.saveStory(lib.storyBySlug('cli-never-sent-0c0c')!.id, storyText('cli-only-here-0d0d'));
      lib.close();
      r = await studio(['withdraw', 'cli-only-here-0d0d']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/never sent to the backend/);
    });

    it('STUDIO_TOKEN (with STUDIO_BACKEND) overrides the vault; sync pulls backend stories into the library', async () => {
      // Another studio puts a story on the backend.
      const res = await fetch(`${backend.url}/api/v1/stories/elsewhere-story-1e1e`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${tokens.writer}`, 'content-type': 'application/json', 'idempotency-key': 'k-elsewhere', 'if-none-match': '*' },
        body: JSON.stringify({ title: 'Written elsewhere', beat: 'open-source-ai', body: 'From another desk.\n', citations: [], status: 'review' }),
      });
      expect(res.status).toBe(201);
      const r = await studio(['sync'], '', { STUDIO_TOKEN: tokens.publisher!, STUDIO_BACKEND: backend.url });
      expect(r.out).toMatch(/^pull: \d+ story changes seen, [1-9]\d* updated here/m);
      expect(libraryStory('elsewhere-story-1e1e')).toMatchObject({ title: 'Written elsewhere', status: 'review' });
      const bad = await studio(['status'], '', { STUDIO_TOKEN: 'x', STUDIO_BACKEND: backend.url });
      expect(bad.code).toBe(0);
    });

    it('draws a progress bar on a terminal, plain lines otherwise', async () => {
      const file = join(home, 'bar.md');
      writeFileSync(file, storyText('cli-bar-story-0e0e'));
      await studio(['publish', file, '--status', 'review', '--offline']);
      const tty = await studio(['sync', '--no-pull'], '', {}, true);
      expect(tty.out).toMatch(/\rpush \[#{24}\] 1\/1/);
      await studio(['publish', file, '--status', 'approved', '--offline']);
      const plain = await studio(['sync', '--no-pull']);
      expect(plain.out).not.toContain('\r');
      expect(plain.out).toMatch(/^pushed cli-bar-story-0e0e as approved \(v2\)$/m);
    });

    it('one sync worker per library: the command line waits while the app syncs it', async () => {
      const proxy = await new FaultProxy(backend.url).start();
      proxy.plan = (req) => (req.method === 'PUT' ? { kind: 'slow', ms: 1500, forward: true } : { kind: 'pass' });
      const lib = Library.open(join(home, 'library.sqlite'));
      const app = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
      try {
        await app.login(proxy.url, tokens.publisher!);
        const id = lib.putBySlug('cli-locked-story-0f0f', storyText('cli-locked-story-0f0f')).id;
        await app.enqueue(id, 'review');
        const appRun = app.run();
        await expect.poll(() => proxy.log.some((l) => l.method === 'PUT')).toBe(true);
        const r = await studio(['sync']);
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/another sync .* is running on this library/);
        expect((await appRun).push?.done).toBe(1);
      } finally {
        lib.close();
        await proxy.close();
      }
      // Once the app's run is over, the command line gets its turn.
      const after = await studio(['sync']);
      expect(after.err).not.toMatch(/another sync/);
      expect(after.out).toMatch(/^push: /m);
    });

    it('never writes a token into the library file (nor its WAL)', async () => {
      for (const f of ['library.sqlite', 'library.sqlite-wal']) {
        const bytes = existsSync(join(home, f)) ? readFileSync(join(home, f)) : Buffer.alloc(0);
        for (const t of Object.values(tokens)) expect(bytes.includes(Buffer.from(t)), `${f} holds a token`).toBe(false);
      }
      expect(readFileSync(join(home, 'library.sqlite')).length).toBeGreaterThan(0);
    });

    it('bad input: a missing file, a folder, a bad --wait are one-line errors and exit 2', async () => {
      let r = await studio(['publish', join(home, 'nope.md'), '--status', 'review']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^studio: .*nope\.md: no such file\n$/);
      r = await studio(['publish', home, '--status', 'review']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/is a directory/);
      r = await studio(['sync', '--wait', 'soon']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--wait: not a number of seconds: soon/);
    });
  });
}
