/** The backend the sync tests run against: the project's reference backend (server/), built, on a loopback port. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type Role = 'writer' | 'editor' | 'publisher';

export interface Backend {
  kind: 'real';
  url: string;
  token(role: Role): Promise<string>;
  /** The current version of a story (read with a publisher token), undefined when it does not exist. */
  story(slug: string): Promise<{ version: number; status: string; story: { body: string; title?: string } } | undefined>;
  close(): Promise<void>;
}

export const REAL_CLI = join(process.cwd(), 'dist/server/cli.js');
export const realBackendBuilt = existsSync(REAL_CLI);

async function readStory(url: string, token: string, slug: string): Promise<Awaited<ReturnType<Backend['story']>>> {
  const res = await fetch(`${url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status === 404) return undefined;
  if (res.status !== 200) throw new Error(`GET story ${slug}: ${res.status}`);
  return (await res.json()) as never;
}

export async function startReal(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'sync-real-'));
  const db = join(dir, 'backend.sqlite');
  const child: ChildProcess = spawn(process.execPath, [REAL_CLI, 'serve', '--db', db, '--port', '0', '--catalog', 'resources/catalog.json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`backend did not start: ${stderr}`)), 20_000);
    rl.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!.replace(/\/+$/, ''));
      else reject(new Error(`unexpected first line: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`backend exited ${code}: ${stderr}`)));
  });
  child.stdout!.resume();
  let n = 0;
  const token = async (role: Role) =>
    execFileSync(process.execPath, [REAL_CLI, 'token', 'create', '--db', db, '--name', `${role}-${++n}`, '--role', role], { encoding: 'utf8' }).trim();
  const reader = await token('publisher');
  return {
    kind: 'real',
    url,
    token,
    story: (slug) => readStory(url, reader, slug),
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 100));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The backends to run a suite against: the reference backend, skipped (saying so) when not built. */
export const BACKENDS: { name: string; start: () => Promise<Backend>; skip: boolean }[] = [
  {
    name: `reference backend${realBackendBuilt ? '' : ' (SKIPPED: dist/server/cli.js not built; run node scripts/build.mjs server)'}`,
    start: startReal,
    skip: !realBackendBuilt,
  },
];
