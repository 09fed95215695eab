import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SyncLock, SyncLockedError, SyncStore, migrateSync } from '../../electron/services/sync/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'sync-outbox-'));
  dirs.push(d);
  return join(d, 'lib.sqlite');
}

describe('the outbox tables', () => {
  it('live beside a library that uses user_version, and migrate idempotently', () => {
    const file = tempDb();
    const db = new Database(file);
    db.pragma('user_version = 7');
    db.exec('CREATE TABLE stories (slug TEXT PRIMARY KEY)');
    migrateSync(db);
    migrateSync(db);
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.prepare('SELECT version FROM sync_schema').all() as unknown[]).toEqual([{ version: 3 }]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables.filter((t) => t !== 'stories' && t !== 'sqlite_sequence').every((t) => t.startsWith('sync_'))).toBe(true);
    db.close();
  });

  it('bring the tables of schema 1 to the current one and keep their rows', () => {
    const db = new Database(tempDb());
    migrateSync(db);
    // Back to what schema 1 had: sync_story without the fast-forward columns.
    db.exec(
      'ALTER TABLE sync_story DROP COLUMN pulled_revision; ALTER TABLE sync_story DROP COLUMN before_pull; ALTER TABLE sync_story DROP COLUMN refresh; UPDATE sync_schema SET version = 1',
    );
    db.prepare("INSERT INTO sync_story (slug, last_version, last_text, last_status, updated_at) VALUES ('kept', 4, 'text', 'review', 1)").run();
    const store = new SyncStore(db);
    expect(db.prepare('SELECT version FROM sync_schema').all() as unknown[]).toEqual([{ version: 3 }]);
    expect(store.story('kept')).toMatchObject({ lastVersion: 4, lastText: 'text', pulledRevision: null, beforePull: null, refresh: false });
    store.setPulled('kept', 12, 2);
    expect(store.story('kept')).toMatchObject({ lastVersion: 4, pulledRevision: 12, beforePull: { version: 4, text: 'text', status: 'review' } });
    db.close();
  });

  it('makes the Idempotency-Key once, at insert, and keeps rows across reopening', () => {
    const file = tempDb();
    let store = new SyncStore(new Database(file));
    const a = store.insertRow({ slug: 's-1', revision: 'x', status: 'review', now: 1 });
    const b = store.insertRow({ slug: 's-1', revision: 'y', status: 'approved', now: 2 });
    expect(a.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.idempotencyKey).not.toBe(b.idempotencyKey);
    store.update(a.id, { state: 'sending', attempts: 1 }, 3);
    store.db.close();
    store = new SyncStore(new Database(file));
    expect(store.requeueInterrupted(4)).toBe(1);
    const again = store.row(a.id)!;
    expect(again).toMatchObject({ state: 'queued', attempts: 1, idempotencyKey: a.idempotencyKey });
    store.db.close();
  });

  it('offers only the oldest pending row of each story, and blocks a story in conflict', () => {
    const store = new SyncStore(new Database(':memory:'));
    const a1 = store.insertRow({ slug: 'a', revision: '1', status: 'review', now: 1 });
    store.insertRow({ slug: 'a', revision: '2', status: 'review', now: 1 });
    const b1 = store.insertRow({ slug: 'b', revision: '1', status: 'review', now: 1 });
    expect(store.dueRows(10).map((r) => r.id)).toEqual([a1.id, b1.id]);
    store.update(a1.id, { state: 'conflict' }, 2);
    expect(store.dueRows(10).map((r) => r.id)).toEqual([b1.id]);
    store.update(b1.id, { nextAttemptAt: 100 }, 2);
    expect(store.dueRows(10)).toEqual([]);
    // a's second row (due at 0) waits for the conflict, not for the clock: only b's row counts.
    expect(store.nextDueAt()).toBe(100);
    store.update(b1.id, { state: 'done' }, 3);
    expect(store.nextDueAt()).toBeUndefined();
  });
});

describe('rejected stories', () => {
  it('counts a story while its newest change is the refused one', () => {
    const store = new SyncStore(new Database(':memory:'));
    const a1 = store.insertRow({ slug: 'a', revision: '1', status: 'review', now: 1 });
    const b1 = store.insertRow({ slug: 'b', revision: '1', status: 'review', now: 1 });
    store.update(a1.id, { state: 'rejected' }, 2);
    store.update(b1.id, { state: 'rejected' }, 2);
    expect(store.rejectedStories()).toBe(2);
    // a fixed change of a went out; a merge superseded nothing of b
    const a2 = store.insertRow({ slug: 'a', revision: '2', status: 'review', now: 3 });
    store.update(a2.id, { state: 'done' }, 4);
    expect(store.rejectedStories()).toBe(1);
    const b2 = store.insertRow({ slug: 'b', revision: '2', status: 'review', now: 5 });
    store.update(b2.id, { state: 'superseded' }, 6);
    expect(store.rejectedStories()).toBe(1);
  });
});

describe('the worker lock', () => {
  it('lets one worker hold a database at a time', () => {
    const file = tempDb();
    const s1 = new SyncStore(new Database(file));
    const s2 = new SyncStore(new Database(file));
    const l1 = new SyncLock(s1);
    const l2 = new SyncLock(s2);
    l1.acquire();
    expect(() => l2.acquire()).toThrow(SyncLockedError);
    l1.release();
    l2.acquire();
    expect(l2.stillHeld()).toBe(true);
    l2.release();
  });

  it('takes over a lock whose holder died or went stale', () => {
    const file = tempDb();
    const s = new SyncStore(new Database(file));
    // a dead process on this host
    s.db.prepare("INSERT INTO sync_lock (id, owner, pid, host, heartbeat_at) VALUES (1, 'ghost', 2147483646, ?, ?)").run(hostname(), Date.now());
    const l = new SyncLock(s);
    l.acquire();
    expect(l.stillHeld()).toBe(true);
    l.release();
    // a live process elsewhere whose heartbeat is old
    s.db.prepare("INSERT INTO sync_lock (id, owner, pid, host, heartbeat_at) VALUES (1, 'far', 1, 'other-host', 0)").run();
    const l2 = new SyncLock(s, { staleMs: 1000 });
    l2.acquire();
    l2.release();
    // a fresh one elsewhere is respected
    s.db.prepare("INSERT INTO sync_lock (id, owner, pid, host, heartbeat_at) VALUES (1, 'far', 1, 'other-host', ?)").run(Date.now());
    expect(() => new SyncLock(s).acquire()).toThrow(/another sync worker/);
  });
});

describe('two engines on one database file', () => {
  it('never push at the same time: the second gets SyncLockedError', async () => {
    const { SyncEngine } = await import('../../electron/services/sync/index.js');
    const file = tempDb();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slowFetch = (async () => {
      await gate;
      return new Response(JSON.stringify({ slug: 'locked-story', version: 1, status: 'review' }), { status: 201 });
    }) as unknown as typeof fetch;
    const a = new SyncEngine({ db: new Database(file), backendUrl: 'http://b.test', token: () => 't', fetch: slowFetch });
    const b = new SyncEngine({ db: new Database(file), backendUrl: 'http://b.test', token: () => 't', fetch: slowFetch });
    a.enqueue('---\ntitle: Locked\nbeat: open-source-ai\nslug: locked-story\n---\nBody.\n', 'review');
    const first = a.push();
    await new Promise((r) => setTimeout(r, 20));
    await expect(b.push()).rejects.toThrow(SyncLockedError);
    await expect(b.pull()).rejects.toThrow(/another sync worker/);
    release();
    expect((await first).done).toBe(1);
    expect((await b.push()).sent).toBe(0);
  });
});
