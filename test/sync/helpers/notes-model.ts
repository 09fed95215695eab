/**
 * The review-notes part of the sync model tests (issue 14): commands that add notes on a quote of a
 * studio's current text, reply, edit, resolve and reopen them (by role, as publishing-protocol.md's
 * "Review notes" allows), change them straight on the backend, sync, go offline and crash; the
 * person's settling of notes changed on both sides; and the checks that every note converged, no text
 * written into a note was lost, nothing went out twice, and every note stands where its quote is.
 *
 * The model only remembers which notes were written, by whom, and the marks written into each: every
 * change appends a mark (`m<n>`) to the text its writer saw; settling keeps the marks of both texts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import search from 'approx-string-match';
import { expect } from 'vitest';
import { anchorAt, parseStory, type NoteState } from '../../../shared/index.js';
import type { Role } from '../../../shared/protocol/index.js';
import { startServer, type TestServer } from '../../server/helpers.js';
import { crashDuringSync, Network, newStudio, type Accepted, type Studio } from './studio.js';

/** A token of the test server, by name (its owner is the notes' author). */
export type TokenName = keyof TestServer['tokens'];

export interface NoteModel {
  story: number;
  author: TokenName;
  /** Every mark written into the note, on any side: all must be in its final text. */
  marks: Set<string>;
  /** Changes each studio made to it (each one change on the wire at most). */
  changes: number[];
}

export interface NotesModel {
  notes: Map<string, NoteModel>;
  /** Note ids in the order they were written (commands pick them by index). */
  order: string[];
  /** The last mark's number (shared with whatever else the model numbers). */
  n: number;
}

/** What the sequences went through, so that a test shows it exercised what it claims. */
export interface Seen {
  notesAdded: number;
  replies: number;
  noteEdits: number;
  stateChanges: number;
  /** Edits and resolves the role rules refused in the studio. */
  refused: number;
  backendEdits: number;
  conflictsSettled: number;
  /** Stories in conflict the person merged. */
  conflictsMerged: number;
  crashesAfterAccept: number;
  fastForwards: number;
  /** Notes found, at the end, on the one place their quote stands, and shown detached (their quote gone). */
  placedOnQuote: number;
  detached: number;
}

export const newSeen = (): Seen => ({
  notesAdded: 0,
  replies: 0,
  noteEdits: 0,
  stateChanges: 0,
  refused: 0,
  backendEdits: 0,
  conflictsSettled: 0,
  conflictsMerged: 0,
  crashesAfterAccept: 0,
  fastForwards: 0,
  placedOnQuote: 0,
  detached: 0,
});

export interface NotesReal {
  backend: TestServer;
  studios: Studio[];
  /** Whose token each studio is on. */
  who: { name: TokenName; role: Role }[];
  stories: number;
  slugOf(story: number): string;
  /** Changes accepted from a backend client (not a studio), per note. */
  direct: Map<string, number>;
  /** Conflicts the person settled, per note (each one more change on the wire). */
  settled: Map<string, number>;
  accepted: Accepted;
  seen: Seen;
}

/**
 * One sequence's world: a fresh reference backend, and a studio on a library file of its own for each
 * token in `who`, logged in, its wire watched (accepted note PUTs, crashes after an accepted PUT).
 */
export async function startWorld(o: Pick<NotesReal, 'who' | 'stories' | 'slugOf' | 'seen'>): Promise<NotesReal> {
  const backend = await startServer();
  const accepted: Accepted = new Map();
  const studios = o.who.map((_, i) =>
    newStudio(mkdtempSync(join(tmpdir(), `sync-model-${i}-`)), new Network(backend.url, { accepted, onCrashAfterAccept: () => o.seen.crashesAfterAccept++ })),
  );
  const r: NotesReal = { ...o, backend, studios, direct: new Map(), settled: new Map(), accepted };
  try {
    for (const [i, s] of studios.entries()) await s.sync.login('http://studio-backend.test', backend.tokens[o.who[i]!.name]);
  } catch (e) {
    await stopWorld(r);
    throw e;
  }
  return r;
}

export async function stopWorld(r: NotesReal): Promise<void> {
  for (const s of r.studios) {
    s.library.close();
    rmSync(s.dir, { recursive: true, force: true });
  }
  await r.backend.close();
}

export interface WireNote {
  id: string;
  body: string;
  state: NoteState;
  version: number;
  replyTo?: string | null;
  anchor?: { exact: string } | null;
}

