/**
 * The sync commands of `studio`: login, sync, publish, withdraw, status, resolve. They work on the studio's
 * library (the same SQLite file, outbox and sync service as the app, so the two never run two
 * workers at once) and keep the token in the vault beside it (plain, mode 0600) unless
 * `STUDIO_TOKEN` is set.
 */
import { addNoteCommands } from './notes-commands.js';
import { dirname } from 'node:path';
import { Option, type Command } from 'commander';
import { deriveSlug, parseStory, relocateDiagnostics, storyFields, type Diagnostic } from '../../shared/index.js';
import { storyStanding, type OutboxEntry, type SyncOverview } from '../../shared/api/sync.js';
import { PUSH_STATUSES, type OutboxTarget, type PushStatus } from '../../shared/protocol/index.js';
import { Library } from '../services/library/index.js';
import { defaultLibraryPath, sampleCatalogPath } from '../services/paths.js';
import { BadInputError } from '../services/bad-input.js';
import { readTextFile } from '../services/story-files.js';
import { SyncService } from '../services/sync-service/index.js';
import type { PushResult, SyncProgress } from '../services/sync/index.js';
import { credentialsPath, EnvOverrideVault, FileVault, redact } from '../services/vault/index.js';
import { stripControlChars } from '../../shared/text-util.js';
import { progressLine } from './progress-line.js';

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

function seconds(value: string, option: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new BadInputError(option, `not a number of seconds: ${value}`);
  return Number(value) * 1000;
}

interface Session {
  library: Library;
  /** The token the session's vault holds (never printed: only to redact output). */
  token: string | undefined;
  sync: SyncService;
  close(): Promise<void>;
}

/** Opens the library (creating it with the sample catalog when new) and its sync service. */
async function openSession(
  io: SyncCliIo,
  libraryOption: string | undefined,
  log: (line: string) => void,
  progress?: (p: SyncProgress) => void,
): Promise<Session> {
  const env = io.env ?? process.env;
  const file = libraryOption ?? defaultLibraryPath(env);
  const library = Library.open(file, { seed: { catalogPath: sampleCatalogPath() } });
  const base = numberEnv(env, 'STUDIO_SYNC_BACKOFF_BASE_MS');
  const vault = new EnvOverrideVault(new FileVault(credentialsPath(dirname(file))), env);
  const token = (await vault.load().catch(() => undefined))?.token;
  const sync = new SyncService({
    library,
    vault,
    fetch: io.fetch,
    intervalMs: 0,
    log,
    progress,
    engine: {
      timeoutMs: numberEnv(env, 'STUDIO_SYNC_TIMEOUT_MS'),
      backoff: base !== undefined ? { baseMs: base, capMs: numberEnv(env, 'STUDIO_SYNC_BACKOFF_CAP_MS') ?? 60_000 } : undefined,
    },
  });
  return {
    library,
    token,
    sync,
    async close() {
      await sync.idle();
      library.close();
    },
  };
}

/** A row of `studio status` in the app's words ("Publish queued", "Rejected: 3 problems"): the shared rule. */
function standingOf(row: { status: OutboxTarget; state?: OutboxEntry['state']; diagnostics?: unknown[]; message?: string | null }): string {
  const rejected = row.diagnostics ? { target: row.status, message: row.message ?? null, diagnostics: row.diagnostics as Diagnostic[] } : null;
  const changes: OutboxEntry[] = rejected ? [] : [{ id: 0, target: row.status, state: row.state ?? 'queued', attempts: 0, lastError: null, createdAt: '' }];
  return storyStanding({ changes, rejected, conflict: null, remoteStatus: null, remoteVersion: null }).label;
}

function problems(n: number): string {
  return `${n} problem${n === 1 ? '' : 's'}`;
}

function pushSummary(r: PushResult): string {
  return `push: ${r.done} sent, ${r.rejected} rejected, ${r.conflicts} in conflict, ${r.remaining} waiting${r.forbidden ? `, ${r.forbidden} not allowed for this role` : ''}${r.paused ? ', queue paused' : ''}`;
}

function needsAttention(o: SyncOverview): boolean {
  return o.paused !== null || o.conflicts.length > 0 || o.rejected > 0 || o.queued > 0;
}

