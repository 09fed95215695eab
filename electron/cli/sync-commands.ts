/**
 * The sync commands of `studio`: login, sync, publish, status, resolve. State lives in
 * `<dataDir>/sync.sqlite`, pulled stories in `<dataDir>/stories/`, the token in the vault
 * (`<dataDir>/credentials.json`, plain, mode 0600) unless `STUDIO_TOKEN` is set.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Option, type Command } from 'commander';
import { PUSH_STATUSES, type PushStatus } from '../../shared/protocol/index.js';
import { dataDir } from '../services/paths.js';
import { readTextFile } from '../services/story-files.js';
import { FolderStories, SyncEngine, type PushResult, type SyncStatus } from '../services/sync/index.js';
import { credentialsPath, EnvOverrideVault, FileVault, redact, type TokenVault } from '../services/vault/index.js';

export interface SyncCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The whole of standard input (the token for `login`). */
  stdin?: () => Promise<string>;
  isTTY?: boolean;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof globalThis.fetch;
}

/** Exit codes of the sync commands: done, something needs attention (queued, rejected, conflict, paused), bad input. */
export const SYNC_EXIT = { ok: 0, attention: 1, badInput: 2 } as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function numberEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

interface Ctx {
  env: NodeJS.ProcessEnv;
  dir: string;
  vault: TokenVault;
}

function context(io: SyncCliIo): Ctx {
  const env = io.env ?? process.env;
  const dir = dataDir(env);
  return { env, dir, vault: new EnvOverrideVault(new FileVault(credentialsPath(dir)), env) };
}

async function openEngine(io: SyncCliIo, ctx: Ctx, log: (line: string) => void, needLogin = true): Promise<{ engine: SyncEngine; close: () => void }> {
  const creds = await ctx.vault.load();
  const backendUrl = creds?.backendUrl ?? ctx.env.STUDIO_BACKEND ?? (needLogin ? undefined : '(not logged in)');
  if (!backendUrl) throw new Error('not logged in: run `studio login --backend URL` with the token on stdin');
  mkdirSync(ctx.dir, { recursive: true });
  const db = new Database(join(ctx.dir, 'sync.sqlite'));
  const base = numberEnv(ctx.env, 'STUDIO_SYNC_BACKOFF_BASE_MS');
  const engine = new SyncEngine({
    db, backendUrl,
    token: () => creds?.token,
    local: new FolderStories(join(ctx.dir, 'stories')),
    fetch: io.fetch,
    timeoutMs: numberEnv(ctx.env, 'STUDIO_SYNC_TIMEOUT_MS'),
    backoff: base !== undefined ? { baseMs: base, capMs: numberEnv(ctx.env, 'STUDIO_SYNC_BACKOFF_CAP_MS') ?? 60_000 } : undefined,
    log: (line) => log(redact(line, creds?.token)),
  });
  return { engine, close: () => db.close() };
}

function pushSummary(r: PushResult): string {
  return `push: ${r.done} sent, ${r.rejected} rejected, ${r.conflicts} in conflict, ${r.remaining} waiting${r.paused ? ', queue paused' : ''}`;
}

function needsAttention(s: SyncStatus): boolean {
  return s.paused !== null || s.conflicts.length > 0 || s.rejected.length > 0 || s.queued.length > 0;
}

function statusLines(s: SyncStatus): string[] {
  const out = [`backend: ${s.backendUrl}`];
  if (s.paused) out.push(`paused: ${s.paused}`);
  const counts = Object.entries(s.counts).map(([k, v]) => `${k} ${v}`).join(', ');
  out.push(`outbox: ${counts || 'empty'}`);
  for (const q of s.queued) out.push(`waiting: ${q.slug} → ${q.status} (attempts ${q.attempts}${q.lastError ? `; ${q.lastError}` : ''})`);
  for (const r of s.rejected) {
    out.push(`rejected: ${r.slug} → ${r.status}: ${r.message ?? ''}`);
    for (const d of r.diagnostics as { rule?: string; severity?: string; message?: string; line?: number; column?: number }[]) {
      out.push(`  ${d.line ?? '?'}:${d.column ?? '?'} ${d.severity ?? ''} ${d.message ?? ''} [${d.rule ?? ''}]`);
    }
  }
  for (const c of s.conflicts) out.push(`conflict: ${c.slug}: the backend has v${c.remoteVersion} (${c.origin}); resolve with \`studio resolve ${c.slug} MERGED_FILE\``);
  out.push(`last push: ${s.lastPushAt ? new Date(s.lastPushAt).toISOString() : 'never'}; last pull: ${s.lastPullAt ? new Date(s.lastPullAt).toISOString() : 'never'}`);
  return out;
}