export async function backendNotes(backend: TestServer, slug: string): Promise<WireNote[]> {
  const res = await fetch(`${backend.url}/api/v1/stories/${slug}/notes?limit=1000`, { headers: { authorization: `Bearer ${backend.tokens.publisher}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: WireNote[] }).items;
}

export const tokensOf = (text: string) => text.split(/\s+/).filter(Boolean);
/** The person's settling: their text, with every mark of the backend's that theirs lacks added. */
export const union = (mine: string, theirs: string) => [...new Set([...tokensOf(mine), ...tokensOf(theirs)])].join(' ');

const storyIn = (r: NotesReal, studio: number, story: number) => r.studios[studio]!.library.storyBySlug(r.slugOf(story));

/** The notes a studio holds for its story of that slug (none when it has no such story). */
function notesOf(s: NotesReal['studios'][number], slug: string) {
  const story = s.library.storyBySlug(slug);
  return story ? s.sync.notes.store.forStory(story.id, slug, true) : [];
}

/** A note (or reply) the studio just wrote, with its first mark. */
function written(m: NotesModel, r: NotesReal, id: string, studio: number, story: number, mark: string): void {
  m.notes.set(id, { story, author: r.who[studio]!.name, marks: new Set([mark]), changes: r.studios.map((_, i) => (i === studio ? 1 : 0)) });
  m.order.push(id);
}

/** The note a command names by index among those the studio holds (null when it holds none). */
function noteIn(r: NotesReal, studio: number, pick: number) {
  const held = Array.from({ length: r.stories }, (_, i) => notesOf(r.studios[studio]!, r.slugOf(i))).flat();
  return held.length ? held[pick % held.length]! : null;
}

/** A quote of 8 to 24 characters inside one paragraph of `body`, chosen by `at` and `len`. */
export function quoteIn(body: string, at: number, len: number): { from: number; to: number } {
  const spans = [...body.matchAll(/[^\n]{8,}/g)];
  const span = spans[at % spans.length]!;
  const length = 8 + (len % Math.min(17, span[0].length - 7));
  const from = span.index + (Math.floor(at / spans.length) % (span[0].length - length + 1));
  return { from, to: from + length };
}

export class AddNote implements fc.AsyncCommand<NotesModel, NotesReal> {
  constructor(
    readonly studio: number,
    readonly story: number,
    readonly at: number,
    readonly len: number,
  ) {}
  check = () => true;
  async run(m: NotesModel, r: NotesReal): Promise<void> {
    const s = r.studios[this.studio]!;
    const story = storyIn(r, this.studio, this.story);
    if (!story) return;
    const mark = `m${++m.n}`;
    const body = parseStory(s.library.getStory(story.id).text).body;
    const q = quoteIn(body, this.at, this.len);
    // As the app does: the offsets are those of the text as it is here, on the backend's version it came from.
    const anchor = anchorAt(body, q.from, q.to, (await s.sync.storySync(story.id)).remoteVersion ?? 0);
    const view = s.sync.notes.add(story.id, anchor, mark);
    written(m, r, view.id, this.studio, this.story, mark);
    r.seen.notesAdded++;
  }
  toString = () => `AddNote(studio ${this.studio}, story ${this.story}, at ${this.at}, len ${this.len})`;
}

/** The studio replies to a note it holds, or changes it — its text, or its state (resolve or reopen) — as far as its role allows. */
export class ChangeNote implements fc.AsyncCommand<NotesModel, NotesReal> {
  constructor(
    readonly change: 'reply' | 'edit' | 'resolve',
    readonly studio: number,
    readonly pick: number,
  ) {}
  check = (m: Readonly<NotesModel>) => m.order.length > 0;
  async run(m: NotesModel, r: NotesReal): Promise<void> {
    const note = noteIn(r, this.studio, this.pick);
    if (!note) return;
    const nm = m.notes.get(note.id)!;
    const notes = r.studios[this.studio]!.sync.notes;
    const me = r.who[this.studio]!;
    const mark = `m${++m.n}`;
    if (this.change === 'reply') {
      // Anyone who may read the story may reply.
      const view = notes.reply(note.id, mark);
      written(m, r, view.id, this.studio, nm.story, mark);
      r.seen.replies++;
      return;
    }
    const apply = () =>
      this.change === 'edit' ? notes.edit(note.id, `${note.body} ${mark}`) : notes.setState(note.id, note.state === 'open' ? 'resolved' : 'open');
    // A note's author alone edits its text; resolving or reopening needs editor or above, or the note's author.
    if (nm.author !== me.name && (this.change === 'edit' || me.role === 'writer')) {
      const waiting = notes.waiting();
      expect(apply).toThrow(this.change === 'edit' ? /only its author/ : /takes an editor/);
      expect(notes.waiting(), 'a refused change queues nothing').toBe(waiting);
      r.seen.refused++;
      return;
    }
    apply();
    nm.changes[this.studio]!++;
    if (this.change === 'edit') nm.marks.add(mark);
    r.seen[this.change === 'edit' ? 'noteEdits' : 'stateChanges']++;
  }
  toString = () => `${{ reply: 'Reply', edit: 'Edit', resolve: 'ResolveOrReopen' }[this.change]}(studio ${this.studio}, note ${this.pick})`;
}

/** The note's author changes it straight on the backend, from another client. */
export class BackendEdit implements fc.AsyncCommand<NotesModel, NotesReal> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<NotesModel>) => m.order.length > 0;
  async run(m: NotesModel, r: NotesReal): Promise<void> {
    const id = m.order[this.pick % m.order.length]!;
    const nm = m.notes.get(id)!;
    const slug = r.slugOf(nm.story);
    const current = (await backendNotes(r.backend, slug)).find((n) => n.id === id);
    if (!current) return;
    const mark = `m${++m.n}`;
    const res = await fetch(`${r.backend.url}/api/v1/stories/${slug}/notes/${id}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${r.backend.tokens[nm.author]}`,
        'content-type': 'application/json',
        'idempotency-key': `direct-${m.n}`,
        'if-match': `"v${current.version}"`,
      },
      body: JSON.stringify({ body: `${current.body} ${mark}`, state: current.state, ...(current.replyTo ? { replyTo: current.replyTo } : {}) }),
    });
    expect(res.status).toBe(200);
    nm.marks.add(mark);
    r.direct.set(id, (r.direct.get(id) ?? 0) + 1);
    r.seen.backendEdits++;
  }
  toString = () => `BackendEdit(note ${this.pick})`;
}

/** What happens to a studio: it syncs, goes offline or online, or crashes in the middle of a sync after `after` more requests. */
export type StudioEvent = { kind: 'sync' } | { kind: 'offline' } | { kind: 'online' } | { kind: 'crash'; after: number };

export class OnStudio implements fc.AsyncCommand<NotesModel, NotesReal> {
  constructor(
    readonly studio: number,
    readonly event: StudioEvent,
  ) {}
  check = () => true;
  async run(m: NotesModel, r: NotesReal): Promise<void> {
    const s = r.studios[this.studio]!;
    if (this.event.kind === 'offline' || this.event.kind === 'online') {
      s.net.offline = this.event.kind === 'offline';
      return;
    }
    if (this.event.kind === 'crash') await crashDuringSync(s, this.event.after);
    else r.seen.fastForwards += (await s.sync.run()).pull?.fastForwarded.length ?? 0;
    await expectNoNoteTextLost(m, r);
  }
  toString = () => {
    const e = this.event;
    return `${{ sync: 'Sync', offline: 'GoOffline', online: 'GoOnline', crash: 'Crash' }[e.kind]}(studio ${this.studio}${e.kind === 'crash' ? `, after ${e.after}` : ''})`;
  };
}

/** The note commands, for `fc.commands`: on either studio, interleaved with syncs, going offline and crashes. */
export function noteCommands(studios: number, stories: number): fc.Arbitrary<fc.AsyncCommand<NotesModel, NotesReal>>[] {
  const studio = fc.integer({ min: 0, max: studios - 1 });
  const pick = fc.nat(50);
  return [
    fc.tuple(studio, fc.integer({ min: 0, max: stories - 1 }), fc.nat(200), fc.nat(16)).map(([s, i, at, len]) => new AddNote(s, i, at, len)),
    fc.tuple(studio, pick).map(([s, p]) => new ChangeNote('reply', s, p)),
    // Changes weigh more than anything else, so that notes often change on both sides between syncs.
    fc.tuple(studio, pick).map(([s, p]) => new ChangeNote('edit', s, p)),
    fc.tuple(studio, pick).map(([s, p]) => new ChangeNote('edit', s, p)),
    fc.tuple(studio, pick).map(([s, p]) => new ChangeNote('resolve', s, p)),
    pick.map((p) => new BackendEdit(p)),
    pick.map((p) => new BackendEdit(p)),
  ];
}

/** The commands every studio runs: sync, go offline or online, crash in the middle of a sync. */
export function studioCommands(studios: number): fc.Arbitrary<fc.AsyncCommand<NotesModel, NotesReal>>[] {
  const studio = fc.integer({ min: 0, max: studios - 1 });
  return [
    studio.map((s) => new OnStudio(s, { kind: 'sync' })),
    fc.tuple(studio, fc.boolean()).map(([s, off]) => new OnStudio(s, { kind: off ? 'offline' : 'online' })),
    fc.tuple(studio, fc.integer({ min: 0, max: 4 })).map(([s, after]) => new OnStudio(s, { kind: 'crash', after })),
  ];
}

/**
 * No text written into a note is lost, at any time: every mark is in the note's text somewhere — on
 * the backend, in a studio's note, or in the backend's text a studio keeps beside its own (a conflict).
 */
export async function expectNoNoteTextLost(m: NotesModel, r: NotesReal): Promise<void> {
  const held = new Map<string, Set<string>>();
  const hold = (id: string, body: string | undefined) => {
    if (body === undefined) return;
    if (!held.has(id)) held.set(id, new Set());
    for (const t of tokensOf(body)) held.get(id)!.add(t);
  };
  for (let i = 0; i < r.stories; i++) for (const n of await backendNotes(r.backend, r.slugOf(i))) hold(n.id, n.body);
  for (const s of r.studios) {
    for (let i = 0; i < r.stories; i++) {
      for (const n of notesOf(s, r.slugOf(i))) {
        hold(n.id, n.body);
        hold(n.id, n.remote?.body);
      }
    }
  }
  for (const [id, nm] of m.notes) for (const mark of nm.marks) expect(held.get(id)?.has(mark), `${id}: ${mark} is kept somewhere`).toBe(true);
}

/**
 * Online, the person merges every story in conflict (with `mergeStory`), settles every note changed on
 * both sides (both texts' marks), and the studios sync until each is clean (nothing waiting, nothing in
 * conflict) and has pulled since the backend last changed: a studio runs again only when it is not
 * clean or another's round changed the backend after its own (each round pulls after it pushes).
 */
export async function settle(r: NotesReal, mergeStory?: (local: string, remote: string) => string): Promise<void> {
  for (const s of r.studios) s.net.offline = false;
  let round = 0;
  /** The round that last changed the backend (0: the commands before settling), and each studio's last round. */
  let changed = 0;
  const ran = r.studios.map(() => -1);
  const clean = r.studios.map(() => false);
  for (let k = 0; k !== -1; k = r.studios.findIndex((_, i) => !clean[i] || ran[i]! < changed)) {
    if (round === 60) {
      throw new Error(
        `did not settle: ${JSON.stringify(await Promise.all(r.studios.map((s) => s.sync.overview())))}, notes waiting ${r.studios.map((s) => s.sync.notes.waiting()).join(', ')}`,
      );
    }
    const s = r.studios[k]!;
    const o = await s.sync.run({ maxWaitMs: 2_000 });
    ran[k] = ++round;
    if ((o.push?.sent ?? 0) > 0 || (o.merged?.length ?? 0) > 0 || (o.notes?.sent ?? 0) > 0) changed = round;
    let dirty = o.overview.queued > 0 || o.overview.rejected > 0 || Boolean(o.overview.lastError) || (o.notes?.conflicts ?? 0) > 0;
    for (const c of o.overview.conflicts) {
      if (!mergeStory) throw new Error(`story ${c.slug} in conflict`);
      const st = await s.sync.storySync(c.id!);
      await s.sync.resolve(c.id!, mergeStory(st.conflict!.localText, st.conflict!.remoteText));
      r.seen.conflictsMerged++;
      dirty = true;
    }
    for (let i = 0; i < r.stories; i++) {
      const story = s.library.storyBySlug(r.slugOf(i));
      if (!story) continue;
      for (const v of s.sync.notes.list(story.id)) {
        expect(v.rejected, `${v.id} refused (${JSON.stringify(s.sync.notes.store.pending(v.id).map((p) => p.body))})`).toBeNull();
        if (!v.conflict) continue;
        // Both texts are there until the person settles: theirs, and the backend's beside it. Only
        // the note's author may write its text: anyone else keeps the backend's (and their state).
        const mine = v.author === r.who[k]!.name;
        s.sync.notes.resolveConflict(v.id, mine ? union(v.body, v.conflict.body) : v.conflict.body, v.state);
        r.settled.set(v.id, (r.settled.get(v.id) ?? 0) + 1);
        r.seen.conflictsSettled++;
        dirty = true;
      }
    }
    expect(o.notes?.rejected ?? 0, 'no note change refused').toBe(0);
    clean[k] = !dirty && s.sync.notes.waiting() === 0;
  }
}

const notesOfStory = (m: NotesModel, story: number) =>
  [...m.notes]
    .filter(([, nm]) => nm.story === story)
    .map(([id]) => id)
    .sort();

/**
 * After the final syncs: the backend and every studio hold exactly the notes written, the same
 * everywhere (text, state, version, thread) with nothing left beside them; every mark written into a
 * note is in its text; and nothing went out twice — the backend made one version per change it
 * accepted, each change sent under one Idempotency-Key, never more sends than changes made.
 */
async function expectNotesConverged(m: NotesModel, r: NotesReal): Promise<void> {
  for (let i = 0; i < r.stories; i++) {
    const slug = r.slugOf(i);
    const written = notesOfStory(m, i);
    const remote = new Map((await backendNotes(r.backend, slug)).map((n) => [n.id, n]));
    expect([...remote.keys()].sort(), `${slug}: the backend holds exactly the notes written`).toEqual(written);
    for (const [k, s] of r.studios.entries()) {
      expect(
        notesOf(s, slug)
          .map((n) => n.id)
          .sort(),
        `${slug}: studio ${k} holds exactly the notes written`,
      ).toEqual(written);
    }
    for (const id of written) {
      const nm = m.notes.get(id)!;
      const b = remote.get(id)!;
      for (const mark of nm.marks) expect(tokensOf(b.body), `${id}: ${mark}`).toContain(mark);
      for (const s of r.studios) {
        const local = s.sync.notes.store.get(id)!;
        expect({ body: local.body, state: local.state, version: local.version, replyTo: local.replyTo, remote: local.remote }, `${id} in a studio`).toEqual({
          body: b.body,
          state: b.state,
          version: b.version,
          replyTo: b.replyTo ?? null,
          remote: null,
        });
      }
      const keys = r.accepted.get(id)?.size ?? 0;
      expect(b.version, `${id}: versions = accepted changes`).toBe(keys + (r.direct.get(id) ?? 0));
      expect(keys, `${id}: no more accepted sends than changes made (+ settlings)`).toBeLessThanOrEqual(
        nm.changes.reduce((a, c) => a + c, 0) + (r.settled.get(id) ?? 0),
      );
    }
  }
}

function occurrences(text: string, quote: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) at.push(i);
  return at;
}

/**
 * Every note, in every studio, stands where its quote is in the studio's text: on it when the quote
 * is there exactly once; shown detached — and still listed — when neither the quote nor any text
 * within a third of its characters of it is left (the protocol's fuzzy match may place it otherwise).
 */
function expectNotesPlaced(m: NotesModel, r: NotesReal): void {
  for (const [k, s] of r.studios.entries()) {
    for (let i = 0; i < r.stories; i++) {
      const story = s.library.storyBySlug(r.slugOf(i))!;
      const parsed = parseStory(s.library.getStory(story.id).text);
      const views = s.sync.notes.list(story.id);
      expect(views.map((v) => v.id).sort(), `studio ${k} lists every note of ${story.slug}`).toEqual(notesOfStory(m, i));
      for (const v of views) {
        if (v.replyTo) continue;
        const quote = v.anchor!.exact;
        const at = occurrences(parsed.body, quote);
        const where = `studio ${k}, ${v.id} on ${JSON.stringify(quote)}`;
        if (at.length === 1) {
          expect(v.place, `${where}: on its quote`).toEqual({ from: at[0]! + parsed.bodyStart.offset, to: at[0]! + parsed.bodyStart.offset + quote.length });
          r.seen.placedOnQuote++;
        } else if (at.length === 0 && search(parsed.body, quote, Math.floor(quote.length / 3)).length === 0) {
          expect({ detached: v.detached, place: v.place }, `${where}: its quote is gone`).toEqual({ detached: true, place: null });
          r.seen.detached++;
        }
      }
    }
  }
}

/** The final checks, after `settle`: the notes converged, and each stands where its quote is. */
export async function expectNotesSettled(m: NotesModel, r: NotesReal): Promise<void> {
  await expectNotesConverged(m, r);
  expectNotesPlaced(m, r);
}
