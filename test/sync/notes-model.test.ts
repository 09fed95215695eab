/**
 * Review notes through sync against a simple model (fast-check commands, 30 sequences by default, issue 14): two studios on
 * the same editor's token (a desk and a laptop) add notes on a story's text, reply, edit, resolve and
 * reopen them, while another client changes the same notes straight on the backend; the studios sync,
 * go offline, and the desk crashes in the middle of a sync (after the backend took a request, before
 * the answer was recorded) and restarts on the same library file. Once both are online and the person
 * has settled every note changed on both sides, every note written anywhere is on the backend and in
 * both studios, the same everywhere; every text written into a note is in it (each change appends a
 * mark to the text its writer saw; settling keeps the marks of both texts); and the backend made one
 * version per change it accepted, each change sent under one Idempotency-Key.
 *
 * The system under test is the app's own sync service on real library files, against the reference
 * backend on a loopback port; the model only remembers which notes and marks were written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchorAt, parseStory } from '../../shared/index.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

const RUNS = Number(process.env.NOTES_MODEL_RUNS ?? 30);
/** A new seed each run (printed, so that a failing one can be replayed with NOTES_MODEL_SEED). */
const SEED = Number(process.env.NOTES_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STUDIOS = 2;
const seen = { conflictsSettled: 0, crashesAfterAccept: 0, backendEdits: 0, replies: 0, stateChanges: 0 };

/** Accepted note PUTs, as the wire saw them: note id → Idempotency-Keys the backend answered 2xx. */
type Accepted = Map<string, Set<string>>;

/** The network as a studio sees it: on, off, or dying after k more requests (a crash). */
class Network {
  offline = false;
  crashAfter: number | null = null;
  dead = false;
  constructor(
    private readonly target: string,
    private readonly accepted: Accepted,
  ) {}

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    if (this.offline || this.dead) throw new TypeError('fetch failed');
    const url = String(input).replace(/^http:\/\/studio-backend\.test/, this.target);
    const res = await globalThis.fetch(url, init);
    const note = /\/notes\/([a-z0-9-]+)$/.exec(new URL(url).pathname)?.[1];
    if (init?.method === 'PUT' && note && res.status < 300) {
      const key = new Headers(init.headers).get('idempotency-key')!;
      if (!this.accepted.has(note)) this.accepted.set(note, new Set());
      this.accepted.get(note)!.add(key);
    }
    if (this.crashAfter !== null && --this.crashAfter < 0) {
      // The backend took the request; the studio dies before it reads the answer.
      await res.arrayBuffer();
      this.dead = true;
      if (init?.method === 'PUT' && res.status < 300) seen.crashesAfterAccept++;
      throw new TypeError('fetch failed');
    }
    return res;
  };
}

interface Studio {
  dir: string;
  vault: MemoryVault;
  net: Network;
  library: Library;
  sync: SyncService;
}

interface NoteModel {
  /** Every mark written into the note, on any side: all must be in its final text. */
  marks: Set<string>;
  /** Changes each studio made to it (each one change on the wire at most). */
  changes: number[];
}

interface Model {
  notes: Map<string, NoteModel>;
  /** Note ids in the order they were written (commands pick them by index). */
  order: string[];
  n: number;
}

interface Real {
  backend: TestServer;
  slug: string;
  studios: Studio[];
  /** Changes accepted from the backend client (not a studio), per note. */
  direct: Map<string, number>;
  /** Conflicts the person settled, per note (each one more change on the wire). */
  settled: Map<string, number>;
  accepted: Accepted;
}

function open(s: Studio): void {
  s.library = Library.open(join(s.dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  s.sync = new SyncService({
    library: s.library,
    vault: s.vault,
    fetch: s.net.fetch,
    intervalMs: 0,
    healthRetryMs: 0,
    engine: { backoff: { baseMs: 1, capMs: 4 }, timeoutMs: 5_000 },
  });
}

const tokensOf = (text: string) => text.split(/\s+/).filter(Boolean);
/** The person's settling: their text, with every mark of the backend's that theirs lacks added. */
const union = (mine: string, theirs: string) => [...new Set([...tokensOf(mine), ...tokensOf(theirs)])].join(' ');

const storyId = (r: Real, s: Studio) => s.library.storyBySlug(r.slug)!.id;
/** The note a command names by index among those the studio holds (null when it holds none). */
const noteIn = (_m: Model, r: Real, studio: number, pick: number) => {
  const held = r.studios[studio]!.sync.notes.store.forStory(r.slug);
  return held.length ? held[pick % held.length]! : null;
};

class AddNote implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly studio: number,
    readonly from: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const s = r.studios[this.studio]!;
    const mark = `m${++m.n}`;
    const body = parseStory(s.library.getStory(storyId(r, s)).text).body;
    const from = this.from % Math.max(1, body.length - 10);
    const view = s.sync.notes.add(storyId(r, s), anchorAt(body, from, from + 8, 1), mark);
    m.notes.set(view.id, { marks: new Set([mark]), changes: Array.from({ length: STUDIOS }, (_, i) => (i === this.studio ? 1 : 0)) });
    m.order.push(view.id);
  }
  toString = () => `AddNote(studio ${this.studio})`;
}