/** Adds `login`, `sync`, `publish`, `status` and `resolve` to the `studio` program. */
export function addSyncCommands(program: Command, io: SyncCliIo): void {
  const setExit = (code: number) => { (program as Command & { exitCodeValue: number }).exitCodeValue = code; };
  const tty = () => io.isTTY ?? process.stdout.isTTY === true;
  const progress = (line: string) => io.stdout(tty() ? `  · ${line}\n` : `${line}\n`);

  program
    .command('login')
    .description('store the backend address and a token (read from stdin) for sync')
    .requiredOption('--backend <url>', 'the publishing backend, e.g. https://news.example.org')
    .option('--no-check', 'do not check the token against the backend')
    .action(async (opts: { backend: string; check: boolean }) => {
      const ctx = context(io);
      let url: URL;
      try {
        url = new URL(opts.backend);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('');
      } catch {
        throw new Error(`--backend: not an http(s) URL: ${opts.backend}`);
      }
      const token = (await (io.stdin ?? readStdin)()).trim();
      if (!token) throw new Error('no token on stdin');
      const backendUrl = url.toString().replace(/\/+$/, '');
      if (opts.check) {
        const f = io.fetch ?? globalThis.fetch;
        let status: number;
        try {
          status = (await f(`${backendUrl}/api/v1/stories?limit=1`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) })).status;
        } catch {
          throw new Error(`cannot reach ${backendUrl} (use --no-check to store the token anyway)`);
        }
        if (status === 401) throw new Error('the backend refused the token (401)');
        if (status !== 200) throw new Error(`the backend answered ${status} when checking the token`);
      }
      await ctx.vault.save({ backendUrl, token });
      // A new token lifts a 401/403 pause.
      const { engine, close } = await openEngine(io, ctx, () => {});
      try { engine.resume(); } finally { close(); }
      io.stdout(`logged in to ${backendUrl} (token stored ${ctx.vault.storage === 'env' ? 'in the vault; STUDIO_TOKEN overrides it' : ctx.vault.storage === 'plain' ? 'in plain text, file mode 0600' : 'encrypted'})\n`);
    });

  program
    .command('sync')
    .description('send the outbox to the backend, then pull catalog and story changes')
    .option('--wait <seconds>', 'how long to keep retrying rows in backoff', '60')
    .option('--no-pull', 'only push')
    .action(async (opts: { wait: string; pull: boolean }) => {
      const ctx = context(io);
      const { engine, close } = await openEngine(io, ctx, progress);
      try {
        const r = await engine.push({ maxWaitMs: Math.max(0, Number(opts.wait) || 0) * 1000 });
        io.stdout(`${pushSummary(r)}\n`);
        if (opts.pull) {
          try {
            const p = await engine.pull();
            io.stdout(`pull: ${p.storiesSeen} story changes seen, ${p.fastForwarded.length} updated here, ${p.conflicts.length} in conflict, ${p.catalogChanges} catalog changes\n`);
          } catch (e) {
            io.stderr(`studio: pull failed: ${(e as Error).message}\n`);
          }
        }
        const s = engine.status();
        if (s.paused) io.stderr(`studio: sync paused: ${s.paused}\n`);
        setExit(needsAttention(s) ? SYNC_EXIT.attention : SYNC_EXIT.ok);
      } finally {
        close();
      }
    });

  program
    .command('publish')
    .description('put a story in the outbox with a target status, then send it')
    .argument('<file>', 'a story file')
    .addOption(new Option('--status <status>', 'target status').choices([...PUSH_STATUSES]).makeOptionMandatory())
    .option('--offline', 'only queue it; `studio sync` sends it later')
    .option('--wait <seconds>', 'how long to keep retrying', '60')
    .action(async (file: string, opts: { status: PushStatus; offline?: boolean; wait: string }) => {
      const ctx = context(io);
      const text = await readTextFile(file);
      const { engine, close } = await openEngine(io, ctx, progress);
      try {
        const row = engine.enqueue(text, opts.status);
        await engine.local.put(row.storySlug, row.revision);
        io.stdout(`queued ${row.storySlug} → ${opts.status}\n`);
        if (opts.offline) { setExit(SYNC_EXIT.ok); return; }
        const r = await engine.push({ maxWaitMs: Math.max(0, Number(opts.wait) || 0) * 1000 });
        io.stdout(`${pushSummary(r)}\n`);
        const after = engine.store.row(row.id)!;
        if (after.state === 'rejected') for (const line of statusLines(engine.status()).filter((l) => l.startsWith('rejected') || l.startsWith('  '))) io.stdout(`${line}\n`);
        if (after.state === 'paused') io.stderr(`studio: sync paused: ${after.lastError}\n`);
        setExit(after.state === 'done' ? SYNC_EXIT.ok : SYNC_EXIT.attention);
      } finally {
        close();
      }
    });

  program
    .command('status')
    .description('what is waiting, rejected or in conflict')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { format: 'text' | 'json' }) => {
      const ctx = context(io);
      const { engine, close } = await openEngine(io, ctx, () => {}, false);
      try {
        const s = engine.status();
        if (opts.format === 'json') io.stdout(`${JSON.stringify({ ...s, tokenStorage: ctx.vault.storage }, null, 2)}\n`);
        else for (const line of statusLines(s)) io.stdout(`${line}\n`);
        setExit(SYNC_EXIT.ok);
      } finally {
        close();
      }
    });

  program
    .command('resolve')
    .description('resolve a conflict with a merged story file; it goes out on the backend\'s current version')
    .argument('<slug>', 'the story in conflict')
    .argument('<file>', 'the merged story file')
    .addOption(new Option('--status <status>', 'target status (default: that of the change in conflict)').choices([...PUSH_STATUSES]))
    .action(async (slug: string, file: string, opts: { status?: PushStatus }) => {
      const ctx = context(io);
      const text = await readTextFile(file);
      const { engine, close } = await openEngine(io, ctx, progress);
      try {
        const row = await engine.resolveConflict(slug, text, opts.status);
        io.stdout(`queued the merge of ${slug} → ${row.targetStatus}; run \`studio sync\` to send it\n`);
        setExit(SYNC_EXIT.ok);
      } finally {
        close();
      }
    });
}
