/**
 * One sync worker per database: a `sync_lock` row (owner, pid, host, heartbeat) taken in a
 * BEGIN IMMEDIATE transaction. A lock whose heartbeat is stale, or whose process on this host is
 * gone (a worker killed with SIGKILL), is taken over.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SyncStore } from './outbox.js';

export class SyncLockedError extends Error {
  override name = 'SyncLockedError';
  constructor(readonly holderPid: number) {
    super(`another sync worker (pid ${holderPid}) is running on this database`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class SyncLock {
  readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private held = false;

  constructor(
    private readonly store: SyncStore,
    private readonly opts: { staleMs?: number; now?: () => number } = {},
  ) {}

  private get staleMs(): number {
    return this.opts.staleMs ?? 30_000;
  }
  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Takes the lock or throws SyncLockedError. */
  acquire(): void {
    const db = this.store.db;
    const host = hostname();
    this.store.transaction(() => {
      const cur = db.prepare('SELECT owner, pid, host, heartbeat_at FROM sync_lock WHERE id = 1').get() as
        { owner: string; pid: number; host: string | null; heartbeat_at: number } | undefined;
      if (cur && cur.owner !== this.owner) {
        const fresh = this.now() - cur.heartbeat_at < this.staleMs;
        const deadHere = cur.host === host && !processAlive(cur.pid);
        if (fresh && !deadHere) throw new SyncLockedError(cur.pid);
      }
      db.prepare(
        `INSERT INTO sync_lock (id, owner, pid, host, heartbeat_at) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host, heartbeat_at = excluded.heartbeat_at`,
      ).run(this.owner, process.pid, host, this.now());
    });
    this.held = true;
    this.timer = setInterval(() => this.beat(), Math.max(50, Math.floor(this.staleMs / 3)));
    this.timer.unref();
  }

  private beat(): void {
    try {
      this.store.prepare('UPDATE sync_lock SET heartbeat_at = ? WHERE id = 1 AND owner = ?').run(this.now(), this.owner);
    } catch {
      // a busy database: the next beat tries again
    }
  }

  /** True while this lock is still the one recorded (no one took it over). */
  stillHeld(): boolean {
    if (!this.held) return false;
    const r = this.store.prepare('SELECT owner FROM sync_lock WHERE id = 1').get() as { owner: string } | undefined;
    return r?.owner === this.owner;
  }

  release(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.held) return;
    this.held = false;
    try {
      this.store.prepare('DELETE FROM sync_lock WHERE id = 1 AND owner = ?').run(this.owner);
    } catch {
      // the database is closed or busy; the lock goes stale
    }
  }
}
