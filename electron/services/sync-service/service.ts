/**
 * The studio's sync, as the app, the browser host and the command line use it: the sync engine on
 * the library's own SQLite file, the token vault, the backend's address, a background worker (on a
 * timer, and again as soon as an offline backend answers), and the views the renderer shows.
 * Nothing here returns, logs or throws the token.
 */
import type { Catalog, Diagnostic } from '../../../shared/index.js';
import { carryFindings, lintStory, parseStory, relocateDiagnostics } from '../../../shared/index.js';
import { normalizeSite, siteProblem } from '../../../shared/site.js';
import {
  WAITING_LISTED,
  storyStanding,
  type EnqueueResult,
  type MergeNotice,
  type OutboxEntry,
  type StorySync,
  type SyncOverview,
  type SyncProgressInfo,
} from '../../../shared/api/sync.js';
import { mergeStories } from '../../../shared/merge/index.js';
import { StudioCallError } from '../../../shared/api/contract.js';
import {
  OUTBOX_TARGETS,
  healthAnswerSchema,
  parseJsonBounded,
  roleAllows,
  whoamiAnswerSchema,
  type OutboxTarget,
  type PushStatus,
  type Role,
  type WireDiagnostic,
} from '../../../shared/protocol/index.js';
import { checkBeforeSending, type SendCheck } from '../../../shared/protocol/send-check.js';
import { FIRST_PUBLICATION, putBody, storyFromPut } from '../../../shared/protocol/wire-story.js';
import type { Library } from '../library/index.js';
import { NotesService, type NotesRoundResult } from '../notes/index.js';
import {
  DEFAULT_BACKOFF,
  HttpClient,
  LibraryStories,
  PENDING_STATES,
  RefusedAnswerError,
  SyncEngine,
  SyncLockedError,
  SyncStore,
  WAITING_STATES,
  contentKey,
  oneLine,
  prepareRevision,
  readBounded,
  systemClock,
  withSlug,
  type OutboxRow,
  type PullResult,
  type PushResult,
  type SyncEngineOptions,
  type SyncProgress,
} from '../sync/index.js';
import { redact, type TokenVault } from '../vault/index.js';

export interface SyncServiceOptions {
  library: Library;
  vault: TokenVault;
  /** One sentence on where the token is kept, for the settings (the host knows its platform). */
  storageNote?: (storage: TokenVault['storage']) => string;
  fetch?: typeof globalThis.fetch;
  /** Background sync period in ms; 0 turns the background worker off (the command line). Default 60 s. */
  intervalMs?: number;
  /** While the backend does not answer, how often to look again (ms). Default 5 s. */
  offlineProbeMs?: number;
  /** How often the backend's health is checked between sync rounds (ms). Default 15 s. */
  healthIntervalMs?: number;
  /** The pause before a health check is tried again (ms, times the attempt). Default 200 ms. */
  healthRetryMs?: number;
  /** Engine tuning (tests, benchmarks). */
  engine?: Partial<Pick<SyncEngineOptions, 'backoff' | 'timeoutMs' | 'clock' | 'random' | 'pageSize' | 'lockStaleMs'>>;
  /** One-line progress messages (never holding the token). */
  log?: (line: string) => void;
  /** How far a running push or pull has come (the command line's progress bar). */
  progress?: (p: SyncProgress) => void;
}

export interface SyncRunOptions {
  /** How long a push keeps retrying changes in backoff (ms); 0 sends what is due once. */
  maxWaitMs?: number;
  /** Pull after pushing (default true). */
  pull?: boolean;
}

export interface SyncRunResult {
  push?: PushResult;
  pull?: PullResult;
  /** Conflicts whose changes did not overlap, merged and sent in this round: what came in. */
  merged?: { slug: string; summary: string }[];
  /** Stories left in conflict for the person (their changes overlap). */
  conflicts?: string[];
  notes?: NotesRoundResult;
  overview: SyncOverview;
}

/** A health answer is a few bytes: a larger one is not a backend's. */
const HEALTH_MAX_BYTES = 64 * 1024;

