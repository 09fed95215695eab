/**
 * A throwaway PostgreSQL cluster for tests, from the machine's own server binaries: `initdb
 * --auth=trust` into a temporary folder, `pg_ctl start` on a free loopback port with its socket in
 * that folder, and everything removed at `stop()`. As root, every binary runs as the `postgres` user
 * (PostgreSQL refuses to run as root). ~2 s. Where no binaries exist, `PG_SKIP_REASON` says why and
 * the tests that need a cluster skip, saying so loudly (`.ci/run` installs Debian's `postgresql`).
 * The cluster runs with fsync off: its data is thrown away, and the crash tests kill server
 * instances, not PostgreSQL (bench/server-bench.mjs measures with fsync on).
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function findBinaries(): string | null {
  const candidates = [process.env.PG_BIN, '/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  return null;
}

const BIN = findBinaries();
const asRoot = process.getuid?.() === 0;

/** Why PostgreSQL tests cannot run here, or null when they can. */
export const PG_SKIP_REASON: string | null = !BIN
  ? 'no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or $PG_BIN'
  : asRoot &&
      !(await run('id', ['-u', 'postgres']).then(
        () => true,
        () => false,
      ))
    ? 'running as root and there is no "postgres" user to run the server as'
    : null;

if (PG_SKIP_REASON) {
  console.warn(`\n[postgres] SKIPPING the PostgreSQL tests: ${PG_SKIP_REASON}. Install Debian's postgresql (.ci/run does) to run them.\n`);
}

export interface PgCluster {
  port: number;
  /** The temporary folder holding the data directory, the socket and the log. */
  dir: string;
  /** A new empty database, as a `postgres://` URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function pgRun(tool: string, args: string[]): Promise<void> {
  const file = join(BIN!, tool);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  try {
    await run(cmd, argv, { timeout: 60_000 });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${tool} failed: ${(err.stderr || err.message).trim().split('\n').slice(-3).join(' | ')}`);
  }
}

/** Starts a cluster (one per test file: the tests of a file share it, each in its own database). */
export async function startPgCluster(): Promise<PgCluster> {
  if (PG_SKIP_REASON) throw new Error(PG_SKIP_REASON);
  const dir = mkdtempSync(join(tmpdir(), 'studio-pg-'));
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  await pgRun('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  let port = 0;
  // A port found free may be taken before the server binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      await pgRun('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'log'),
        '-w',
        '-t',
        '30',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off`,
        'start',
      ]);
      break;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
  let stopped = false;
  return {
    port,
    dir,
    async createDatabase(name: string) {
      await pgRun('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
