// `studio notes` and `studio note` (issue 14) on the reference backend: a note added from a script
// goes out, and the list shows each note at its line and column in the file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStudio } from '../../electron/cli/studio.js';
import { api, startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

let backend: TestServer;
let home: string;
beforeAll(async () => {
  backend = await startServer();
  home = mkdtempSync(join(tmpdir(), 'studio-notes-cli-'));
});
afterAll(async () => {
  await backend.close();
  rmSync(home, { recursive: true, force: true });
});

async function studio(args: string[], stdin = '') {
  let out = '';
  let err = '';
  // The sync commands read stdin, the terminal and the environment from the same object (SyncCliIo).
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

describe('studio notes / studio note', () => {
  it('adds a note on a quote, sends it, and lists it at its line:column; bad input exits 2 in one line', async () => {
    const slug = 'notes-cli-story-5e6f';
    const file = join(home, 'story.md');
    writeFileSync(file, storyText(slug, 'First paragraph.\n\nThe budget vote was delayed until spring.\n'));
    expect((await studio(['login', '--backend', backend.url], `${backend.tokens.editor}\n`)).code).toBe(0);
    const published = await studio(['publish', file, '--status', 'review']);
    expect(published.code, published.err).toBe(0);

    const added = await studio(['note', slug, '--quote', 'delayed until spring', '--body', 'Which spring? Give the month.']);
    expect(added.code, added.err).toBe(0);
    expect(added.out).toMatch(/at \d+:\d+: sent/);
    const remote = (await (await api(backend, `/api/v1/stories/${slug}/notes`, backend.tokens.writer)).json()) as {
      items: { body: string; anchor: { exact: string } }[];
    };
    expect(remote.items).toEqual([
      expect.objectContaining({ body: 'Which spring? Give the month.', anchor: expect.objectContaining({ exact: 'delayed until spring' }) }),
    ]);

    const listed = await studio(['notes', slug, '--format', 'json']);
    expect(listed.code).toBe(0);
    const [note] = JSON.parse(listed.out) as { at: string; body: string; pending: boolean }[];
    const text = storyText(slug, 'First paragraph.\n\nThe budget vote was delayed until spring.\n');
    const [line, column] = note!.at.split(':').map(Number);
    expect(text.split('\n')[line! - 1]!.slice(column! - 1)).toMatch(/^delayed until spring/);
    expect(note).toMatchObject({ body: 'Which spring? Give the month.', pending: false });
    const plain = await studio(['notes', slug]);
    expect(plain.out).toContain(`${note!.at} editor (open)`);

    const missing = await studio(['note', slug, '--quote', 'not in the story', '--body', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect(missing.err).toContain('--quote');
    expect((await studio(['notes', 'no-such-story-0000'])).code).toBe(2);
  });
});
