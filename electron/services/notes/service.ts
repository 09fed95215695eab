/**
 * Review notes in the studio: written offline into the library, placed on the story's text as it
 * is now, and synced through their outbox in each sync round.
 */
import { randomUUID } from 'node:crypto';
import type { NoteView } from '../../../shared/api/notes.js';
import {
  movedAnchor,
  noteActionAllowed,
  parseStory,
  placeAnchors,
  placeByQuote,
  storyFields,
  type NoteAnchor,
  type NotePutBody,
  type NoteState,
} from '../../../shared/index.js';
import type { Role } from '../../../shared/protocol/index.js';
import { StudioCallError } from '../../../shared/api/contract.js';
import type { Library } from '../library/library.js';
import { NotesStore, type LocalNote } from './store.js';
import { syncNotes, type NotesRoundOptions, type NotesRoundResult } from './sync.js';

/** Stories whose notes are pulled in one round at most (those with notes here, then those under review). */
const MAX_STORIES_PER_ROUND = 200;

export class NotesService {
  readonly store: NotesStore;

  constructor(
    private readonly lib: Library,
    /** The token's owner and role, as the backend last said (null when unknown or offline). */
    private readonly who: () => { name: string | null; role: Role | null },
    private readonly now: () => number = Date.now,
    /** Called after every local change of a note (the sync overview's waiting count moved). */
    private readonly onChange: () => void = () => undefined,
  ) {
    this.store = new NotesStore(lib.db);
  }

  /** A story's notes, each placed on the library's text of the story as it is now. */
  list(storyId: string): NoteView[] {
    const story = this.lib.getStory(storyId);
    const parsed = parseStory(story.text);
    const { notes, places } = this.store.transaction(() => {
      this.store.followSlug(story.id, story.slug);
      const notes = this.store.forStory(story.id, story.slug, storyFields(parsed).slug === story.slug);
      return { notes, places: this.place(story.id, parsed.body, notes) };
    });
    return notes.map((n) => this.view(n, places.get(n.id), parsed.bodyStart.offset));
  }

  /** Places anchored notes on `body`, remembering where each stands now (its anchor as written never changes). */
  private place(storyId: string, body: string, notes: LocalNote[]): Map<string, { from: number; to: number } | null> {
    const out = new Map<string, { from: number; to: number } | null>();
    const base = this.store.base(storyId);
    // Anchors placed here before map through the edit from the body they were placed on; the others
    // (new from the backend, or written in an editor whose text was not saved yet) by offsets and quote.
    const known = notes.filter((n) => n.localAnchor && base !== null);
    const fresh = notes.filter((n) => n.anchor && !(n.localAnchor && base !== null));
    const run = (group: LocalNote[], anchors: NoteAnchor[], previous?: string) => {
      placeAnchors(anchors, body, previous).forEach((placed, i) => {
        const n = group[i]!;
        // A note that stands on other text than its quote (a fuzzy match: the quote reworded, or not in
        // this text yet when it was placed) goes back onto its quote once the quote stands in the text.
        const p = n.anchor && anchors[i]!.exact !== n.anchor.exact ? (placeByQuote(body, n.anchor) ?? placed) : placed;
        if (p.from === null) return void out.set(n.id, null);
        out.set(n.id, { from: p.from, to: p.to });
        this.store.setLocalAnchor(n.id, movedAnchor(anchors[i]!, body, p));
      });
    };
    if (known.length)
      run(
        known,
        known.map((n) => n.localAnchor!),
        base ?? undefined,
      );
    if (fresh.length)
      run(
        fresh,
        fresh.map((n) => n.anchor!),
      );
    this.store.setBase(storyId, body);
    return out;
  }

  private view(n: LocalNote, place: { from: number; to: number } | null | undefined, bodyOffset: number): NoteView {
    const rows = this.store.pending(n.id);
    const rejected = rows.find((r) => r.state === 'rejected');
    const who = this.who();
    const mine = n.author === null || n.author === who.name;
    const role = who.role ?? 'writer';
    return {
      id: n.id,
      storySlug: n.storySlug,
      body: n.body,
      state: n.state,
      replyTo: n.replyTo,
      author: n.author,
      role: n.role,
      anchor: n.anchor,
      place: place ? { from: place.from + bodyOffset, to: place.to + bodyOffset } : null,
      detached: !n.replyTo && place === null,
      pending: rows.some((r) => r.state === 'queued'),
      rejected: rejected?.lastError ?? null,
      conflict: n.remote ? { body: n.remote.body, state: n.remote.state, version: n.remote.version, author: n.remote.author } : null,
      allowed: { edit: noteActionAllowed('edit', role, mine), resolve: noteActionAllowed('resolve', role, mine) },
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
    };
  }