class Reply implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly studio: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.order.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const parent = noteIn(m, r, this.studio, this.pick);
    if (!parent) return;
    const mark = `m${++m.n}`;
    const view = r.studios[this.studio]!.sync.notes.reply(parent.id, mark);
    m.notes.set(view.id, { marks: new Set([mark]), changes: Array.from({ length: STUDIOS }, (_, i) => (i === this.studio ? 1 : 0)) });
    m.order.push(view.id);
    seen.replies++;
  }
  toString = () => `Reply(studio ${this.studio}, note ${this.pick})`;
}

class Edit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly studio: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.order.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const note = noteIn(m, r, this.studio, this.pick);
    if (!note) return;
    const mark = `m${++m.n}`;
    r.studios[this.studio]!.sync.notes.edit(note.id, `${note.body} ${mark}`);
    const nm = m.notes.get(note.id)!;
    nm.marks.add(mark);
    nm.changes[this.studio]!++;
  }
  toString = () => `Edit(studio ${this.studio}, note ${this.pick})`;
}

class SetState implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly studio: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<Model>) => m.order.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const note = noteIn(m, r, this.studio, this.pick);
    if (!note) return;
    r.studios[this.studio]!.sync.notes.setState(note.id, note.state === 'open' ? 'resolved' : 'open');
    m.notes.get(note.id)!.changes[this.studio]!++;
    seen.stateChanges++;
  }
  toString = () => `ResolveOrReopen(studio ${this.studio}, note ${this.pick})`;
}

/** Another client of the same editor changes the note straight on the backend. */
class BackendEdit implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.order.length > 0;
  async run(m: Model, r: Real): Promise<void> {
    const id = m.order[this.pick % m.order.length]!;
    const current = (await backendNotes(r)).find((n) => n.id === id);
    if (!current) return;
    const mark = `m${++m.n}`;
    const res = await fetch(`${r.backend.url}/api/v1/stories/${r.slug}/notes/${id}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${r.backend.tokens.editor}`,
        'content-type': 'application/json',
        'idempotency-key': `direct-${m.n}`,
        'if-match': `"v${current.version}"`,
      },
      body: JSON.stringify({ body: `${current.body} ${mark}`, state: current.state, ...(current.replyTo ? { replyTo: current.replyTo } : {}) }),
    });
    expect(res.status).toBe(200);
    m.notes.get(id)!.marks.add(mark);
    r.direct.set(id, (r.direct.get(id) ?? 0) + 1);
    seen.backendEdits++;
  }
  toString = () => `BackendEdit(note ${this.pick})`;
}

class Sync implements fc.AsyncCommand<Model, Real> {
  constructor(readonly studio: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    await r.studios[this.studio]!.sync.run();
  }
  toString = () => `Sync(studio ${this.studio})`;
}

class SetOffline implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly studio: number,
    readonly offline: boolean,
  ) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    r.studios[this.studio]!.net.offline = this.offline;
  }
  toString = () => `${this.offline ? 'GoOffline' : 'GoOnline'}(studio ${this.studio})`;
}

class Crash implements fc.AsyncCommand<Model, Real> {
  constructor(readonly after: number) {}
  check = () => true;
  async run(_m: Model, r: Real): Promise<void> {
    const s = r.studios[0]!;
    s.net.crashAfter = this.after;
    await s.sync.run();
    // The process is gone: its connection closes without any goodbye; a new one opens the file.
    s.library.close();
    s.net.crashAfter = null;
    s.net.dead = false;
    open(s);
  }
  toString = () => `Crash(desk, after ${this.after})`;
}

interface WireNote {
  id: string;
  body: string;
  state: string;
  version: number;
  replyTo?: string | null;
}

