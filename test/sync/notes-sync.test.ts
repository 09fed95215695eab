/**
 * Review notes through the studio's sync (issue 14), two studios on the reference backend: notes
 * written offline drain once; a note changed on both sides keeps both texts; a pulled note lands on
 * the same sentence after the other studio edited the paragraph around it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { anchorAt, parseStory, serializeStory } from '../../shared/index.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { api, startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

let backend: TestServer;
let dir: string;
const studios: { lib: Library; sync: SyncService }[] = [];

async function studio(token: string, name: string) {
  const lib = Library.open(join(dir, `${name}.sqlite`), { seed: { catalogPath: sampleCatalogPath() } });
  const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
  await sync.login(backend.url, token);
  studios.push({ lib, sync });
  return { lib, sync };
}

beforeEach(async () => {
  backend = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'notes-sync-'));
});
afterEach(async () => {
  for (const s of studios.splice(0)) s.lib.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const SENTENCE = 'The minister denied the report on Tuesday.';
const BODY = `Ministers met in the capital.\n\n${SENTENCE} Aides declined to comment.\n\nA third paragraph.\n`;

/** A story the editor's studio submitted for review, now on the backend. */
async function submitted(slug: string) {
  const editor = await studio(backend.tokens.editor, 'editor');
  const id = editor.lib.putBySlug(slug, storyText(slug, BODY)).id;
  await editor.sync.enqueue(id, 'review');
  await editor.sync.run();
  return { editor, id };
}

const remoteNotes = async (slug: string) =>
  (
    (await (await api(backend, `/api/v1/stories/${slug}/notes`, backend.tokens.publisher)).json()) as {
      items: { id: string; body: string; version: number; state: string }[];
    }
  ).items;

