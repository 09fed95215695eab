/**
 * What the command line prints about a hostile backend (issue 15 #11, #13): a backend that echoes
 * the token back, or puts terminal escapes in its messages, gets neither onto the terminal, in
 * `studio login`, `publish`, `sync` or `status`, text or JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStudio } from '../../electron/cli/studio.js';
import { healthy, HostileBackend, json } from './helpers/hostile-backend.js';
import { storyText } from './helpers/stories.js';

const TOKEN = 'tok-3f9a1c77e2b54d0c';
const ESC = '\u001b]0;owned\u0007\u001b[2J';
let evil: HostileBackend;
let home: string;
beforeEach(async () => {
  evil = await new HostileBackend().start();
  home = mkdtempSync(join(tmpdir(), 'studio-cli-out-'));
});
afterEach(async () => {
  await evil.close();
  rmSync(home, { recursive: true, force: true });
});

async function studio(args: string[], stdin = '') {
  let out = '';
  const io = {
    stdout: (t: string) => {
      out += t;
    },
    stderr: (t: string) => {
      out += t;
    },
    stdin: async () => stdin,
    isTTY: false,
    env: { STUDIO_HOME: home, STUDIO_SYNC_BACKOFF_BASE_MS: '5', STUDIO_SYNC_BACKOFF_CAP_MS: '20' },
  };
  const code = await runStudio(args, io);
  return { code, out };
}

/** A backend that answers every PUT with a 422 quoting the request's Authorization header, and escapes. */
function echoingBackend() {
  evil.routes = [
    healthy,
    (req, url, res) => {
      const auth = String(req.headers.authorization ?? '');
      if (req.method === 'PUT') {
        json(res, 422, {
          error: 'story_invalid',
          message: `refused for ${auth} ${ESC}`,
          diagnostics: [{ rule: `rule-${auth}`, severity: 'error', message: `bad ${ESC} ${auth}`, line: 1, column: 1 }],
        });
      } else if (url.pathname === '/api/v1/stories') json(res, 200, { items: [], cursor: 1, hasMore: false });
    },
  ];
}

describe('terminal output of a hostile backend', () => {
  it('never prints the token (issue 15 #11) nor control characters (#13)', async () => {
    echoingBackend();
    const login = await studio(['login', '--backend', evil.url], `${TOKEN}\n`);
    expect(login.code).toBe(0);
    const file = join(home, 'story.md');
    writeFileSync(file, storyText('echo-story-ab12'));
    const outputs = [
      login.out,
      (await studio(['publish', file, '--status', 'review', '--wait', '0'])).out,
      (await studio(['sync', '--wait', '0'])).out,
      (await studio(['status'])).out,
      (await studio(['status', '--format', 'json'])).out,
    ];
    // The backend did echo it: the rejection is there, with its words.
    expect(outputs[1]).toMatch(/rejected/);
    expect(outputs[3]).toMatch(/rejected: echo-story-ab12/);
    for (const out of outputs) {
      expect(out).not.toContain(TOKEN);
      expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
  });
});
