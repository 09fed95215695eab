/**
 * The sync UI's pieces that need no browser: the story's sync state in words, what makes the open
 * story's state be read again, the backend's findings in the editor state, a new catalog put into
 * an open editor, and remote text kept apart from typing. The e2e test (test/e2e/sync.e2e.test.ts)
 * runs them in Chromium against the reference backend.
 */
import { EditorSelection, EditorState, Transaction, type TransactionSpec } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StorySync, SyncOverview } from '../../shared/api/sync.js';
import { indexCatalog, lintStory, loadCatalog, type Diagnostic } from '../../shared/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { backendDiagnostics, backendDiagnosticsField, setBackendDiagnostics } from '../../renderer/editor/backend-lint.js';
import { isRemoteUpdate } from '../../renderer/editor/remote-text.js';
import { SeenRevisions, followLibrary } from '../../renderer/sync/library-follow.js';
import { catalogExtension, catalogFacet, setEditorCatalog, storyField } from '../../renderer/editor/story-state.js';
import { describeStorySync, storyCommandsHidden, storySyncKey } from '../../renderer/sync/story-sync-text.js';

const story = (over: Partial<StorySync> = {}): StorySync => ({
  id: 's1',
  slug: 'a-story',
  remoteVersion: null,
  remoteStatus: null,
  syncedText: null,
  changes: [],
  rejected: null,
  conflict: null,
  merged: null,
  allowed: ['review', 'approved', 'published', 'withdrawn'],
  ...over,
});
const change = (state: StorySync['changes'][number]['state'], target: StorySync['changes'][number]['target'] = 'published', attempts = 1) => ({
  id: 1,
  target,
  state,
  attempts,
  lastError: null,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('a story’s sync state in words', () => {
  it('says the most pressing thing: conflict, rejection, pause, waiting change, then the backend’s version', () => {
    expect(describeStorySync(story())).toEqual({ kind: 'local', text: 'Not on the backend yet' });
    expect(describeStorySync(story({ remoteVersion: 3, remoteStatus: 'published', changes: [change('done')] }))).toEqual({
      kind: 'synced',
      text: 'v3 published on the backend',
    });
    // What is only queued says so, in the words the library badge and `studio status` use.
    expect(describeStorySync(story({ remoteVersion: 3, remoteStatus: 'published', changes: [change('queued', 'approved')] })).text).toBe('Approve queued');
    expect(describeStorySync(story({ changes: [change('sending', 'review', 3)] })).text).toBe('Submit queued (sending, try 3)');
    expect(describeStorySync(story({ changes: [change('paused', 'withdrawn')] }))).toEqual({ kind: 'paused', text: 'Withdrawal paused' });
    const finding = { rule: 'ref-unknown', severity: 'error' as const, message: 'no such entity', line: 3, column: 1, from: 40, to: 50 };
    const rejected = story({
      remoteVersion: 2,
      changes: [change('rejected')],
      rejected: { target: 'published', message: 'the story has 2 error(s)', diagnostics: [finding, { ...finding, from: 60, to: 70 }] },
    });
    expect(describeStorySync(rejected)).toEqual({ kind: 'rejected', text: 'Rejected: 2 problems' });
    const conflict = {
      ...rejected,
      conflict: { origin: 'push' as const, remoteVersion: 4, remoteStatus: 'published', baseText: null, localText: 'a', remoteText: 'b' },
    };
    expect(describeStorySync(conflict)).toEqual({ kind: 'conflict', text: "In conflict with the backend's v4" });
  });

  it('reads the open story’s state again when something that concerns it moved, not on every poll', () => {
    const o: SyncOverview = {
      configured: true,
      backendUrl: 'http://b',
      tokenStorage: 'plain',
      storageNote: '',
      who: 'w',
      role: 'writer',
      site: null,
      waiting: [],
      online: true,
      running: false,
      progress: null,
      paused: null,
      queued: 1,
      rejected: 0,
      conflicts: [],
      lastSyncAt: '2026-01-01T00:00:00.000Z',
      lastError: null,
      catalogStamp: 'c1',
      lastPulled: null,
    };
    const key = storySyncKey(o);
    expect(storySyncKey({ ...o, online: false, lastError: 'away', storageNote: 'x' })).toBe(key);
    for (const moved of [
      { queued: 0 },
      { rejected: 1 },
      { conflicts: [{ slug: 'a', id: 'x', title: 'A' }] },
      { lastSyncAt: 'later' },
      { running: true },
      { role: 'editor' as const },
      { lastPulled: { at: 'now', ids: [] } },
    ]) {
      expect(storySyncKey({ ...o, ...moved }), JSON.stringify(moved)).not.toBe(key);
    }
  });
});

const catalog = loadCatalog(readFileSync(sampleCatalogPath(), 'utf8'));
const TEXT = '---\ntitle: Herons\nbeat: open-source-ai\n---\n\nThe {{entity:heron-trust}} counted birds.\n';
const finding = (from: number, to: number): Diagnostic => ({
  rule: 'ref-unknown',
  severity: 'error',
  message: 'no entity "heron-trust" in the catalog',
  line: 6,
  column: 5,
  from,
  to,
});

describe('the backend’s findings in the editor state', () => {
  const at = TEXT.indexOf('{{entity:heron-trust}}');
  const end = at + '{{entity:heron-trust}}'.length;
  const make = () => EditorState.create({ doc: TEXT, extensions: [backendDiagnosticsField] });

  it('are shown as the backend’s, move with the text typed before them, and are replaced or cleared as a whole', () => {
    let state = make().update({ effects: setBackendDiagnostics.of([finding(at, end)]) }).state;
    expect(backendDiagnostics(state)).toEqual([
      { from: at, to: end, severity: 'error', message: 'Backend: no entity "heron-trust" in the catalog', source: 'backend ref-unknown' },
    ]);
    state = state.update({ changes: { from: TEXT.indexOf('The'), insert: 'Today ' } }).state;
    expect(backendDiagnostics(state).map((d) => state.sliceDoc(d.from, d.to))).toEqual(['{{entity:heron-trust}}']);
    state = state.update({ effects: setBackendDiagnostics.of([]) }).state;
    expect(backendDiagnostics(state)).toEqual([]);
  });

  it('placed on a longer saved text, stay inside the editor’s', () => {
    const state = make().update({ effects: setBackendDiagnostics.of([finding(TEXT.length + 5, TEXT.length + 30)]) }).state;
    expect(backendDiagnostics(state)).toMatchObject([{ from: TEXT.length, to: TEXT.length }]);
  });
});

/** Enough of an EditorView for setEditorCatalog: a state and a dispatch. */
function fakeView(state: EditorState): EditorView {
  const view = {
    state,
    dispatch(spec: TransactionSpec) {
      view.state = view.state.update(spec).state;
    },
  };
  return view as unknown as EditorView;
}

describe('a new catalog in an open editor', () => {
  it('replaces the old one in place: the text, the selection and the state stay; the story is read with it', () => {
    const withHeron = indexCatalog({
      ...catalog.data,
      entities: [...catalog.data.entities, { slug: 'heron-trust', name: 'Heron Trust', type: 'organization', aliases: [] }],
    });
    const cursor = TEXT.indexOf('counted');
    const view = fakeView(EditorState.create({ doc: TEXT, selection: EditorSelection.cursor(cursor), extensions: [catalogExtension(catalog), storyField] }));
    const unknown = (v: EditorView) => lintStory(v.state.field(storyField).story, v.state.facet(catalogFacet)).filter((d) => d.rule === 'ref-unknown');
    expect(unknown(view)).toHaveLength(1);
    setEditorCatalog(view, withHeron);
    expect(view.state.facet(catalogFacet)).toBe(withHeron);
    expect(unknown(view)).toEqual([]);
    expect(view.state.doc.toString()).toBe(TEXT);
    expect(view.state.selection.main.head).toBe(cursor);
  });
});

describe('remote text and typing', () => {
  it('tells a text put in from the library (nothing to save) from the person’s typing', () => {
    const state = EditorState.create({ doc: 'abc' });
    const remote = state.update({ changes: { from: 3, insert: 'd' }, annotations: Transaction.remote.of(true) });
    const typed = state.update({ changes: { from: 0, insert: 'x' } });
    const selection = state.update({ selection: { anchor: 1 } });
    expect(isRemoteUpdate([remote])).toBe(true);
    expect(isRemoteUpdate([remote, selection])).toBe(true);
    expect(isRemoteUpdate([typed])).toBe(false);
    expect(isRemoteUpdate([remote, typed])).toBe(false);
  });
});

describe('following the library when someone else writes the open story', () => {
  const opened = () => {
    const seen = new SeenRevisions();
    seen.reset(10); // opened at revision 10; older ones were the story's before
    return seen;
  };
  const input = (revisions: number[], over: Partial<Parameters<typeof followLibrary>[1]> = {}) => ({
    revisions,
    libraryText: 'theirs',
    editorText: 'mine',
    unsaved: false,
    ...over,
  });

  it('does nothing while every revision is the editor’s own', () => {
    const seen = opened();
    seen.add(12);
    expect(followLibrary(seen, input([3, 7, 10, 12], { libraryText: 'mine' }))).toBe('none');
  });

  it('shows someone else’s newest text when nothing is unsaved, once', () => {
    const seen = opened();
    expect(followLibrary(seen, input([10, 15]))).toBe('apply');
    expect(seen.has(15)).toBe(true);
    expect(followLibrary(seen, input([10, 15]))).toBe('none');
  });

  it('never replaces typing: unsaved, or saved over the other text already — the person is told, once', () => {
    expect(followLibrary(opened(), input([10, 15], { unsaved: true }))).toBe('notice');
    const seen = opened();
    seen.saved(16); // the autosave, after the pull's revision 15
    expect(followLibrary(seen, input([10, 15, 16], { libraryText: 'mine' }))).toBe('notice');
    expect(followLibrary(seen, input([10, 15, 16], { libraryText: 'mine' }))).toBe('none');
  });

  it('a service write the editor never heard of, under a newer text it took in (a status write, then the merge it showed), is no typing saved over', () => {
    const seen = opened();
    seen.add(16);
    seen.adopt(16); // the merge's text, taken into the editor after the person's Publish
    expect(followLibrary(seen, input([10, 15, 16], { libraryText: 'mine' }))).toBe('none');
  });

  it('a merge the service wrote after the autosave that went over a pulled text is shown when nothing is unsaved', () => {
    const seen = opened();
    seen.saved(16); // the autosave, over the pull's revision 15
    expect(followLibrary(seen, input([10, 15, 16, 17], { libraryText: 'merged' }))).toBe('apply');
    const typing = opened();
    typing.saved(16);
    expect(followLibrary(typing, input([10, 15, 16, 17], { libraryText: 'merged', unsaved: true }))).toBe('notice');
  });

  it('says nothing when the other text is what the editor shows', () => {
    expect(followLibrary(opened(), input([10, 15], { libraryText: 'same', editorText: 'same', unsaved: true }))).toBe('none');
  });
});

describe('the palette offers only what can be done now', () => {
  const s = (over: Partial<StorySync> = {}): StorySync => ({
    id: 's1',
    slug: 'a-story',
    remoteVersion: null,
    remoteStatus: null,
    syncedText: null,
    changes: [],
    rejected: null,
    conflict: null,
    merged: null,
    allowed: ['review', 'approved', 'published', 'withdrawn'],
    ...over,
  });
  const waiting = (state: 'queued' | 'paused') => ({
    id: 1,
    target: 'published' as const,
    state,
    attempts: 1,
    lastError: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  });
  it('leaves out the actions the role may not take, every action with no story open, and cancel while nothing waits', () => {
    expect([...storyCommandsHidden(s({ allowed: ['review'] }))].sort()).toEqual(['story.approve', 'story.cancel', 'story.publish', 'story.withdraw']);
    expect([...storyCommandsHidden(null)].sort()).toEqual(['story.approve', 'story.cancel', 'story.publish', 'story.submit', 'story.withdraw']);
    expect(storyCommandsHidden(s({ changes: [waiting('queued')] })).has('story.cancel')).toBe(false);
    expect(storyCommandsHidden(s({ changes: [waiting('paused')] })).has('story.cancel')).toBe(false);
  });
});
