import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStudio } from '../../electron/cli/studio.js';
import { BACKENDS, type Backend } from './helpers/backends.js';
import { storyText } from './helpers/stories.js';

for (const b of BACKENDS) {
  describe.skipIf(b.skip)(`studio login/publish/sync/status against the ${b.name}`, () => {
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

    async function studio(args: string[], stdin = '', env: Record<string, string> = {}) {
      let out = '';
      let err = '';
      const io = {
        stdout: (t: string) => { out += t; },
        stderr: (t: string) => { err += t; },
        stdin: async () => stdin,
        isTTY: false,
        env: { STUDIO_HOME: home, STUDIO_SYNC_BACKOFF_BASE_MS: '5', STUDIO_SYNC_BACKOFF_CAP_MS: '50', ...env },
      };
      const code = await runStudio(args, io);
      for (const t of Object.values(tokens)) {
        expect(out).not.toContain(t);
        expect(err).not.toContain(t);
      }
      return { code, out, err };
    }

    it('status works before login; sync says to log in', async () => {
      const s = await studio(['status', '--format', 'json']);
      expect(s.code).toBe(0);
      expect(JSON.parse(s.out)).toMatchObject({ backendUrl: '(not logged in)', counts: {} });
      const r = await studio(['sync']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/not logged in: run `studio login/);
    });

    it('logs in with the token on stdin, into a 0600 plain vault', async () => {
      const r = await studio(['login', '--backend', backend.url], `${tokens.writer}\n`);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/logged in to .* plain text, file mode 0600/);
      const file = join(home, 'credentials.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ storage: 'plain' });
      const bad = await studio(['login', '--backend', backend.url], 'wrong-token');
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/401/);
      expect(bad.err).not.toContain('wrong-token');
    });

    it('publishes a file for review, then pauses on 403 until a higher role logs in', async () => {
      const file = join(home, 'cli-story.md');
      writeFileSync(file, storyText('cli-story-5a5a'));
      let r = await studio(['publish', file, '--status', 'review']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/queued cli-story-5a5a → review/);
      expect((await backend.story('cli-story-5a5a'))?.version).toBe(1);

      r = await studio(['publish', file, '--status', 'approved']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/paused.*403/);
      r = await studio(['status']);
      expect(r.out).toMatch(/paused: .*403/);

      r = await studio(['login', '--backend', backend.url], tokens.editor!);
      expect(r.code).toBe(0);
      r = await studio(['sync']);
      expect(r.out).toMatch(/push: 1 sent/);
      expect(r.code).toBe(0);
      expect(await backend.story('cli-story-5a5a')).toMatchObject({ version: 2, status: 'approved' });

      r = await studio(['status', '--format', 'json']);
      const s = JSON.parse(r.out);
      expect(s).toMatchObject({ paused: null, counts: { done: 2 }, tokenStorage: 'plain' });
      expect(s.lastPullAt).not.toBeNull();
    });

    it('shows a rejected story\'s diagnostics', async () => {
      const file = join(home, 'bad.md');
      writeFileSync(file, storyText('cli-bad-story-0001', 'Body.\n', { beat: 'no-such-beat' }));
      const r = await studio(['publish', file, '--status', 'review']);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/rejected: cli-bad-story-0001/);
      expect(r.out).toMatch(/meta-beat-unknown/);
    });

    it('STUDIO_TOKEN overrides the vault; sync pulls stories into the data folder', async () => {
      const r = await studio(['sync'], '', { STUDIO_TOKEN: tokens.publisher! });
      expect(r.out).toMatch(/^pull: /m);
      expect(existsSync(join(home, 'stories'))).toBe(true);
      const bad = await studio(['status'], '', { STUDIO_TOKEN: 'x' });
      expect(bad.code).toBe(0);
    });

    it('bad input: a missing file is a one-line error and exit 2', async () => {
      const r = await studio(['publish', join(home, 'nope.md'), '--status', 'review']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/nope\.md: no such file/);
    });
  });
}