async function backendNotes(r: Real): Promise<WireNote[]> {
  const res = await fetch(`${r.backend.url}/api/v1/stories/${r.slug}/notes?limit=1000`, { headers: { authorization: `Bearer ${r.backend.tokens.publisher}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: WireNote[] }).items;
}

/** Online, the person settles every note changed on both sides, and both studios sync until nothing waits. */
async function settle(r: Real): Promise<void> {
  for (const s of r.studios) s.net.offline = false;
  for (let pass = 0; pass < 30; pass++) {
    let quiet = true;
    for (const s of r.studios) {
      const o = await s.sync.run({ maxWaitMs: 2_000 });
      if ((o.notes?.sent ?? 0) > 0 || (o.notes?.conflicts ?? 0) > 0) quiet = false;
      expect(o.notes?.rejected ?? 0, 'no note change refused').toBe(0);
      for (const v of s.sync.notes.list(storyId(r, s))) {
        expect(v.rejected, `${v.id} refused`).toBeNull();
        if (!v.conflict) continue;
        // Both texts are there until the person settles: theirs, and the backend's beside it.
        s.sync.notes.resolveConflict(v.id, union(v.body, v.conflict.body), v.state);
        r.settled.set(v.id, (r.settled.get(v.id) ?? 0) + 1);
        seen.conflictsSettled++;
        quiet = false;
      }
      if (s.sync.notes.waiting() > 0) quiet = false;
    }
    if (quiet) return;
  }
  throw new Error(`notes did not settle: ${r.studios.map((s) => s.sync.notes.waiting()).join(', ')} waiting`);
}

describe('review notes model against the reference backend (two studios, a fresh database per sequence)', () => {
  it(`every note written anywhere reaches the backend and both studios with no text lost and nothing sent twice (${RUNS} command sequences)`, async () => {
    console.log(`notes model: seed ${SEED} (replay with NOTES_MODEL_SEED=${SEED})`);
    let runNo = 0;
    let totalCommands = 0;
    let totalNotes = 0;
    const studio = fc.integer({ min: 0, max: STUDIOS - 1 });
    const pick = fc.nat(50);
    const commands = [
      fc.tuple(studio, fc.nat(200)).map(([s, from]) => new AddNote(s, from)),
      fc.tuple(studio, pick).map(([s, p]) => new Reply(s, p)),
      // Changes weigh more than anything else, so that notes often change on both sides between syncs.
      fc.tuple(studio, pick).map(([s, p]) => new Edit(s, p)),
      fc.tuple(studio, pick).map(([s, p]) => new Edit(s, p)),
      fc.tuple(studio, pick).map(([s, p]) => new SetState(s, p)),
      pick.map((p) => new BackendEdit(p)),
      pick.map((p) => new BackendEdit(p)),
      studio.map((s) => new Sync(s)),
      fc.tuple(studio, fc.boolean()).map(([s, off]) => new SetOffline(s, off)),
      fc.integer({ min: 0, max: 4 }).map((k) => new Crash(k)),
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 20, size: 'medium' }), async (cmds) => {
        const slug = `notes-model-${++runNo}`;
        const backend = await startServer();
        const accepted: Accepted = new Map();
        const studios = Array.from({ length: STUDIOS }, (_, i) => {
          const s = { dir: mkdtempSync(join(tmpdir(), `notes-model-${i}-`)), vault: new MemoryVault(), net: new Network(backend.url, accepted) } as Studio;
          open(s);
          return s;
        });
        const real: Real = { backend, slug, studios, direct: new Map(), settled: new Map(), accepted };
        try {
          for (const s of studios) await s.sync.login('http://studio-backend.test', backend.tokens.editor);
          // The desk submits the story; the laptop pulls it, so that either may write the first note.
          const id = studios[0]!.library.putBySlug(
            slug,
            storyText(slug, `Ministers met in the capital on Tuesday.\n\nAides declined to comment on the report.\n`),
          ).id;
          await studios[0]!.sync.enqueue(id, 'review');
          await studios[0]!.sync.run();
          await studios[1]!.sync.run();
          expect(studios[1]!.library.storyBySlug(slug), 'the laptop pulled the story').toBeDefined();
          const model: Model = { notes: new Map(), order: [], n: 0 };
          totalCommands += [...cmds].length;
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await settle(real);

          const remote = new Map((await backendNotes(real)).map((n) => [n.id, n]));
          totalNotes += model.notes.size;
          expect([...remote.keys()].sort(), 'the backend holds exactly the notes written').toEqual([...model.notes.keys()].sort());
          for (const [noteId, nm] of model.notes) {
            const b = remote.get(noteId)!;
            // No text lost: every mark written into the note, on any side, is in its text.
            for (const mark of nm.marks) expect(tokensOf(b.body), `${noteId}: ${mark}`).toContain(mark);
            // The same note in every studio, in step with the backend, nothing waiting beside it.
            for (const s of studios) {
              const local = s.sync.notes.store.get(noteId);
              expect(local, `${noteId} in a studio`).not.toBeNull();
              expect({ body: local!.body, state: local!.state, version: local!.version, remote: local!.remote }).toEqual({
                body: b.body,
                state: b.state,
                version: b.version,
                remote: null,
              });
            }
            // Nothing sent twice: one backend version per accepted change, each change under one key.
            const keys = accepted.get(noteId)?.size ?? 0;
            expect(b.version, `${noteId}: versions = accepted changes`).toBe(keys + (real.direct.get(noteId) ?? 0));
            expect(keys, `${noteId}: no more accepted sends than changes made (+ settlings)`).toBeLessThanOrEqual(
              nm.changes.reduce((a, c) => a + c, 0) + (real.settled.get(noteId) ?? 0),
            );
          }
        } finally {
          for (const s of studios) {
            s.library.close();
            rmSync(s.dir, { recursive: true, force: true });
          }
          await backend.close();
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `notes model: ${RUNS} sequences, ${totalCommands} commands, ${totalNotes} notes, all on the backend and both studios with no text lost; ${seen.conflictsSettled} conflicts settled, ${seen.backendEdits} backend edits, ${seen.replies} replies, ${seen.stateChanges} resolve/reopen, ${seen.crashesAfterAccept} crashes after the backend accepted a put`,
    );
    // The sequences met what the test claims to exercise in a long run (NOTES_MODEL_RUNS=100 or more; crashes after an accepted put are too rare to require).
    if (RUNS >= 100) expect(seen.conflictsSettled).toBeGreaterThan(0);
  }, 300_000);
});
