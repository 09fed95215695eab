/**
 * `studio-server`: the reference publishing backend's command line.
 *   serve [--db FILE|postgres://USER@HOST:PORT/DB] [--pool-size N] [--site-name NAME] [--site-description TEXT] [--host 127.0.0.1] [--port 8787] [--site URL] [--catalog FILE] [--story-workers N]
 *   (every --db: a SQLite file, or a postgres:// URL that several instances share)
 *   token create --db FILE --name NAME --role writer|editor|publisher   (prints the token alone)
 *   token list --db FILE
 *   token revoke NAME --db FILE
 * Bad input: one line `studio-server: reason` on stderr, exit 2.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync, realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { normalizeSite, parseCatalog } from '../shared/index.js';
import { buildServer, createLogger } from './app.js';
import { hashToken, newToken } from './auth.js';
import { isRole, ROLES } from '../shared/protocol/index.js';
import { SqliteStore } from './store/sqlite-store.js';
import { isPostgresUrl, PgStore, redactUrl } from './store/pg-store.js';
import type { PublishingStore } from './store/store.js';
import { runStoryWorkerIfOne } from './story-checker.js';

const DEFAULT_DB = '.studio-data/server.sqlite';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Story checks off the event loop on every core but the loop's own, up to 4 (story-checker.ts). */
const DEFAULT_STORY_WORKERS = Math.min(4, Math.max(0, availableParallelism() - 1));

class UsageError extends Error {}

function fail(message: string): never {
  throw new UsageError(message);
}

/** `--db`: a `postgres://` URL opens PostgreSQL (several instances may share it); anything else is a SQLite file. */
async function openStore(db: string, poolSize?: number): Promise<PublishingStore> {
  try {
    return isPostgresUrl(db) ? await PgStore.open(db, { poolSize }) : new SqliteStore(db);
  } catch (e) {
    fail(`cannot open the database ${redactUrl(db)}: ${(e as Error).message.split('\n')[0]}`);
  }
}

function parseSiteText(option: string, value: string, max: number): string {
  const text = value.trim();
  if (!text && option === '--site-name') fail(`${option} must not be empty`);
  if (text.length > max) fail(`${option} is longer than ${max} characters`);
  if (/[\u0000-\u001f\u007f]/.test(text)) fail(`${option} must not hold control characters`);
  return text;
}

function parsePoolSize(value: string): number {
  if (!/^\d{1,3}$/.test(value) || Number(value) < 1 || Number(value) > 500) fail(`--pool-size ${value} is not a number of connections (1 to 500)`);
  return Number(value);
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) fail(`--port ${value} is not a port number (0 to 65535)`);
  return Number(value);
}

function parseName(value: string): string {
  if (!/^[A-Za-z0-9._@-]{1,100}$/.test(value)) fail(`the token name "${value}" must be 1 to 100 letters, digits, . _ @ or -`);
  return value;
}