/** Adds `login`, `sync`, `publish`, `withdraw`, `status` and `resolve` to the `studio` program. */
export function addSyncCommands(program: Command, rawIo: SyncCliIo): void {
  // Everything printed goes through `clean`: a backend's words may quote the token back or carry
  // terminal escapes; neither reaches the terminal (issue 15 #11, #13).
  const secrets = new Set<string>();
  const clean = (text: string) => stripControlChars([...secrets].reduce((t, secret) => redact(t, secret), text));
  const io: SyncCliIo = { ...rawIo, stdout: (t) => rawIo.stdout(clean(t)), stderr: (t) => rawIo.stderr(clean(t)) };
  const envToken = (rawIo.env ?? process.env).STUDIO_TOKEN;
  if (envToken) secrets.add(envToken);
  const session = async (...args: Parameters<typeof openSession>) => {
    const s = await openSession(...args);
    if (s.token) secrets.add(s.token);
    return s;
  };
  const setExit = (code: number) => {
    (program as Command & { exitCodeValue: number }).exitCodeValue = code;
  };
  const tty = () => io.isTTY ?? process.stdout.isTTY === true;
  const libraryOption = () => new Option('--library <file>', 'the studio library (default: the one in the data folder)');

  /** Progress: a bar redrawn in place on a terminal; plain lines (one per message) otherwise. */
  function reporter() {
    // The bar draws with \r, so it writes raw; what it shows is our own text, messages are cleaned.
    const bar = tty() ? progressLine((t) => rawIo.stdout(t)) : null;
    return {
      log: (line: string) => (bar ? bar.message(clean(line)) : io.stdout(`${line}\n`)),
      progress: bar ? (p: SyncProgress) => bar.update(p) : undefined,
      done: () => bar?.clear(),
    };
  }

  /** Runs a sync and prints its summary; sets the exit code from what is left to do. */
  async function runSync(s: Session, opts: { wait: number; pull: boolean }, done: () => void): Promise<SyncOverview> {
    const r = await s.sync.run({ maxWaitMs: opts.wait, pull: opts.pull });
    done();
    const o = r.overview;
    if (!o.configured) throw new Error('not logged in: run `studio login --backend URL` with the token on stdin');
    if (r.push) io.stdout(`${pushSummary(r.push)}\n`);
    if (r.pull)
      io.stdout(
        `pull: ${r.pull.storiesSeen} story changes seen, ${r.pull.fastForwarded.length} updated here, ${r.pull.conflicts.length} in conflict, ${r.pull.catalogChanges} catalog changes\n`,
      );
    for (const skip of r.pull?.skipped ?? []) io.stderr(`studio: sync: skipped the backend's ${skip.kind} ${JSON.stringify(skip.slug)}: ${skip.reason}\n`);
    if (r.pull?.truncated) io.stderr(`studio: sync: ${r.pull.truncated}\n`);
    for (const m of r.merged ?? []) io.stdout(`merged: ${m.slug}: ${m.summary || 'changes on both sides merged'} (sent on the backend's version)\n`);
    for (const slug of r.conflicts ?? [])
      io.stdout(`conflict: ${slug}: changed here and on the backend in the same place; resolve with \`studio resolve ${slug} MERGED_FILE\`\n`);
    if (o.lastError) io.stderr(`studio: sync: ${o.lastError}\n`);
    if (o.paused) io.stderr(`studio: sync paused: ${o.paused}\n`);
    setExit(needsAttention(o) || o.lastError ? SYNC_EXIT.attention : SYNC_EXIT.ok);
    return o;
  }

  addNoteCommands(program, { session: (library) => session(io, library, () => {}), stdout: io.stdout, setExit, libraryOption });

  program
    .command('login')
    .description('store the backend address and a token (read from stdin) for sync')
    .requiredOption('--backend <url>', 'the publishing backend, e.g. https://news.example.org')
    .addOption(libraryOption())
    .action(async (opts: { backend: string; library?: string }) => {
      let url: URL;
      try {
        url = new URL(opts.backend);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('');
      } catch {
        throw new BadInputError('--backend', `not an http(s) URL: ${opts.backend}`);
      }
      const token = (await (io.stdin ?? readStdin)()).trim();
      if (token) secrets.add(token);
      if (!token) throw new BadInputError('stdin', 'no token (pipe it in: echo "$TOKEN" | studio login --backend URL)');
      const s = await session(io, opts.library, () => {});
      try {
        const o = await s.sync.login(url.toString(), token);
        const where =
          o.tokenStorage === 'env' ? 'in the vault; STUDIO_TOKEN overrides it' : o.tokenStorage === 'plain' ? 'in plain text, file mode 0600' : 'encrypted';
        io.stdout(`logged in to ${o.backendUrl}${o.who ? ` as ${o.who} (${o.role})` : ''} (token stored ${where})\n`);
      } finally {
        await s.close();
      }
    });

  program
    .command('sync')
    .description('send the outbox to the backend, then pull catalog and story changes')
    .option('--wait <seconds>', 'how long to keep retrying changes in backoff', '60')
    .option('--no-pull', 'only push')
    .addOption(libraryOption())
    .action(async (opts: { wait: string; pull: boolean; library?: string }) => {
      const wait = seconds(opts.wait, '--wait');
      const rep = reporter();
      const s = await session(io, opts.library, rep.log, rep.progress);
      try {
        await runSync(s, { wait, pull: opts.pull }, rep.done);
      } finally {
        rep.done();
        await s.close();
      }
    });

  program
    .command('publish')
    .description('put a story file in the library and its outbox with a target status, then send it')
    .argument('<file>', 'a story file or plain-text export')
    .addOption(new Option('--status <status>', 'target status').choices([...PUSH_STATUSES]).makeOptionMandatory())
    .option('--offline', 'only queue it; `studio sync` sends it later')
    .option('--force', 'send it even though the check before sending found errors (the backend will refuse it and say why)')
    .option('--wait <seconds>', 'how long to keep retrying', '60')
    .addOption(libraryOption())
    .action(async (file: string, opts: { status: PushStatus; offline?: boolean; force?: boolean; wait: string; library?: string }) => {
      const wait = seconds(opts.wait, '--wait');
      const given = await readTextFile(file);
      const rep = reporter();
      const s = await session(io, opts.library, rep.log, rep.progress);
      try {
        // The same import as the app's, with the library's catalog: an export's beat name becomes its slug.
        const { story, text } = s.library.readStoryText(given);
        if (story.error) throw new BadInputError(file, `not a story: ${story.error.message}`);
        const f = storyFields(story);
        if (!f.title) throw new BadInputError(file, 'the story has no title');
        const slug = f.slug ?? deriveSlug(f.title);
        const before = s.library.storyBySlug(slug);
        const rec = s.library.putBySlug(slug, text);
        // The file was written apart from the library: if a pull changed the story there, this is a conflict.
        if (rec.revision !== before?.revision) s.sync.noteSave(rec.id, undefined, rec.text);
        // Findings are on the library's text; printed on the lines of the file given.
        const onFile = (ds: readonly Diagnostic[]) => {
          const libText = s.library.getStory(rec.id).text;
          return libText === given ? ds : relocateDiagnostics(ds, parseStory(libText), story, given);
        };
        const print = (ds: readonly Diagnostic[]) => {
          for (const d of onFile(ds)) io.stdout(`  ${file}:${d.line}:${d.column}: ${d.severity} ${d.rule}: ${d.message}\n`);
        };
        const queued = await s.sync.enqueue(rec.id, opts.status, { force: opts.force });
        const { check } = queued;
        if (!check.queued) {
          io.stdout(
            `not sent: ${queued.slug} → ${opts.status}: the check before sending found ${problems(check.errors.length)} (the backend would refuse it):\n`,
          );
          print([...check.errors, ...check.warnings]);
          io.stderr(`studio: publish: ${file}: ${problems(check.errors.length)} stop it going out; fix them, or send it anyway with --force\n`);
          return setExit(SYNC_EXIT.attention);
        }
        io.stdout(
          `queued ${queued.slug} → ${opts.status}${check.errors.length ? ` (sent anyway: ${problems(check.errors.length)})` : ''}${check.warnings.length ? `, ${check.warnings.length} warning${check.warnings.length === 1 ? '' : 's'}` : ''}\n`,
        );
        print([...check.errors, ...check.warnings]);
        if (opts.offline) return setExit(SYNC_EXIT.ok);
        await runSync(s, { wait, pull: false }, rep.done);
        const after = await s.sync.storySync(rec.id);
        if (after.changes[0]?.state === 'paused') io.stderr(`studio: paused: ${after.slug}: ${after.changes[0].lastError ?? ''}\n`);
        if (after.rejected) {
          io.stdout(`rejected: ${after.slug} → ${after.rejected.target}: ${after.rejected.message ?? ''}\n`);
          print(after.rejected.diagnostics);
        }
        setExit(after.changes[0]?.state === 'done' ? SYNC_EXIT.ok : SYNC_EXIT.attention);
      } finally {
        rep.done();
        await s.close();
      }
    });

  program
    .command('withdraw')
    .description('take a published story off the public site (publisher role), then send it')
    .argument('<slug>', 'the story to withdraw')
    .option('--offline', 'only queue it; `studio sync` sends it later')
    .option('--wait <seconds>', 'how long to keep retrying', '60')
    .addOption(libraryOption())
    .action(async (slug: string, opts: { offline?: boolean; wait: string; library?: string }) => {
      const wait = seconds(opts.wait, '--wait');
      const rep = reporter();
      const s = await session(io, opts.library, rep.log, rep.progress);
      try {
        const rec = s.library.storyBySlug(slug);
        if (!rec) throw new BadInputError(slug, 'no story with this slug in the library');
        await s.sync.enqueue(rec.id, 'withdrawn');
        io.stdout(`queued the withdrawal of ${slug}\n`);
        if (opts.offline) return setExit(SYNC_EXIT.ok);
        await runSync(s, { wait, pull: false }, rep.done);
        const after = await s.sync.storySync(rec.id);
        if (after.changes[0]?.state === 'rejected') io.stdout(`rejected: ${slug}: ${after.changes[0].lastError ?? ''}\n`);
        setExit(after.changes[0]?.state === 'done' ? SYNC_EXIT.ok : SYNC_EXIT.attention);
      } finally {
        rep.done();
        await s.close();
      }
    });

  program
    .command('cancel')
    .description("take a story's waiting changes (queued or paused) out of the outbox")
    .argument('<slug>', 'the story')
    .addOption(libraryOption())
    .action(async (slug: string, opts: { library?: string }) => {
      const s = await session(io, opts.library, () => {});
      try {
        const rec = s.library.storyBySlug(slug);
        if (!rec) throw new BadInputError(slug, 'no story with this slug in the library');
        const before = (await s.sync.storySync(rec.id)).changes.filter((c) => c.state === 'queued' || c.state === 'paused').length;
        if (before === 0) {
          io.stderr(`studio: cancel: ${slug}: no change of it is waiting to be sent\n`);
          return setExit(SYNC_EXIT.attention);
        }
        await s.sync.cancel(rec.id);
        io.stdout(`cancelled ${before} waiting change${before === 1 ? '' : 's'} of ${slug}\n`);
        setExit(SYNC_EXIT.ok);
      } finally {
        await s.close();
      }
    });

  program
    .command('status')
    .description('what is waiting, rejected or in conflict')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(libraryOption())
    .action(async (opts: { format: 'text' | 'json'; library?: string }) => {
      const s = await session(io, opts.library, () => {});
      try {
        const o = await s.sync.overview();
        const d = await s.sync.detail();
        const status = {
          backendUrl: o.backendUrl,
          loggedIn: o.configured,
          tokenStorage: o.tokenStorage,
          paused: d.paused,
          counts: d.counts,
          queued: d.queued,
          rejected: d.rejected,
          conflicts: d.conflicts.map(({ slug, origin, remoteVersion, remoteStatus }) => ({ slug, origin, remoteVersion, remoteStatus })),
          cursors: d.cursors,
          lastPushAt: d.lastPushAt,
          lastPullAt: d.lastPullAt,
        };
        if (opts.format === 'json') io.stdout(`${JSON.stringify(status, null, 2)}\n`);
        else {
          const out = [`backend: ${o.backendUrl ?? 'not logged in'}${o.tokenStorage ? ` (token ${o.tokenStorage})` : ''}`];
          if (d.paused) out.push(`paused: ${d.paused}`);
          out.push(
            `outbox: ${
              Object.entries(d.counts)
                .map(([k, v]) => `${k} ${v}`)
                .join(', ') || 'empty'
            }`,
          );
          for (const q of d.queued) out.push(`waiting: ${q.slug}: ${standingOf(q)} (attempts ${q.attempts}${q.lastError ? `; ${q.lastError}` : ''})`);
          for (const r of d.rejected) out.push(`rejected: ${r.slug}: ${standingOf(r)} (${r.status}): ${r.message ?? ''}`);
          for (const c of d.conflicts)
            out.push(`conflict: ${c.slug}: the backend has v${c.remoteVersion} (${c.origin}); resolve with \`studio resolve ${c.slug} MERGED_FILE\``);
          const when = (t: number | null) => (t ? new Date(t).toISOString() : 'never');
          out.push(`last push: ${when(d.lastPushAt)}; last pull: ${when(d.lastPullAt)}`);
          for (const line of out) io.stdout(`${line}\n`);
        }
        setExit(SYNC_EXIT.ok);
      } finally {
        await s.close();
      }
    });

  program
    .command('resolve')
    .description("resolve a conflict with a merged story file; it goes out on the backend's current version")
    .argument('<slug>', 'the story in conflict')
    .argument('<file>', 'the merged story file')
    .addOption(new Option('--status <status>', 'target status (default: that of the change in conflict)').choices([...PUSH_STATUSES]))
    .addOption(libraryOption())
    .action(async (slug: string, file: string, opts: { status?: PushStatus; library?: string }) => {
      const text = await readTextFile(file);
      const s = await session(io, opts.library, () => {});
      try {
        const rec = s.library.storyBySlug(slug);
        if (!rec) throw new BadInputError(slug, 'no story with this slug in the library');
        const r = await s.sync.resolve(rec.id, text, opts.status);
        const queued = r.changes.find((c) => c.state === 'queued');
        io.stdout(
          queued
            ? `queued the merge of ${slug} → ${queued.target}; run \`studio sync\` to send it\n`
            : `took the backend's v${r.remoteVersion} of ${slug}: nothing to send\n`,
        );
        setExit(SYNC_EXIT.ok);
      } finally {
        await s.close();
      }
    });
}