  private viewOf(id: string): NoteView {
    const n = this.mustGet(id);
    const story = n.storyId ? this.lib.getStory(n.storyId) : this.lib.storyBySlug(n.storySlug);
    if (!story) throw new StudioCallError('not-found', `no story "${n.storySlug}" in the library`);
    const v = this.list(story.id).find((x) => x.id === id);
    if (!v) throw new StudioCallError('not-found', `no note "${id}"`);
    return v;
  }

  private mustGet(id: string): LocalNote {
    const n = this.store.get(id);
    if (!n) throw new StudioCallError('not-found', `no note "${id}"`);
    return n;
  }

  private write(n: LocalNote, body: NotePutBody): NoteView {
    this.store.transaction(() => {
      this.store.put(n);
      this.store.enqueue(n.id, n.storySlug, body, this.now());
    });
    this.onChange();
    return this.viewOf(n.id);
  }

  private fresh(storySlug: string, storyId: string | null, body: string, anchor: NoteAnchor | null, replyTo: string | null): LocalNote {
    const who = this.who();
    const at = new Date(this.now()).toISOString();
    return {
      id: `n-${randomUUID()}`,
      storySlug,
      storyId,
      body,
      anchor,
      localAnchor: null,
      state: 'open',
      replyTo,
      author: who.name,
      role: who.role,
      version: null,
      createdAt: at,
      updatedAt: at,
      remote: null,
    };
  }

  add(storyId: string, anchor: NoteAnchor, body: string): NoteView {
    const story = this.lib.getStory(storyId);
    const n = this.fresh(story.slug, story.id, body, anchor, null);
    return this.write(n, { body, anchor });
  }

  reply(noteId: string, body: string): NoteView {
    const parent = this.mustGet(noteId);
    const n = this.fresh(parent.storySlug, parent.storyId, body, null, parent.replyTo ?? parent.id);
    return this.write(n, { body, replyTo: n.replyTo! });
  }

  private change(noteId: string, action: 'edit' | 'resolve', next: { body?: string; state?: NoteState }): NoteView {
    const n = this.mustGet(noteId);
    const who = this.who();
    if (!noteActionAllowed(action, who.role ?? 'writer', n.author === null || n.author === who.name)) {
      throw new StudioCallError('bad-input', action === 'edit' ? 'only its author may edit a note' : 'resolving another’s note takes an editor or publisher');
    }
    const changed = { ...n, body: next.body ?? n.body, state: next.state ?? n.state, updatedAt: new Date(this.now()).toISOString() };
    return this.write(changed, putBodyOf(changed));
  }

  edit(noteId: string, body: string): NoteView {
    return this.change(noteId, 'edit', { body });
  }

  setState(noteId: string, state: NoteState): NoteView {
    return this.change(noteId, 'resolve', { state });
  }

  /** Settles a note changed on both sides: the chosen text goes out on the backend's version. */
  resolveConflict(noteId: string, body: string, state: NoteState): NoteView {
    const n = this.mustGet(noteId);
    if (!n.remote) throw new StudioCallError('bad-input', `the note "${noteId}" has no conflict to settle`);
    const settled: LocalNote = { ...n, body, state, version: n.remote.version, remote: null, updatedAt: new Date(this.now()).toISOString() };
    this.store.transaction(() => this.store.clearSettled(noteId));
    return this.write(settled, putBodyOf(settled));
  }

  /** Note changes waiting to go out. */
  waiting(): number {
    return this.store.countWaiting();
  }

  /** One round: the outbox out, then the notes of the stories followed here in. */
  round(options: Omit<NotesRoundOptions, 'slugs'>): Promise<NotesRoundResult> {
    // Notes not yet sent go out under their story's slug now (a draft's follows its title).
    for (const id of this.store.storiesWithUnsentNotes()) {
      let slug: string;
      try {
        slug = this.lib.getStory(id).slug;
      } catch {
        continue; // deleted for good: its notes keep the slug they had
      }
      this.store.followSlug(id, slug);
    }
    const slugs = new Set(this.store.storiesWithNotes());
    for (const status of ['review', 'approved'] as const) {
      for (const s of this.lib.listStories({ status })) {
        if (slugs.size >= MAX_STORIES_PER_ROUND) break;
        slugs.add(s.slug);
      }
    }
    return syncNotes(this.store, { ...options, slugs: [...slugs].slice(0, MAX_STORIES_PER_ROUND) });
  }
}

function putBodyOf(n: LocalNote): NotePutBody {
  return n.replyTo ? { body: n.body, state: n.state, replyTo: n.replyTo } : { body: n.body, state: n.state, ...(n.anchor ? { anchor: n.anchor } : {}) };
}