/** Two pushes of one round as one result. */
function addPush(a: PushResult, b: PushResult): PushResult {
  return {
    sent: a.sent + b.sent,
    done: a.done + b.done,
    rejected: a.rejected + b.rejected,
    conflicts: a.conflicts + b.conflicts,
    retried: a.retried + b.retried,
    forbidden: a.forbidden + b.forbidden,
    paused: a.paused || b.paused,
    remaining: b.remaining,
  };
}

/** Who the token is, as whoami says, with the backend's public site when it named a usable one. */
interface Who {
  name: string;
  role: Role;
  site: string | null;
}

/** A site a backend named, as the preview may link to it: an http(s) address (normalized), else null. */
function usableSite(site: string | undefined): string | null {
  if (site === undefined || site.length > 2000 || siteProblem(site) !== null) return null;
  return normalizeSite(site);
}

function jsonOrNull(text: string): unknown {
  const r = parseJsonBounded(text);
  return r.ok ? r.value : null;
}

function defaultStorageNote(storage: TokenVault['storage']): string {
  switch (storage) {
    case 'encrypted':
      return 'The token is encrypted at rest by the system keyring.';
    case 'env':
      return 'The token comes from the STUDIO_TOKEN environment variable and is not stored.';
    case 'memory':
      return 'The token is kept in memory only, until the studio quits.';
    default:
      return 'This platform offers no encrypted storage here: the token is kept in a file only your user may read (mode 0600).';
  }
}