describe('review notes through sync', () => {
  it('sends notes written offline once, and pulls them into another studio on the same sentence after its writer edited the paragraph', async () => {
    const slug = 'notes-sync-offline-1a2b';
    const { editor, id } = await submitted(slug);
    const body = parseStory(editor.lib.getStory(id).text).body;
    const from = body.indexOf(SENTENCE);
    // Written while offline: nothing leaves until a round runs; then exactly once, however many rounds.
    const note = editor.sync.notes.add(id, anchorAt(body, from, from + SENTENCE.length, 1), 'This claim needs a second source.');
    expect(note.pending).toBe(true);
    expect(await remoteNotes(slug)).toEqual([]);
    await editor.sync.run();
    await editor.sync.run();
    const sent = await remoteNotes(slug);
    expect(sent).toEqual([expect.objectContaining({ id: note.id, body: 'This claim needs a second source.', version: 1 })]);
    expect(editor.sync.notes.list(id)[0]).toMatchObject({ pending: false, author: 'editor', role: 'editor' });

    // The writer's studio pulls the story and its note, edits the paragraph around the sentence, replies.
    const writer = await studio(backend.tokens.writer, 'writer');
    await writer.sync.run();
    const story = writer.lib.storyBySlug(slug)!;
    const edited = serializeStory({
      ...parseStory(story.text),
      body: BODY.replace('Ministers met in the capital.', 'Ministers met in the capital on Monday, officials said.').replace(
        ' Aides declined to comment.',
        ' Aides said nothing more.',
      ),
    });
    writer.lib.saveStory(story.id, edited);
    const [pulled] = writer.sync.notes.list(story.id);
    expect(pulled).toMatchObject({ id: note.id, detached: false });
    expect(edited.slice(pulled!.place!.from, pulled!.place!.to)).toBe(SENTENCE);
    writer.sync.notes.reply(note.id, 'Added the ministry’s statement.');
    await writer.sync.run();

    // The editor resolves it; both studios show it resolved.
    await editor.sync.run();
    expect(editor.sync.notes.list(id).map((n) => n.body)).toContain('Added the ministry’s statement.');
    editor.sync.notes.setState(note.id, 'resolved');
    await editor.sync.run();
    await writer.sync.run();
    expect(writer.sync.notes.list(story.id).find((n) => n.id === note.id)).toMatchObject({ state: 'resolved', pending: false });
    expect((await remoteNotes(slug)).filter((n) => n.id === note.id)).toEqual([expect.objectContaining({ state: 'resolved', version: 2 })]);
  });

  it('keeps both texts of a note changed on both sides, and sends the one the person settles on', async () => {
    const slug = 'notes-sync-conflict-3c4d';
    const { editor, id } = await submitted(slug);
    const body = parseStory(editor.lib.getStory(id).text).body;
    const note = editor.sync.notes.add(id, anchorAt(body, 0, 10, 1), 'First wording.');
    await editor.sync.run();
    // The same editor token in a second studio (a laptop) changes it; the first studio changes it offline too.
    const laptop = await studio(backend.tokens.editor, 'laptop');
    await laptop.sync.run();
    laptop.sync.notes.edit(note.id, 'Wording from the laptop.');
    await laptop.sync.run();
    editor.sync.notes.edit(note.id, 'Wording from the desk.');
    await editor.sync.run();
    const [view] = editor.sync.notes.list(id);
    expect(view).toMatchObject({ body: 'Wording from the desk.', conflict: { body: 'Wording from the laptop.', version: 2 } });
    expect((await remoteNotes(slug))[0]!.body).toBe('Wording from the laptop.');
    editor.sync.notes.resolveConflict(note.id, 'Wording from the desk, and the laptop.', 'open');
    await editor.sync.run();
    expect(await remoteNotes(slug)).toEqual([expect.objectContaining({ body: 'Wording from the desk, and the laptop.', version: 3 })]);
    expect(editor.sync.notes.list(id)[0]).toMatchObject({ conflict: null, pending: false });

    // Two changes offline while the laptop changes it again: the first meets the conflict; once settled,
    // the second (made on the old text) never goes out on the backend's version after the settled one.
    await laptop.sync.run();
    laptop.sync.notes.setState(note.id, 'resolved');
    await laptop.sync.run();
    editor.sync.notes.edit(note.id, 'Desk, second wording.');
    editor.sync.notes.edit(note.id, 'Desk, third wording.');
    await editor.sync.run();
    const [again] = editor.sync.notes.list(id);
    expect(again).toMatchObject({ body: 'Desk, third wording.', conflict: { state: 'resolved', version: 4 } });
    editor.sync.notes.resolveConflict(note.id, 'Desk, third wording.', 'resolved');
    await editor.sync.run();
    expect(await remoteNotes(slug)).toEqual([expect.objectContaining({ body: 'Desk, third wording.', state: 'resolved', version: 5 })]);
    expect(editor.sync.notes.list(id)[0]).toMatchObject({ conflict: null, pending: false });
  });

  it("keeps a draft's notes on the story they were written on: not on another new story, and through a new title to the backend", async () => {
    const writer = await studio(backend.tokens.writer, 'drafts');
    const noteOn = (id: string, sentence: string, text: string) => {
      const story = writer.lib.getStory(id);
      const withBody = story.text.replace(/\n*$/, `\n\n${sentence}\n`);
      writer.lib.saveStory(id, withBody);
      const body = parseStory(withBody).body;
      const from = body.indexOf(sentence);
      return writer.sync.notes.add(id, anchorAt(body, from, from + sentence.length, 1), text);
    };
    // Two new stories: both "Untitled story", so both have the slug the title makes until one is sent.
    const a = writer.lib.createStory({ beat: 'open-source-ai' });
    const b = writer.lib.createStory({ beat: 'open-source-ai' });
    expect(a.slug).toBe(b.slug);
    const note = noteOn(a.id, 'The ferry ran late all week.', 'Which ferry?');
    expect(writer.sync.notes.list(a.id).map((n) => n.body)).toEqual(['Which ferry?']);
    expect(writer.sync.notes.list(b.id)).toEqual([]);

    // A title, so a slug of its own: the note stays, on the same sentence, under the new slug.
    writer.lib.saveStory(a.id, writer.lib.getStory(a.id).text.replace('title: Untitled story', 'title: Ferry delays on the north line'));
    const slug = writer.lib.getStory(a.id).slug;
    expect(slug).not.toBe(b.slug);
    const [kept] = writer.sync.notes.list(a.id);
    expect(kept).toMatchObject({ id: note.id, storySlug: slug, detached: false });
    expect(writer.lib.getStory(a.id).text.slice(kept!.place!.from, kept!.place!.to)).toBe('The ferry ran late all week.');
    expect(writer.sync.notes.list(b.id)).toEqual([]);

    // Submitted: the story and its note reach the backend under that slug.
    expect((await writer.sync.enqueue(a.id, 'review')).check).toMatchObject({ queued: true });
    await writer.sync.run();
    await writer.sync.run();
    expect(await remoteNotes(slug)).toEqual([expect.objectContaining({ id: note.id, body: 'Which ferry?' })]);
    expect(writer.sync.notes.list(a.id)[0]).toMatchObject({ id: note.id, pending: false });
  });

  it('opens a library written before notes knew their story: its notes stay on the story of their slug', async () => {
    const file = join(dir, 'old.sqlite');
    const first = Library.open(file, { seed: { catalogPath: sampleCatalogPath() } });
    new SyncService({ library: first, vault: new MemoryVault(), intervalMs: 0 });
    first.close();
    const old = new Database(file);
    old.exec(`DROP TABLE notes_items; CREATE TABLE notes_items (
      id TEXT PRIMARY KEY, story_slug TEXT NOT NULL, body TEXT NOT NULL, anchor TEXT, local_anchor TEXT,
      state TEXT NOT NULL, reply_to TEXT, author TEXT, role TEXT, version INTEGER,
      created_at TEXT NOT NULL, updated_at TEXT NOT NULL, remote TEXT)`);
    old
      .prepare(
        `INSERT INTO notes_items (id, story_slug, body, state, version, created_at, updated_at) VALUES ('n-old', 'kept-story', 'An old note', 'open', 3, 'x', 'x')`,
      )
      .run();
    old.close();
    const lib = Library.open(file, { seed: { catalogPath: sampleCatalogPath() } });
    const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
    studios.push({ lib, sync });
    const id = lib.putBySlug('kept-story', storyText('kept-story', BODY)).id;
    expect(sync.notes.list(id).map((n) => n.body)).toEqual(['An old note']);
  });

  it('puts a note that a fuzzy match placed on other text back on its quote once the quote comes in (a note pulled before the text it quotes)', async () => {
    const slug = 'notes-sync-quote-back-5e6f';
    const { editor, id } = await submitted(slug);
    const writer = await studio(backend.tokens.writer, 'writer');
    await writer.sync.run();
    const story = writer.lib.storyBySlug(slug)!;
    // The editor adds a sentence, not submitted yet, and a note on it: the note goes out, the text waits.
    const added = 'The minister denied the report on Thursday.';
    const text = serializeStory({ ...parseStory(editor.lib.getStory(id).text), body: `${BODY}\n${added}\n` });
    editor.lib.saveStory(id, text);
    const body = parseStory(text).body;
    const note = editor.sync.notes.add(id, anchorAt(body, body.indexOf(added), body.indexOf(added) + added.length, 1), 'Which day was it?');
    await editor.sync.run();
    await writer.sync.run();
    const placed = (s: { lib: Library; sync: SyncService }, storyId: string) => {
      const v = s.sync.notes.list(storyId).find((n) => n.id === note.id)!;
      return s.lib.getStory(storyId).text.slice(v.place!.from, v.place!.to);
    };
    // The writer's text lacks the sentence: the note stands on the nearest like it.
    expect(placed(writer, story.id)).toBe(SENTENCE);
    await editor.sync.enqueue(id, 'review');
    await editor.sync.run();
    await writer.sync.run();
    expect(placed(writer, story.id)).toBe(added);
    expect(placed(editor, id)).toBe(added);
  });
});
