/**
 * The server as people run it: `npm run server` (scripts/server.mjs), and `studio-server serve` with
 * story checks in worker threads, each a real process on a loopback port.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whoamiAnswerSchema } from '../../shared/protocol/index.js';
import { ROOT, SAMPLE_CATALOG, sampleStory } from './helpers.js';

const CLI = join(ROOT, 'dist/server/cli.js');
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'studio-server-cli-'));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a process and collects its stdout lines until one says where it listens. */
async function start(args: string[], cwd = ROOT): Promise<{ child: ChildProcess; url: string; lines: string[]; stderr: () => string }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const lines: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before listening: ${stderr}`)));
  });
  return { child, url, lines, stderr: () => stderr };
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function createToken(cli: string, db: string, name: string, role: string): string {
  return execFileSync(process.execPath, [cli, 'token', 'create', '--db', db, '--name', name, '--role', role], { encoding: 'utf8' }).trim();
}

describe('npm run server (scripts/server.mjs)', () => {
  it('serves a database seeded with the sample catalog, says how to make a token, and stops on SIGTERM', async () => {
    const db = join(dir, 'local.sqlite');
    const { child, url, lines } = await start([join(ROOT, 'scripts/server.mjs'), '--port', '0', '--db', db, '--log-level', 'warn']);
    expect(lines[0]).toBe(`listening on ${url}`);
    // The hint comes right after, with the real address.
    await new Promise((r) => setTimeout(r, 100));
    const hint = lines.join('\n');
    expect(hint).toContain(`npx studio-server token create --db ${db} --name alice --role publisher`);
    expect(hint).toContain(`npx studio login --backend ${url}`);

    const health = await fetch(`${url}/api/v1/health`);
    expect(await health.json()).toEqual({ ok: true, protocol: 1 });
    const token = createToken(CLI, db, 'alice', 'publisher');
    const who = await fetch(`${url}/api/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(whoamiAnswerSchema.parse(await who.json())).toEqual({ name: 'alice', role: 'publisher', site: url });
    expect((await fetch(`${url}/api/v1/whoami`)).status).toBe(401);
    const catalog = await (await fetch(`${url}/api/v1/catalog?limit=5000`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(catalog.entities.map((e: { slug: string }) => e.slug).sort()).toEqual(SAMPLE_CATALOG.entities.map((e) => e.slug).sort());
    expect(catalog.beats).toHaveLength(SAMPLE_CATALOG.beats.length);

    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  });

  it('builds the server first when dist/server/cli.js is missing', async () => {
    // A copy of what the script needs, without dist/, so that the repository's build is left alone.
    const copy = join(dir, 'fresh-checkout');
    for (const part of ['scripts', 'server', 'shared', 'resources', 'package.json', 'tsconfig.json'])
      cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    expect(existsSync(join(copy, 'dist/server/cli.js'))).toBe(false);
    const { child, url, stderr } = await start([join(copy, 'scripts/server.mjs'), '--port', '0', '--log-level', 'warn'], copy);
    expect(stderr()).toContain('building dist/server/cli.js');
    expect(existsSync(join(copy, 'dist/server/cli.js'))).toBe(true);
    // Its default database, inside the copy.
    expect(existsSync(join(copy, '.studio-data/server.sqlite'))).toBe(true);
    expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
    child.kill('SIGTERM');
    expect((await exited(child)).code).toBe(0);
  }, 60_000);

  it('passes a bad argument through to studio-server, which refuses it in one line, exit 2', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/server.mjs'), '--port', 'eighty', '--db', join(dir, 'bad.sqlite')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    expect((await exited(child)).code).toBe(2);
    expect(stderr).toBe('studio-server: --port eighty is not a port number (0 to 65535)\n');
  });
});

describe('studio-server serve with story workers', () => {
  it('checks stories in worker threads against the catalog as of each request', async () => {
    const db = join(dir, 'workers.sqlite');
    const token = createToken(CLI, db, 'pub', 'publisher');
    const { child, url } = await start([
      CLI,
      'serve',
      '--port',
      '0',
      '--db',
      db,
      '--catalog',
      join(ROOT, 'resources/catalog.json'),
      '--story-workers',
      '2',
      '--log-level',
      'warn',
    ]);
    let n = 0;
    const put = (slug: string, body: string, headers: Record<string, string> = { 'if-none-match': '*' }, status = 'published') =>
      fetch(`${url}/api/v1/stories/${slug}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `k${++n}`, ...headers },
        body: JSON.stringify(sampleStory({ status: status as 'published', body, citations: [] })),
      });
    /** Enough PUTs at once that every worker gets some. */
    const many = async (prefix: string, body: string) => {
      const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => put(`${prefix}-${i}`, body)));
      return Promise.all(rs.map(async (r) => ({ status: r.status, body: await r.json() })));
    };

    // A story published a moment ago is known to every worker.
    expect((await put('anchor', 'The anchor story.\n')).status).toBe(201);
    for (const r of await many('cites-anchor', 'See {{story:anchor}}.\n')) expect(r.status, JSON.stringify(r.body)).toBe(201);
    // Withdrawn: every worker forgets it.
    const withdrawn = await fetch(`${url}/api/v1/stories/anchor`, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'if-match': '"v1"' } });
    expect(withdrawn.status).toBe(200);
    for (const r of await many('cites-gone', 'See {{story:anchor}}.\n')) {
      expect(r.status).toBe(422);
      expect(r.body.error).toBe('invalid_story');
      expect(r.body.diagnostics.map((d: { rule: string }) => d.rule)).toContain('ref-unknown');
    }
    // A new entity is known to every worker.
    const entity = await fetch(`${url}/api/v1/catalog/entities/grace-hopper`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Grace Hopper', type: 'person' }),
    });
    expect(entity.status).toBe(201);
    for (const r of await many('cites-grace', 'About {{entity:grace-hopper|Hopper}}.\n')) expect(r.status, JSON.stringify(r.body)).toBe(201);
    // And the public pages list what the workers found in the bodies.
    const page = await (await fetch(`${url}/entities/grace-hopper`)).text();
    for (let i = 0; i < 8; i++) expect(page).toContain(`/stories/cites-grace-${i}"`);

    child.kill('SIGTERM');
    expect((await exited(child)).code).toBe(0);
  }, 60_000);

  it('answers the same with workers and without', async () => {
    const answers: Record<string, unknown>[] = [];
    for (const workers of ['0', '1']) {
      const db = join(dir, `same-${workers}.sqlite`);
      const token = createToken(CLI, db, 'pub', 'publisher');
      const { child, url } = await start([
        CLI,
        'serve',
        '--port',
        '0',
        '--db',
        db,
        '--catalog',
        join(ROOT, 'resources/catalog.json'),
        '--story-workers',
        workers,
        '--site',
        'https://news.example.org',
        '--log-level',
        'warn',
      ]);
      const r = await fetch(`${url}/api/v1/stories/same`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'same', 'if-none-match': '*' },
        body: JSON.stringify(sampleStory({ body: 'Bad {{entity:nobody-known}} and {{widget:x}}[3].\n' })),
      });
      expect(r.status).toBe(422);
      answers.push(await r.json());
      child.kill('SIGTERM');
      await exited(child);
    }
    expect(answers[1]).toEqual(answers[0]);
  }, 60_000);
});