export class SyncService {
  private readonly lib: Library;
  private readonly store: SyncStore;
  /** Review notes: kept in the library, sent and pulled in each round after the stories. */
  readonly notes: NotesService;
  private credentials: { backendUrl: string; token: string } | undefined;
  private loaded: Promise<void>;
  private engineCache: SyncEngine | undefined;
  private queueOnly: SyncEngine | undefined;
  private who: string | null = null;
  private role: Role | null = null;
  /** The public site the backend says it serves its pages at (checked), null when it did not say. */
  private site: string | null = null;
  private online: boolean | null = null;
  private progress: SyncProgressInfo | null = null;
  private lastError: string | null = null;
  private lastPulled: SyncOverview['lastPulled'] = null;
  /** Clean merges by slug, for the story's view, until the story changes again. */
  private readonly merges = new Map<string, MergeNotice>();
  /** Stories whose accepted status a push wrote into the text this round. */
  private readonly statusWritten = new Set<string>();
  private running: Promise<SyncRunResult> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private healthTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = true;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: SyncServiceOptions) {
    this.lib = opts.library;
    this.store = new SyncStore(this.lib.db);
    this.notes = new NotesService(
      this.lib,
      () => ({ name: this.who, role: this.role }),
      Date.now,
      () => this.changed(),
    );
    this.recallWho();
    this.loaded = this.reloadCredentials();
  }

  /**
   * Who the token belongs to, as the backend last said, kept in the library: a studio restarted
   * offline still knows which notes are the person's own (and may be edited) before it reaches the backend.
   */
  private rememberWho(who: Who | undefined): void {
    this.who = who?.name ?? null;
    this.role = who?.role ?? null;
    this.site = who?.site ?? null;
    this.store.setMeta('who', who ? JSON.stringify(who) : null);
  }

  private recallWho(): void {
    const stored = this.store.meta('who');
    if (stored === undefined) return;
    try {
      const who = whoamiAnswerSchema.safeParse(JSON.parse(stored));
      if (who.success) [this.who, this.role, this.site] = [who.data.name, who.data.role, usableSite(who.data.site)];
    } catch {
      // an unreadable value: unknown until the next login or sync asks the backend
    }
  }

  private async reloadCredentials(): Promise<void> {
    try {
      this.credentials = await this.opts.vault.load();
    } catch (e) {
      this.credentials = undefined;
      this.lastError = oneLine((e as Error).message);
    }
  }

  /**
   * Calls `listener` whenever what `overview()` says may have changed (a sync started, progressed or
   * ended, a login, a change queued…), so that a host can tell its window instead of being polled.
   * Returns the function that unsubscribes.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (e) {
        this.log(`a sync listener failed: ${(e as Error).message}`);
      }
    }
  }

  private log(line: string): void {
    this.opts.log?.(redact(line, this.credentials?.token));
  }

  private get fetchFn(): typeof globalThis.fetch {
    return this.opts.fetch ?? globalThis.fetch;
  }

  private engine(): SyncEngine | undefined {
    const c = this.credentials;
    if (!c) return undefined;
    if (this.engineCache?.backendUrl !== c.backendUrl) {
      this.engineCache = new SyncEngine({
        ...this.opts.engine,
        db: this.lib.db,
        backendUrl: c.backendUrl,
        token: () => this.credentials?.token,
        local: this.localStories(),
        fetch: this.opts.fetch,
        log: (line) => this.log(line),
        progress: (p) => {
          this.progress = p;
          this.opts.progress?.(p);
          this.changed();
        },
      });
    }
    return this.engineCache;
  }

  // ── the background worker ─────────────────────────────────────────────────────────────────

  /** Starts background sync: every `intervalMs`, and every `offlineProbeMs` while the backend is away. */
  start(): void {
    if ((this.opts.intervalMs ?? 60_000) <= 0) return;
    this.stopped = false;
    this.schedule(1_000);
    this.scheduleHealth();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.healthTimer) clearTimeout(this.healthTimer);
    this.timer = undefined;
    this.healthTimer = undefined;
  }

  /**
   * Between sync rounds the backend's health is checked every `healthIntervalMs`, so that "online"
   * says what the backend does now: a backend that stopped answering is offline (and probed on the
   * offline schedule), one that came back starts a round at once.
   */
  private scheduleHealth(): void {
    if (this.stopped) return;
    this.healthTimer = setTimeout(() => {
      void this.checkHealth().finally(() => this.scheduleHealth());
    }, this.opts.healthIntervalMs ?? 15_000);
    this.healthTimer.unref?.();
  }

  private async checkHealth(): Promise<void> {
    const url = this.credentials?.backendUrl;
    if (!url || this.running) return;
    const was = this.online;
    this.online = await this.reachable(url);
    if (this.online === was) return;
    if (this.online) this.schedule(0);
    else {
      this.lastError = `${url} does not answer: changes wait in the outbox`;
      this.schedule();
    }
  }

  /** Waits for a running sync to end (before the library closes). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private schedule(ms?: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const next = ms ?? (this.online === false ? (this.opts.offlineProbeMs ?? 5_000) : (this.opts.intervalMs ?? 60_000));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, next);
    this.timer.unref?.();
  }

  // ── methods of the contract ───────────────────────────────────────────────────────────────

  async overview(): Promise<SyncOverview> {
    await this.loaded;
    const c = this.credentials;
    const counts = this.store.countByState();
    const conflicts = this.store.conflicts().map((x) => {
      const rec = this.lib.storyBySlug(x.slug);
      return { slug: x.slug, id: rec?.id ?? null, title: rec?.title ?? x.slug };
    });
    return {
      configured: !!c,
      backendUrl: c?.backendUrl ?? null,
      tokenStorage: c ? this.opts.vault.storage : null,
      storageNote: (this.opts.storageNote ?? defaultStorageNote)(this.opts.vault.storage),
      who: this.who,
      role: this.role,
      site: c ? this.site : null,
      online: this.online,
      running: this.running !== undefined,
      progress: this.running ? this.progress : null,
      paused: this.store.meta('paused') ?? null,
      // What waits to go out: story changes and review-note changes alike.
      queued: WAITING_STATES.reduce((n, state) => n + (counts[state] ?? 0), 0) + this.notes.waiting(),
      waiting: this.waitingStories(),
      rejected: this.store.rejectedStories(),
      conflicts,
      lastSyncAt: this.isoMeta('lastSyncAt'),
      lastError: this.lastError,
      catalogStamp: this.lib.catalogStamp(),
      lastPulled: this.lastPulled,
    };
  }

  /** Each story with a change waiting, in the shared standing's words (its newest waiting change). */
  private waitingStories(): SyncOverview['waiting'] {
    const newest = new Map<string, OutboxRow>();
    for (const row of this.store.rows({ states: WAITING_STATES })) newest.set(row.storySlug, row);
    return [...newest.values()].slice(0, WAITING_LISTED).map((r) => ({
      slug: r.storySlug,
      label: storyStanding({
        changes: [{ id: r.id, target: r.targetStatus, state: r.state, attempts: r.attempts, lastError: null, createdAt: '' }],
        rejected: null,
        conflict: null,
        remoteStatus: null,
        remoteVersion: null,
      }).label,
    }));
  }

  private isoMeta(key: string): string | null {
    const v = this.store.meta(key);
    return v ? new Date(Number(v)).toISOString() : null;
  }

  /**
   * Checks the token against the backend, then stores both. Pointing the studio at another backend
   * forgets what was synced with the old one (waiting changes stay and go to the new one).
   */
  async login(backendUrl: string, token: string): Promise<SyncOverview> {
    await this.loaded;
    const url = backendUrl.trim().replace(/\/+$/, '');
    const who = await this.checkToken(url, token);
    if (this.store.meta('backendUrl') !== undefined && this.store.meta('backendUrl') !== url) {
      this.store.resetForBackend(Date.now());
      this.lastPulled = null;
    }
    await this.opts.vault.save({ backendUrl: url, token });
    this.store.setMeta('backendUrl', url);
    await this.reloadCredentials();
    this.rememberWho(who);
    this.online = true;
    this.lastError = null;
    const engine = this.engine();
    engine?.resume();
    // The backend's catalog at once: the next check before sending (and the command line's next
    // command) knows its beats and entities. A failure here is not the login's: the round retries.
    if (engine && !this.running) {
      try {
        if ((await engine.pullCatalog()).catalogChanges > 0) this.adoptCatalog();
      } catch (e) {
        this.log(`the backend's catalog was not pulled yet: ${oneLine(redact((e as Error).message, token))}`);
      }
    }
    this.schedule(0);
    this.changed();
    return this.overview();
  }

  /** Whoami when the backend offers it (an extension of the reference backend), else a read to check the token. */
  private async checkToken(url: string, token: string): Promise<Who | undefined> {
    const client = new HttpClient({
      backendUrl: url,
      token: () => token,
      fetch: this.opts.fetch,
      clock: systemClock,
      random: Math.random,
      backoff: DEFAULT_BACKOFF,
      timeoutMs: 15_000,
    });
    const get = async (path: string) => {
      try {
        return await client.request('GET', path);
      } catch (e) {
        // A redirect is reported with its target; nothing the target would say is trusted.
        if (e instanceof RefusedAnswerError) throw new StudioCallError('bad-input', `${url}: ${oneLine(redact(e.message, token))}`);
        throw new StudioCallError('bad-input', `cannot reach ${url}: check the address and that the backend is running`);
      }
    };
    const refused = () => new StudioCallError('bad-input', `${url} refused the token (401): check it and try again`);
    const res = await get('/api/v1/whoami');
    if (res.status === 401) throw refused();
    if (res.status === 200) {
      const who = whoamiAnswerSchema.safeParse(res.json);
      if (who.success) return { name: who.data.name, role: who.data.role, site: usableSite(who.data.site) };
    }
    const check = await get('/api/v1/stories?limit=1');
    if (check.status === 401) throw refused();
    if (check.status !== 200)
      throw new StudioCallError('bad-input', `${url} answered ${check.status} when the token was checked: is it a Newsdesk publishing backend?`);
    return undefined;
  }

  async logout(): Promise<SyncOverview> {
    await this.loaded;
    await this.opts.vault.clear();
    await this.reloadCredentials();
    this.rememberWho(undefined);
    this.online = null;
    this.changed();
    return this.overview();
  }

  /** Push then pull, once at a time: a call while a sync runs waits for that one. */
  async run(options: SyncRunOptions = {}): Promise<SyncRunResult> {
    if (!this.running) {
      this.running = this.runOnce(options).then(
        async (r) => {
          this.running = undefined;
          this.progress = null;
          this.changed();
          return { ...r, overview: await this.overview() };
        },
        (e: unknown) => {
          this.running = undefined;
          this.progress = null;
          this.changed();
          throw e;
        },
      );
      this.changed();
    }
    return this.running;
  }

  async syncNow(): Promise<SyncOverview> {
    return (await this.run()).overview;
  }

  private async runOnce(options: SyncRunOptions): Promise<Omit<SyncRunResult, 'overview'>> {
    await this.loaded;
    // The vault may have changed beneath us (a login from the command line).
    this.loaded = this.reloadCredentials();
    await this.loaded;
    const engine = this.engine();
    const result: Omit<SyncRunResult, 'overview'> = {};
    if (!engine) {
      this.lastError = 'not logged in to a publishing backend';
      return result;
    }
    this.online = await this.reachable(engine.backendUrl);
    if (!this.online) {
      this.lastError = `${engine.backendUrl} does not answer: changes wait in the outbox`;
      return result;
    }
    this.lastError = null;
    try {
      // Every round asks who the token is: a login elsewhere (the command line) reaches the app
      // within one round, and a new role retries the changes a lower one could not make.
      const before = this.role;
      await this.refreshWho(engine.backendUrl);
      if (this.role !== before && before !== null) engine.resume();
      this.statusWritten.clear();
      result.push = await engine.push({ maxWaitMs: options.maxWaitMs ?? 0 });
      if (options.pull !== false) {
        result.pull = await engine.pull();
        if (result.pull.catalogChanges > 0) this.adoptCatalog();
      }
      // Stories whose text this round changed (fast-forwards, accepted statuses): the page reloads
      // its list (and an open one). Only a round that changed some replaces it: a page hears of
      // rounds in batches, and an empty round after one that changed stories must not hide it.
      const slugs = new Set([...(result.pull?.fastForwarded ?? []), ...this.statusWritten]);
      const ids = [...slugs].map((slug) => this.lib.storyBySlug(slug)?.id).filter((x): x is string => !!x);
      if (ids.length > 0) this.lastPulled = { at: new Date().toISOString(), ids };
      const merged = await this.mergeConflicts(engine);
      result.merged = merged.map(({ slug, summary }) => ({ slug, summary }));
      if (merged.length > 0) {
        // The merges go out in this round, each on the backend's version it merged; what this
        // round reports as in conflict is what is left for the person.
        const again = await engine.push({ maxWaitMs: options.maxWaitMs ?? 0 });
        const fromPush = merged.filter((m) => m.origin === 'push').length;
        result.push = result.push ? addPush({ ...result.push, conflicts: result.push.conflicts - fromPush }, again) : again;
        const slugs = new Set(merged.map((m) => m.slug));
        if (result.pull) result.pull = { ...result.pull, conflicts: result.pull.conflicts.filter((x) => !slugs.has(x)) };
      }
      result.conflicts = this.store.conflicts().map((c) => c.slug);
      result.notes = await this.notes.round({
        http: engine.http,
        now: Date.now,
        random: Math.random,
        backoff: this.opts.engine?.backoff ?? DEFAULT_BACKOFF,
        log: (line) => this.log(line),
      });
      this.store.setMeta('lastSyncAt', String(Date.now()));
    } catch (e) {
      this.lastError =
        e instanceof SyncLockedError
          ? 'another sync (the studio command line?) is running on this library: this one waits for the next round'
          : oneLine(redact((e as Error).message, this.credentials?.token));
      this.log(`sync failed: ${this.lastError}`);
    }
    return result;
  }

  /**
   * Conflicts whose two sides changed different things merge by themselves (shared/merge): the
   * backend's text goes into the library's history, then the merge as a new revision; a change the
   * person had queued goes out merged, on the backend's version. Only overlapping changes are left
   * for the person.
   */
  private async mergeConflicts(engine: SyncEngine): Promise<{ slug: string; summary: string; origin: 'push' | 'pull' }[]> {
    const out: { slug: string; summary: string; origin: 'push' | 'pull' }[] = [];
    for (const c of this.store.conflicts()) {
      const rec = this.lib.storyBySlug(c.slug);
      if (c.baseText === null || c.remoteVersion <= 0 || !rec) continue;
      // The library's text is the person's newest: it may have been saved after the change was queued.
      const local = rec.text;
      const m = mergeStories(c.baseText, local, c.remoteText);
      if (!m.clean) continue;
      if (contentKey(rec.text) !== contentKey(c.remoteText)) this.lib.putBySlug(c.slug, c.remoteText);
      if (this.store.rows({ slug: c.slug, states: PENDING_STATES }).length === 0) {
        // Typing that was never sent (a pull met it): merged here, in step with the backend's
        // version, and sent only when the person sends it — a merge never publishes unsent text.
        this.store.transaction(() => {
          this.store.setConflict(c.slug, null, Date.now());
          this.store.setSynced(c.slug, c.remoteVersion, c.remoteText, c.remoteStatus ?? 'review', Date.now());
        });
        this.lib.putBySlug(c.slug, m.text);
      } else {
        try {
          await engine.resolveConflict(c.slug, m.text);
        } catch (e) {
          this.log(`could not merge ${c.slug}: ${oneLine((e as Error).message)}`);
          continue;
        }
      }
      // A save written from before the merge must not undo it: it is caught as a pull's would be.
      const after = this.lib.storyBySlug(c.slug);
      if (after) this.store.setPulled(c.slug, after.revision, Date.now());
      this.merges.set(c.slug, {
        at: new Date().toISOString(),
        remoteVersion: c.remoteVersion,
        summary: m.summary || "The backend's changes were merged with yours.",
        changes: m.changes.map((x) => ({ side: x.side, description: x.description, paragraph: x.paragraph ?? null, line: x.line })),
        localText: local,
        remoteText: c.remoteText,
        mergedText: after?.text ?? m.text,
      });
      out.push({ slug: c.slug, summary: m.summary, origin: c.origin });
      this.log(`merged ${c.slug} with the backend's v${c.remoteVersion}: ${m.summary}`);
    }
    return out;
  }

  /**
   * Whether the backend answers its health check. A dropped connection or a passing 5xx is tried
   * again twice, a moment apart, before the studio calls itself offline (and waits for the next
   * probe); the push that follows handles transient answers with its own backoff.
   */
  private async reachable(url: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await this.fetchFn(`${url}/api/v1/health`, { signal: AbortSignal.timeout(5_000), redirect: 'manual' });
        if (res.status === 200 && healthAnswerSchema.safeParse(jsonOrNull(await readBounded(res, HEALTH_MAX_BYTES, 'GET /api/v1/health'))).success) return true;
      } catch {
        // no answer: tried again below
      }
      if (attempt === 3) return false;
      await new Promise((r) => setTimeout(r, (this.opts.healthRetryMs ?? 200) * attempt));
    }
  }

  private async refreshWho(url: string): Promise<void> {
    try {
      const who = await this.checkToken(url, this.credentials!.token);
      this.rememberWho(who);
    } catch {
      // the push below meets the same refusal and pauses with its own message
    }
  }

  /** The pulled catalog becomes the library's catalog copy: the editor's completion and lint follow. */
  private adoptCatalog(): void {
    try {
      // setCatalog validates it (parseCatalog) and throws on a bad one: no need to validate it twice.
      this.lib.setCatalog(this.store.catalog() as Catalog);
    } catch (e) {
      this.lastError = `the backend's catalog was not taken: ${oneLine((e as Error).message)}`;
    }
  }

  // ── one story ─────────────────────────────────────────────────────────────────────────────

  async storySync(id: string): Promise<StorySync> {
    await this.loaded;
    const rec = this.lib.getStory(id);
    const slug = rec.slug;
    const state = slug ? this.store.story(slug) : undefined;
    const rows = slug ? this.store.rows({ slug }) : [];
    const newest = rows.filter((r) => r.state !== 'superseded').at(-1);
    const changes: OutboxEntry[] = rows
      .slice(-10)
      .reverse()
      .map((r) => ({
        id: r.id,
        target: r.targetStatus,
        state: r.state,
        attempts: r.attempts,
        lastError: r.lastError,
        createdAt: new Date(r.createdAt).toISOString(),
      }));
    const synced = state?.lastVersion != null;
    // A story already off the site has nothing to withdraw (unless a change of it is on its way).
    const onItsWay = rows.some((r) => (r.state === 'queued' || r.state === 'sending') && r.targetStatus !== 'withdrawn');
    const withdrawable = (synced && state?.lastStatus !== 'withdrawn') || onItsWay;
    const allowed = OUTBOX_TARGETS.filter((t) => (this.role === null || roleAllows(this.role, t)) && (t !== 'withdrawn' || withdrawable));
    const c = state?.conflict;
    return {
      id: rec.id,
      slug,
      remoteVersion: state?.lastVersion ?? null,
      remoteStatus: state?.lastStatus ?? null,
      syncedText: state?.lastText ?? null,
      changes,
      rejected: newest?.state === 'rejected' ? this.placeDiagnostics(newest, rec.text) : null,
      merged: slug ? (this.merges.get(slug) ?? null) : null,
      conflict: c
        ? {
            origin: c.origin,
            remoteVersion: c.remoteVersion,
            remoteStatus: c.remoteStatus,
            baseText: c.baseText,
            localText: c.localText,
            remoteText: c.remoteText,
          }
        : null,
      allowed,
    };
  }

  /**
   * The backend's findings were made on the file it built from the PUT: put on the text that was
   * sent (exactly: the same body), then carried through the edits made since onto the story's text
   * now. Those whose words were edited are `stale`; those the local lint makes too are left to it.
   */
  private placeDiagnostics(row: OutboxRow, text: string): NonNullable<StorySync['rejected']> {
    const wire = (row.diagnostics ?? []) as WireDiagnostic[];
    const ds: Diagnostic[] = wire.map((d) => ({
      rule: d.rule,
      severity: d.severity,
      message: d.message,
      line: d.line ?? 1,
      column: d.column ?? 1,
      from: d.from ?? 0,
      to: d.to ?? d.from ?? 0,
    }));
    const errors = ds.filter((d) => d.severity === 'error').length;
    const rejected = { target: row.targetStatus, message: row.lastError, problems: errors || ds.length };
    if (row.targetStatus === 'withdrawn' || ds.length === 0) return { ...rejected, diagnostics: ds, stale: [] };
    const sent = putBody(row.revision, row.targetStatus as PushStatus);
    const built = storyFromPut(row.storySlug, sent, sent.published ?? (sent.status === 'published' ? FIRST_PUBLICATION : undefined));
    const onSent = relocateDiagnostics(ds, built, parseStory(row.revision), row.revision);
    const catalog = this.lib.catalog() ?? undefined;
    const local = lintStory(parseStory(text, { catalog }), catalog);
    const { placed, stale } = carryFindings(onSent, row.revision, text, local);
    return { ...rejected, diagnostics: placed, stale };
  }

  /**
   * Puts a change of the story in the outbox (works offline). A submit, approval or publication is
   * checked first as the backend would check it, with the library's copy of its catalog: errors
   * keep it out of the outbox unless `force` (the person's "send anyway"); the answer says what
   * the check found either way.
   */
  async enqueue(id: string, action: OutboxTarget, options: { force?: boolean } = {}): Promise<EnqueueResult> {
    await this.loaded;
    const rec = this.lib.getStory(id);
    const engine = this.engine() ?? this.offlineEngine();
    let check: SendCheck = { errors: [], warnings: [], total: 0 };
    // A merge the page has not asked about yet (it ran just before the click) is told in this answer:
    // the action goes out with the merged text, so the person hears of the merge here or never.
    const merged = this.merges.get(rec.slug) ?? null;
    try {
      if (action === 'withdrawn') {
        engine.enqueueWithdraw(rec.slug, rec.text);
      } else {
        const { slug } = prepareRevision(rec.text, action);
        check = checkBeforeSending(rec.text, slug, action, this.lib.catalog() ?? undefined);
        if (check.errors.length > 0 && !options.force) return { ...(await this.storySync(id)), check: { ...check, queued: false } };
        this.merges.delete(rec.slug);
        const row = engine.enqueue(rec.text, action);
        // The text keeps its status until the backend accepts the change (the push writes it
        // back then); only a slug the story lacked is written in now.
        const slugged = withSlug(rec.text, row.storySlug);
        if (slugged !== rec.text) this.lib.saveStory(id, slugged);
      }
    } catch (e) {
      // Not a story that can go out (no title, a bad slug), or nothing to withdraw.
      throw new StudioCallError('bad-input', `${rec.title || rec.slug || id}: ${oneLine((e as Error).message)}`);
    }
    if (action === 'withdrawn') this.merges.delete(rec.slug);
    if (this.credentials && this.online !== false) this.schedule(300);
    this.changed();
    return { ...(await this.storySync(id)), merged, check: { ...check, queued: true } };
  }

  /** Takes the story's waiting changes (queued or paused) out of the outbox; bad-input when there are none. */
  async cancel(id: string): Promise<StorySync> {
    await this.loaded;
    const rec = this.lib.getStory(id);
    const n = (this.engine() ?? this.offlineEngine()).cancel(rec.slug);
    if (n === 0) throw new StudioCallError('bad-input', `${rec.title || rec.slug}: no change of it is waiting to be sent`);
    this.log(`cancelled ${n} waiting change${n === 1 ? '' : 's'} of ${rec.slug}`);
    return this.storySync(id);
  }

  /** Resolves a conflict with the merged text; it goes out on the backend's current version. */
  async resolve(id: string, text: string, status?: PushStatus): Promise<StorySync> {
    await this.loaded;
    const rec = this.lib.getStory(id);
    const engine = this.engine() ?? this.offlineEngine();
    try {
      await engine.resolveConflict(rec.slug, text, status);
    } catch (e) {
      throw new StudioCallError('bad-input', `${rec.title || rec.slug}: ${oneLine((e as Error).message)}`);
    }
    if (this.credentials && this.online !== false) this.schedule(300);
    this.changed();
    return this.storySync(id);
  }

  /** The library as the engine's local stories; a fast-forward's revision is remembered (see `noteSave`). */
  private localStories(): LibraryStories {
    return new LibraryStories(
      this.lib,
      (slug, revision) => this.store.setPulled(slug, revision, Date.now()),
      (slug) => this.statusWritten.add(slug),
    );
  }

  /**
   * The person saved a story: when the text was written without the backend's text a pull put in
   * the library (`baseRevision` older than that pull's revision, or unknown, as for a file the
   * command line publishes), the save must not silently undo it: the story goes into conflict, the
   * backend's text against the person's, and nothing goes out until they merge.
   */
  noteSave(id: string, baseRevision: number | undefined, savedText: string): void {
    const slug = this.lib.getStory(id).slug;
    const state = slug ? this.store.story(slug) : undefined;
    if (!state || state.pulledRevision === null || state.conflict || state.lastText === null || state.lastVersion === null) return;
    if (baseRevision !== undefined && baseRevision >= state.pulledRevision) {
      this.store.setPulled(slug, null, Date.now());
      return;
    }
    if (contentKey(savedText) === contentKey(state.lastText)) return;
    this.store.undoPull(
      slug,
      {
        origin: 'pull',
        remoteVersion: state.lastVersion,
        remoteStatus: state.lastStatus,
        remoteText: state.lastText,
        localText: savedText,
        baseText: state.beforePull?.text ?? null,
        detectedAt: Date.now(),
      },
      Date.now(),
    );
    this.log(`conflict on ${slug}: saved over the backend's v${state.lastVersion}, which a pull had brought`);
    this.changed();
  }

  /** An engine that only queues (no backend known yet): changes wait for a login. */
  private offlineEngine(): SyncEngine {
    this.queueOnly ??= new SyncEngine({ db: this.lib.db, backendUrl: 'http://offline.invalid', token: () => undefined, local: this.localStories() });
    return this.queueOnly;
  }

  /** The engine's detailed status (the command line's `status`). */
  async detail(): Promise<ReturnType<SyncEngine['status']>> {
    await this.loaded;
    return (this.engine() ?? this.offlineEngine()).status();
  }
}