async function serve(opts: {
  db: string;
  host: string;
  port: string;
  site?: string;
  catalog?: string;
  logLevel: string;
  storyWorkers: string;
  poolSize: string;
  siteName?: string;
  siteDescription?: string;
}): Promise<void> {
  const port = parsePort(opts.port);
  const poolSize = parsePoolSize(opts.poolSize);
  const siteInfo = {
    ...(opts.siteName !== undefined ? { name: parseSiteText('--site-name', opts.siteName, 200) } : {}),
    ...(opts.siteDescription !== undefined ? { description: parseSiteText('--site-description', opts.siteDescription, 1000) } : {}),
  };
  if (!/^\d{1,2}$/.test(opts.storyWorkers) || Number(opts.storyWorkers) > 64) fail(`--story-workers ${opts.storyWorkers} is not a number of threads (0 to 64)`);
  if (!LOG_LEVELS.includes(opts.logLevel)) fail(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  let site: string | undefined;
  if (opts.site !== undefined) {
    try {
      site = normalizeSite(opts.site);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  let catalog;
  if (opts.catalog !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.catalog, 'utf8');
    } catch (e) {
      fail(`cannot read the catalog ${opts.catalog}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    try {
      catalog = parseCatalog(text);
    } catch (e) {
      fail(`the catalog ${opts.catalog} is not valid: ${(e as Error).message}`);
    }
  }
  const store = await openStore(opts.db, poolSize);
  if (catalog) await store.seedCatalog(catalog);
  let listening = '';
  const app = await buildServer({
    store,
    site: () => site ?? listening,
    siteInfo,
    logger: createLogger(opts.logLevel),
    // The workers run this very file (the built bundle), which becomes one at the bottom.
    storyWorkers: { file: new URL(import.meta.url), count: Number(opts.storyWorkers) },
  });
  try {
    await app.listen({ host: opts.host, port });
  } catch (e) {
    await store.close();
    fail(`cannot listen on ${opts.host}:${port}: ${(e as Error).message.split('\n')[0]}`);
  }
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  listening = `http://${host}:${actualPort}`;
  process.stdout.write(`listening on ${listening}\n`);
  const stop = async () => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('studio-server')
    .description('The reference publishing backend of Newsdesk Studio')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .showHelpAfterError(false);

  program
    .command('serve')
    .description('serve the publishing API and the public site')
    .option('--db <file|url>', 'the SQLite database file, or a postgres://USER@HOST:PORT/DB URL', DEFAULT_DB)
    .option('--pool-size <n>', 'PostgreSQL connections of this instance', '10')
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--port <port>', 'the port (0 picks a free one)', '8787')
    .option('--site <url>', 'the public site URL (default: the listening address)')
    .option('--site-name <name>', "the public site's name (header, feeds, share cards)", 'Newsdesk')
    .option('--site-description <text>', 'a line saying what the site is (footer, feeds, front page)')
    .option('--catalog <file>', 'a catalog JSON that seeds an empty database')
    .option('--log-level <level>', 'pino log level', 'info')
    .option('--story-workers <n>', 'worker threads that check PUT stories (0: on the event loop)', String(DEFAULT_STORY_WORKERS))
    .action(async (opts) => serve(opts));

  const token = program.command('token').description('manage API tokens');
  token
    .command('create')
    .requiredOption('--name <name>', 'who the token is for')
    .requiredOption('--role <role>', 'writer, editor or publisher')
    .option('--db <file|url>', 'the SQLite database file, or a postgres:// URL', DEFAULT_DB)
    .action(async (opts: { name: string; role: string; db: string }) => {
      const name = parseName(opts.name);
      if (!isRole(opts.role)) fail(`--role must be one of ${ROLES.join(', ')}`);
      const store = await openStore(opts.db, 1);
      try {
        const value = newToken();
        await store.createToken(name, opts.role, hashToken(value));
        process.stdout.write(`${value}\n`);
      } catch (e) {
        fail((e as Error).message);
      } finally {
        await store.close();
      }
    });
  token
    .command('list')
    .option('--db <file|url>', 'the SQLite database file, or a postgres:// URL', DEFAULT_DB)
    .action(async (opts: { db: string }) => {
      const store = await openStore(opts.db, 1);
      try {
        for (const t of await store.listTokens()) process.stdout.write(`${t.name}\t${t.role}\t${t.createdAt}\n`);
      } finally {
        await store.close();
      }
    });
  token
    .command('revoke')
    .argument('<name>', 'the token to revoke')
    .option('--db <file|url>', 'the SQLite database file, or a postgres:// URL', DEFAULT_DB)
    .action(async (name: string, opts: { db: string }) => {
      const store = await openStore(opts.db, 1);
      try {
        if (!(await store.revokeToken(name))) fail(`no token named "${name}"`);
        process.stdout.write(`revoked ${name}\n`);
      } finally {
        await store.close();
      }
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      if (e.code === 'commander.executeSubCommandAsync') return e.exitCode;
      process.stderr.write(`studio-server: ${e.message.replace(/^error: /, '').split('\n')[0]}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`studio-server: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    process.stderr.write(`studio-server: ${(e as Error).message?.split('\n')[0] ?? String(e)}\n`);
    return 1;
  }
}

// What the bundle exposes to programs that import it (the bench), beside running as the CLI.
export { buildServer } from './app.js';
export { SqliteStore } from './store/sqlite-store.js';
export { PgStore } from './store/pg-store.js';
export { hashToken, newToken } from './auth.js';

function invokedDirectly(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (runStoryWorkerIfOne()) {
  // A story worker thread of a running server: it only answers checks.
} else if (invokedDirectly()) {
  const code = await main(process.argv.slice(2));
  if (code !== 0) process.exit(code);
}
