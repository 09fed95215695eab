// Issue 15 #8: the data folder and its files are the user's alone, and the browser is opened on a
// one-time address, so that no long-lived secret sits on a command line (/proc/*/cmdline).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot } from '../../electron/services/paths.js';

const mode = (file: string) => statSync(file).mode & 0o777;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-private-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the data folder and its files', () => {
  it('a new library is created 0600 (its WAL too) in a folder created 0700', () => {
    const home = join(dir, 'data');
    const file = join(home, 'library.sqlite');
    const lib = Library.open(file);
    try {
      lib.createStory({ title: 'Private' });
      expect(mode(home)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      for (const side of ['-wal', '-shm']) if (existsSync(file + side)) expect(mode(file + side), side).toBe(0o600);
    } finally {
      lib.close();
    }
  });

  it("an existing library another version left readable by others is made the user's alone", () => {
    const file = join(dir, 'old.sqlite');
    Library.open(file).close();
    chmodSync(file, 0o644);
    Library.open(file).close();
    expect(mode(file)).toBe(0o600);
  });
});

describe('the browser host opens a one-time address', () => {
  it("the opener's command line holds a code that works once, never the secret", async () => {
    const main = join(packageRoot(), 'dist/host/main.js');
    if (!existsSync(main)) throw new Error('run `npm run build` first (dist/host/main.js is missing)');
    // A stand-in for xdg-open that records its command line, as /proc/PID/cmdline would show it.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    const argvFile = join(dir, 'opener-argv');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${argvFile}'\n`, { mode: 0o755 });
    const child = spawn(process.execPath, [main, '--port', '0', '--library', join(dir, 'lib.sqlite')], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, DISPLAY: ':99', STUDIO_NO_OPEN: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const printed = await new Promise<string>((ok, fail) => {
        const lines = createInterface({ input: child.stdout! });
        lines.on('line', (line) => {
          const m = /running at (\S+)/.exec(line);
          if (m) ok(m[1]!);
        });
        child.on('exit', (code) => fail(new Error(`the host exited (${code})`)));
      });
      for (let i = 0; i < 200 && !existsSync(argvFile); i++) await new Promise((r) => setTimeout(r, 25));
      const opened = readFileSync(argvFile, 'utf8').trim();
      const origin = new URL(printed).origin;
      expect(opened.startsWith(`${origin}/`)).toBe(true);
      const code = new URL(opened).hash.match(/code=([0-9a-f]+)/)?.[1];
      expect(code, opened).toMatch(/^[0-9a-f]{32,}$/);
      const exchange = (c: string) =>
        fetch(`${origin}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: c }) });
      const first = await exchange(code!);
      expect(first.status).toBe(200);
      const secret = ((await first.json()) as { value: { secret: string } }).value.secret;
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect(opened).not.toContain(secret);
      expect(printed).not.toContain(secret);
      const again = await exchange(code!);
      expect(again.status).toBe(401);
      const api = await fetch(`${origin}/api/listStories`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-studio-secret': secret },
        body: '{}',
      });
      expect(api.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
