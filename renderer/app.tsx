import { DEFAULT_SITE } from '../shared/site.js';
import { openLintPanel } from '@codemirror/lint';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { commandById, formatKey, type CommandId } from '../shared/api/commands.js';
import type { ImportReport, Settings } from '../shared/api/contract.js';
import type { OutboxTarget } from '../shared/protocol/index.js';
import { storyFields, type FrontMatter } from '../shared/index.js';
import { hostKind } from './api.js';
import { isMac } from './commands/platform.js';
import { useCommandKeymap } from './commands/use-command-keymap.js';
import { CommandPalette } from './components/command-palette.js';
import { ConfirmDialog } from './components/confirm-dialog.js';
import { ConflictView } from './components/conflict-view.js';
import { ContextMenu, type ContextMenuItem } from './components/context-menu.js';
import { EditorPane } from './components/editor-pane.js';
import { HistoryPanel } from './components/history-panel.js';
import { ImportDialog } from './components/import-dialog.js';
import { LibraryPane } from './components/library-pane.js';
import { MenuBar } from './components/menu-bar.js';
import { MetaForm } from './components/meta-form.js';
import { NotesPanel } from './components/notes-panel.js';
import { reviewNotes } from './components/review-notes.js';
import { PreviewPane } from './components/preview-pane.js';
import { ReviewView } from './components/review-view.js';
import { SettingsDialog } from './components/settings/settings-dialog.js';
import { ShortcutsDialog } from './components/shortcuts-dialog.js';
import { Splitter } from './components/splitter.js';
import { StatusBar, WordCounter, countWords } from './components/status-bar.js';
import { StorySyncBar } from './components/story-sync-bar.js';
import { SyncIndicator } from './components/sync-indicator.js';
import { closeHoverTooltips, type EditorView } from '@codemirror/view';
import { focusBody, placeOf, restorePlace } from './editor/caret.js';
import { TypeAhead } from './hooks/type-ahead.js';
import {
  addCitation,
  applySpellingChoice,
  frontMatterHidden,
  showFrontMatter,
  spellingAt,
  storyOfText,
  type SpellOptions,
  type SpellingAt,
} from './editor/index.js';
import { editMeta } from './editor/meta-edit.js';
import type { ProblemCounts } from './editor/story-lint.js';
import { useLatest } from './hooks/use-latest.js';
import { useMediaQuery } from './hooks/use-media-query.js';
import { usePaneLayout, type HideablePane } from './hooks/use-pane-layout.js';
import { useScrollSync } from './hooks/use-scroll-sync.js';
import { useStoryActions } from './hooks/use-story-actions.js';
import { useStorySession } from './hooks/use-story-session.js';
import { useStudio } from './hooks/use-studio.js';
import { useFileDrop } from './import/use-file-drop.js';
import { useImporter } from './import/use-importer.js';
import { adjacentNote, revealNote } from './notes/notes-extension.js';
import { useNotes } from './notes/use-notes.js';
import { actionFor, storyCommandsHidden } from './sync/story-sync-text.js';
import { SyncContext } from './sync/sync-context.js';
import { useCatalogFollow } from './sync/use-catalog-follow.js';
import { useStorySync } from './sync/use-story-sync.js';
import { useSyncOverview } from './sync/use-sync-overview.js';

type Dialog = 'settings' | 'shortcuts' | 'palette' | 'import' | 'withdraw' | null;

const NEXT_THEME: Record<Settings['theme'], Settings['theme']> = { system: 'dark', dark: 'light', light: 'system' };
const NARROW_QUERY = '(max-width: 1099px)';
const IMPORT_ACCEPT = '.md,.txt,.markdown,text/markdown,text/plain';

/**
 * Newsdesk Studio: library, editor and preview (or review) in resizable, collapsible panes, with
 * the shared commands on keys, a menu bar (browser host) or the native menu (Electron), and dialogs.
 * State lives in hooks (hooks/); this file lays the parts out and maps commands to them.
 */
export function App() {
  const { api, fatal, catalog, catalogIndex, settings: settingsControl, settingsProblems, reloadCatalog, lastStory } = useStudio();
  const settings = settingsControl.settings;
  const [error, setError] = useState<string | null>(null);
  // Stored settings the host had to reset are said once, where errors are said.
  useEffect(() => {
    if (settingsProblems.length) setError(settingsProblems.join(' '));
  }, [settingsProblems]);
  const onError = useCallback((m: string) => setError(m), []);
  const [refreshKey, refreshLibrary] = useReducer((n: number, _: void) => n + 1, 0);
  const session = useStorySession(api, settings?.autosaveMs ?? 800, onError, refreshLibrary);
  const actions = useStoryActions(api, session, onError, refreshLibrary);
  const layout = usePaneLayout(settingsControl);
  const scroll = useScrollSync();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [reviewing, setReviewing] = useState(false);
  const sync = useSyncOverview(api, onError);
  // Logged in, the preview links where the backend serves the published page (issue 11 #8).
  const site = sync.overview?.site ?? settings?.site ?? DEFAULT_SITE;
  const waitingList = sync.overview?.waiting;
  const waitingBySlug = useMemo(() => new Map((waitingList ?? []).map((w) => [w.slug, w.label])), [waitingList]);
  const storySync = useStorySync(api, session, scroll.view, sync, onError, refreshLibrary);
  useCatalogFollow(sync.overview?.catalogStamp, reloadCatalog, onError);
  const [resolving, setResolving] = useState(false);
  const [focusSearch, requestSearchFocus] = useReducer((n: number, _: void) => n + 1, 0);
  const fileInput = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const mac = useMemo(isMac, []);
  const [notice, setNotice] = useState<string | null>(null);
  const clearNotice = useCallback(() => setNotice(null), []);
  /** Where the caret goes when the next editor opens: the title field for a new story. */
  const focusNext = useRef<'title' | null>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const { openStory } = actions;

  const onImported = useCallback(
    (reports: ImportReport[]) => {
      refreshLibrary();
      const first = reports.find((r) => r.ok && r.id);
      if (first?.id) void openStory(first.id);
    },
    [openStory],
  );
  const importer = useImporter(api, onImported);
  const { start: startImporting } = importer;
  const startImport = useCallback(
    (files: File[]) => {
      setDialog('import');
      void startImporting(files);
    },
    [startImporting],
  );
  const dragging = useFileDrop(startImport);

  const story = useMemo(() => (session.docKey === null ? null : storyOfText(session.text, catalogIndex)), [session.text, session.docKey, catalogIndex]);
  // Once per text, not on every render (a pass over the body; the app renders several times a keystroke).
  // Counted again around the edit only (a 200,000-word story is counted in a fraction of a millisecond).
  const wordCounter = useRef(new WordCounter());
  const words = useMemo(() => (story ? wordCounter.current.count(story.body) : 0), [story]);

  // Review mode compares versions of the open story: it ends when no story is open.
  useEffect(() => {
    if (!session.openId) setReviewing(false);
  }, [session.openId]);

  // The conflict view lasts while the open story is in conflict (it may be settled elsewhere: the CLI).
  const conflict = storySync.state?.conflict ?? null;
  useEffect(() => {
    if (resolving && storySync.state && !conflict) setResolving(false);
  }, [resolving, storySync.state, conflict]);

  const openConflict = useCallback(
    async (id: string) => {
      if (id !== session.openId) await openStory(id);
      else await session.flush();
      setReviewing(false);
      setResolving(true);
    },
    [session, openStory],
  );

  /** A story action from its button or its command: checked against the role, withdrawal confirmed. */
  const storyAction = useCallback(
    (target: OutboxTarget) => {
      const a = actionFor(target);
      if (!session.openId) return onError(`Open a story to ${a.verb} it.`);
      const state = storySync.state;
      if (state && !state.allowed.includes(target)) {
        const role = sync.overview?.role;
        return onError(
          target === 'withdrawn' && (!role || role === 'publisher')
            ? 'This story is not on the backend: there is nothing to withdraw.'
            : `Your token's role (${role ?? 'unknown'}) may not ${a.verb}.`,
        );
      }
      if (target === 'withdrawn') return setDialog('withdraw');
      void storySync.enqueue(target);
    },
    [session.openId, storySync, sync.overview?.role, onError],
  );

  useEffect(() => {
    if (focusSearch) searchRef.current?.focus();
  }, [focusSearch]);

  // A dialog closed gives the keyboard back to what had it (Modal). When that is gone (an import
  // opened another story, whose editor replaced the one that had it), the keyboard goes to the
  // story rather than falling to the page.
  useEffect(() => {
    if (dialog === null && document.activeElement === document.body) scroll.view.current?.focus();
  }, [dialog, scroll.view]);

  const chooseFiles = useCallback(() => fileInput.current?.click(), []);

  /** Saves now (Ctrl+S) and says so: what the library holds, not what we hope it holds. */
  const saveNow = useCallback(async () => {
    if (!session.openId) return onError('Open a story to save it.');
    const ok = await session.flush();
    if (ok) setNotice(`Saved at ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`);
  }, [session, onError]);

  // Keys typed while the new story is on its way go to its title (and, after an Enter, its body).
  const typeAhead = useRef<TypeAhead | null>(null);
  const newStory = useCallback(
    (beat?: string) => {
      focusNext.current = 'title';
      (typeAhead.current ??= new TypeAhead()).start();
      void actions.create(beat);
    },
    [actions],
  );

  // A narrow window (under 1100 px) shows the editor and one side pane: the library or the preview,
  // whichever was asked for last; the other stays on in the settings and comes back when there is room.
  const narrow = useMediaQuery(NARROW_QUERY);
  const [narrowSide, setNarrowSide] = useState<HideablePane>('preview');
  const other = (p: HideablePane): HideablePane => (p === 'library' ? 'preview' : 'library');
  const shown = (p: HideablePane) => layout.isShown(p) && (!narrow || !layout.isShown(other(p)) || narrowSide === p);
  const togglePane = (p: HideablePane) => {
    if (narrow && layout.isShown(p) && !shown(p)) return setNarrowSide(p);
    if (!layout.isShown(p)) setNarrowSide(p);
    layout.toggle(p);
  };

  // Every command's handler, by id: a command added to the shared list without one does not compile.
  const [notesOpen, setNotesOpen] = useState(false);
  const [composing, setComposing] = useState(false);
  const editorView = useCallback(() => scroll.view.current, [scroll.view]);
  // Read again after every save (`refreshKey`) too: a note whose text was deleted is then detached.
  const notes = useNotes(api, session.openId, editorView, `${sync.overview?.lastSyncAt ?? ''}:${refreshKey}`, onError, session.flush);
  // The note F7 (or a click on its quote) showed last: the panel marks it as the editor does.
  const [currentNote, setCurrentNote] = useState<string | null>(null);
  // Bumped when Ctrl+Alt+Shift+M opens the panel: the keyboard then goes to its first note.
  const [panelFocus, setPanelFocus] = useState(0);
  const showNote = (v: EditorView, id: string) => {
    if (!revealNote(v, id)) return false;
    setCurrentNote(id);
    return true;
  };
  const stepNote = (direction: 1 | -1) => {
    const v = scroll.view.current;
    const id = v && adjacentNote(v, direction);
    if (!v || !id) return onError('This story has no notes in its text.');
    setNotesOpen(true);
    showNote(v, id);
  };
  const toggleNotes = () => {
    if (notesOpen) {
      setNotesOpen(false);
      setComposing(false);
      scroll.view.current?.focus();
    } else {
      setNotesOpen(true);
      setPanelFocus((n) => n + 1);
    }
  };
  const handlers: Record<CommandId, () => void> = {
    'story.new': () => newStory(),
    'story.cite': () => {
      const v = scroll.view.current;
      if (!v || !session.openId) return onError('Open a story to cite a source.');
      const n = addCitation(v);
      if (n === null) return onError('A citation goes in the body, and the front matter must be readable: fix it in the text first.');
      // The form (not shown in focus mode) opens on the new citation's URL; Enter there comes back here.
      if (!(settingsControl.latest()?.focusMode ?? false)) setCiteAsk({ n });
    },
    'story.save': () => void saveNow(),
    'story.import': () => {
      // A file picker needs a user gesture: a key press has one, a native menu's message does not.
      if (navigator.userActivation?.isActive) chooseFiles();
      else {
        importer.dismiss();
        setDialog('import');
      }
    },
    'story.export-md': () => void actions.exportAs('md'),
    'story.export-text': () => void actions.exportAs('text'),
    'story.export-html': () => void actions.exportAs('html'),
    'app.settings': () => setDialog('settings'),
    'library.search': () => {
      if (!shown('library')) togglePane('library');
      requestSearchFocus();
    },
    'view.toggle-library': () => togglePane('library'),
    'view.toggle-preview': () => togglePane('preview'),
    'view.review': () => {
      if (!session.openId) return onError('Open a story to review its revisions.');
      if (!reviewing) void session.flush();
      setResolving(false);
      setReviewing(!reviewing);
    },
    'view.history': () => void actions.toggleHistory(),
    'view.focus-mode': () => void settingsControl.update({ focusMode: !(settingsControl.latest()?.focusMode ?? false) }),
    'view.typewriter': () => void settingsControl.update({ typewriter: !(settingsControl.latest()?.typewriter ?? false) }),
    'view.front-matter': () => {
      const view = scroll.view.current;
      if (!view) return onError('Open a story to see its front matter.');
      view.dispatch({ effects: showFrontMatter.of(frontMatterHidden(view.state)) });
      view.focus();
    },
    'theme.light': () => void settingsControl.update({ theme: 'light' }),
    'theme.dark': () => void settingsControl.update({ theme: 'dark' }),
    'theme.system': () => void settingsControl.update({ theme: 'system' }),
    'sync.now': () => void sync.syncNow(),
    'story.submit': () => storyAction('review'),
    'story.approve': () => storyAction('approved'),
    'story.publish': () => storyAction('published'),
    'story.withdraw': () => storyAction('withdrawn'),
    'story.cancel': () => void storySync.cancel(),
    'notes.add': () => {
      setNotesOpen(true);
      setComposing(true);
    },
    'notes.next': () => stepNote(1),
    'notes.previous': () => stepNote(-1),
    'view.notes': toggleNotes,
    'app.palette': () => setDialog('palette'),
    'app.shortcuts': () => setDialog('shortcuts'),
  };
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const run = useCallback((id: CommandId) => handlersRef.current[id](), []);
  useCommandKeymap(api, run);

  // Right-click on selected story text offers "Add note…"; on a misspelt word (and no selection),
  // the studio's suggestions: in Electron in a native menu (the choice comes back through the
  // word's own quick fix), in the browser host in the page's own menu. The browser's menu elsewhere.
  const [menu, setMenu] = useState<{ x: number; y: number; label: string; items: ContextMenuItem[] } | null>(null);
  const notesRef = useRef(notes);
  notesRef.current = notes;
  const spellingTarget = useRef<SpellingAt | null>(null);
  useEffect(() => {
    // A spelling choice goes back to the word; "Add note…" to the note's form.
    const choose =
      (choice: () => void, refocus = true) =>
      () => {
        setMenu(null);
        choice();
        if (refocus) scroll.view.current?.focus();
      };
    const open = (e: MouseEvent) => {
      const v = scroll.view.current;
      if (!v || !(e.target instanceof Node) || !v.contentDOM.contains(e.target)) return;
      if (notesRef.current.selectionQuote()) {
        e.preventDefault();
        setMenu({ x: e.clientX, y: e.clientY, label: 'Selection', items: [{ label: 'Add note…', onSelect: choose(() => run('notes.add'), false) }] });
        return;
      }
      const pos = v.posAtCoords({ x: e.clientX, y: e.clientY });
      const at = pos === null ? null : spellingAt(v.state, pos);
      if (!at) return;
      e.preventDefault();
      // The word's hover card says the same as the menu and would lie over it.
      v.dispatch({ effects: closeHoverTooltips });
      if (api?.showSpellingMenu) {
        spellingTarget.current = at;
        void api.showSpellingMenu({ word: at.word, suggestions: at.suggestions }).catch((err: Error) => onError(err.message));
        return;
      }
      const items: ContextMenuItem[] = at.suggestions.map((s) => ({
        label: s,
        onSelect: choose(() => applySpellingChoice(v, at, { word: at.word, replace: s })),
      }));
      items.push({ label: 'Add to dictionary', onSelect: choose(() => applySpellingChoice(v, at, { word: at.word, add: true })) });
      setMenu({ x: e.clientX, y: e.clientY, label: `Spelling of “${at.word}”`, items });
    };
    document.addEventListener('contextmenu', open);
    return () => document.removeEventListener('contextmenu', open);
  }, [scroll.view, api, onError, run]);
  useEffect(
    () =>
      api?.onSpellingChoice?.((choice) => {
        const v = scroll.view.current;
        const at = spellingTarget.current;
        spellingTarget.current = null;
        if (v && at) applySpellingChoice(v, at, choice);
      }),
    [api, scroll.view],
  );

  // Where the writer was, remembered in the settings (a second after the caret or the view stops
  // moving, and when the page goes away) so that the next start reopens the story there.
  const placeTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const placeSave = useRef<(() => void) | null>(null);
  const [selectedWords, setSelectedWords] = useState(0);
  // The counts of the story's findings, and which opened story they are of: until its first lint
  // (250 ms after it opens) the bar says "checking…", not "ready" nor the last story's counts.
  const [problems, setProblems] = useState<{ docKey: string; counts: ProblemCounts } | null>(null);
  const docKeyNow = useLatest(session.docKey);
  const onProblems = useCallback(
    (p: ProblemCounts) => {
      const docKey = docKeyNow.current;
      if (docKey === null) return;
      setProblems((was) => (was?.docKey === docKey && was.counts.errors === p.errors && was.counts.warnings === p.warnings ? was : { docKey, counts: p }));
    },
    [docKeyNow],
  );
  const onPlace = useCallback(
    (view: EditorView) => {
      const sel = view.state.selection.main;
      setSelectedWords(sel.empty ? 0 : countWords(view.state.sliceDoc(sel.from, sel.to)));
      const id = session.openId;
      if (!api || !id) return;
      placeSave.current = () => {
        placeSave.current = null;
        void api.setSettings({ lastStory: { id, ...placeOf(view) } }).catch(() => undefined);
      };
      if (placeTimer.current) clearTimeout(placeTimer.current);
      placeTimer.current = setTimeout(() => placeSave.current?.(), 1000);
    },
    [api, session.openId],
  );
  useEffect(() => {
    const now = () => placeSave.current?.();
    window.addEventListener('pagehide', now);
    return () => window.removeEventListener('pagehide', now);
  }, []);

  // On start, the story that was open last, where the caret and the view were.
  const restoring = useRef<{ id: string; anchor: number; head: number; top: number } | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (!api || !settings || started.current) return;
    started.current = true;
    const last = settings.lastStory;
    if (!last) return;
    // Read as soon as the settings came (useStudio); a story deleted since is simply not reopened.
    void lastStory.then((record) => {
      if (!record || session.openId) return;
      restoring.current = last;
      void openStory(last.id, record);
    });
  }, [api, settings, openStory, session.openId, lastStory]);

  const onEditorReady = useCallback(
    (view: EditorView) => {
      const last = restoring.current;
      restoring.current = null;
      if (focusNext.current === 'title') {
        focusNext.current = null;
        const typed = typeAhead.current?.stop() ?? { first: '', entered: false, second: '' };
        const title = titleRef.current;
        if (title) {
          title.focus();
          title.select();
          // As typed into the field: an input event, so the title is patched and undo knows it.
          if (typed.first) document.execCommand('insertText', false, typed.first);
          if (!typed.entered) return;
        }
        focusBody(view);
        if (typed.second) view.dispatch(view.state.replaceSelection(typed.second));
        return;
      }
      if (last && last.id === session.openId) restorePlace(view, last);
    },
    [session.openId],
  );

  // Spelling's options, the same object while nothing in them changes (a new one re-checks the view).
  const spellOn = settings?.spelling ?? true;
  const personal = settings?.dictionary;
  const { latest: latestSettings, update: updateSettings } = settingsControl;
  const spell = useMemo(
    (): SpellOptions => ({
      enabled: spellOn,
      personal: personal ?? [],
      load: () => api!.getDictionary({}),
      onAdd: (word) => {
        const words = latestSettings()?.dictionary ?? [];
        if (!words.includes(word)) void updateSettings({ dictionary: [...words, word].sort() });
      },
    }),
    [api, spellOn, personal, latestSettings, updateSettings],
  );

  const onTitleDone = useCallback(() => {
    const view = scroll.view.current;
    if (view) focusBody(view);
  }, [scroll.view]);

  // The citation just added from the keyboard, whose URL the form asks for.
  const [citeAsk, setCiteAsk] = useState<{ n: number } | null>(null);
  const onCitationDone = useCallback(() => scroll.view.current?.focus(), [scroll.view]);

  const onPatch = useCallback(
    (patch: FrontMatter) => {
      const view = scroll.view.current;
      if (view && !editMeta(view, patch)) onError('The front matter cannot be read: fix it in the text first.');
    },
    [scroll.view, onError],
  );

  if (fatal)
    return (
      <div className="fatal" role="alert">
        <h1>Newsdesk Studio</h1>
        <p>{fatal}</p>
      </div>
    );
  if (!api || !settings) return <div className="loading">Loading…</div>;

  const [libSize, editorSize, previewSize] = layout.sizes as [number, number, number];
  // Focus mode: the editor alone (with its text), everything else hidden until it ends.
  const focusMode = (settings.focusMode ?? false) && session.docKey !== null;
  const showLibrary = shown('library') && !focusMode;
  const showConflict = resolving && !!conflict && !!session.openId;
  const wide = reviewing || showConflict;
  const showPreview = shown('preview') && !wide && !focusMode;
  const columns = [
    ...(showLibrary ? [`minmax(220px, ${libSize}fr)`, '6px'] : []),
    `minmax(320px, ${wide ? editorSize + previewSize : editorSize}fr)`,
    ...(showPreview ? ['6px', `${previewSize}fr`] : []),
  ];

  return (
    <SyncContext.Provider value={sync}>
      <div className={focusMode ? 'app focus-mode' : 'app'}>
        {hostKind() === 'browser' && !focusMode && <MenuBar run={run} mac={mac} />}
        {focusMode && (
          <button type="button" className="exit-focus" onClick={() => run('view.focus-mode')}>
            Exit focus mode ({formatKey(commandById('view.focus-mode').key!, mac)})
          </button>
        )}
        <main className="panes" style={{ gridTemplateColumns: columns.join(' ') }}>
          {showLibrary && (
            <>
              <LibraryPane
                api={api}
                catalog={catalog}
                selectedId={session.openId}
                refreshKey={refreshKey}
                searchRef={searchRef}
                onOpen={(id) => void openStory(id)}
                onCreate={newStory}
                onImport={chooseFiles}
                onChanged={refreshLibrary}
                onError={onError}
                waiting={waitingBySlug}
              />
              <Splitter label="Resize library" value={libSize} onResize={(f) => layout.resize('library', 'editor', f)} onDone={layout.commit} />
            </>
          )}
          <EditorPane
            docKey={session.docKey}
            initialText={session.initialText}
            catalog={catalogIndex}
            hidden={wide}
            writing={{
              lineNumbers: settings.lineNumbers ?? false,
              smartPunctuation: settings.smartPunctuation ?? true,
              focusMode,
              typewriter: settings.typewriter ?? false,
            }}
            spell={spell}
            onChange={session.onChange}
            onView={scroll.onView}
            onScroll={scroll.onEditorScroll}
            onReady={onEditorReady}
            onPlace={onPlace}
            onProblems={onProblems}
          >
            {story && !focusMode && (
              <MetaForm
                story={story}
                catalog={catalog}
                catalogIndex={catalogIndex}
                onPatch={onPatch}
                titleRef={titleRef}
                onTitleDone={onTitleDone}
                askCitation={citeAsk}
                onCitationDone={onCitationDone}
              />
            )}
            {story && !focusMode && (
              <div className="toolbar editor-tools">
                <button type="button" aria-pressed={!!actions.revisions} onClick={() => void actions.toggleHistory()}>
                  History
                </button>
                <button type="button" aria-pressed={notesOpen} onClick={() => setNotesOpen(!notesOpen)}>
                  Notes
                  {notes.notes.some((n) => !n.replyTo && n.state === 'open')
                    ? ` (${notes.notes.filter((n) => !n.replyTo && n.state === 'open').length} open)`
                    : ''}
                </button>
                <span className="spacer" />
                <span className="muted">Export</span>
                <button type="button" title="Export as .md" onClick={() => void actions.exportAs('md')}>
                  .md
                </button>
                <button type="button" title="Export as .txt" onClick={() => void actions.exportAs('text')}>
                  .txt
                </button>
                <button type="button" title="Export as .html" onClick={() => void actions.exportAs('html')}>
                  .html
                </button>
              </div>
            )}
            {story && !focusMode && (
              <StorySyncBar
                state={storySync.state}
                busy={storySync.busy}
                notice={storySync.notice}
                checked={storySync.checked}
                onSendAnyway={() => void storySync.sendAnyway()}
                onDismissCheck={storySync.dismissCheck}
                onCancel={() => void storySync.cancel()}
                onAction={storyAction}
                onResolve={() => session.openId && void openConflict(session.openId)}
                onShowProblems={() => scroll.view.current && openLintPanel(scroll.view.current)}
                onDismissNotice={storySync.dismissNotice}
                onReview={() => !reviewing && run('view.review')}
              />
            )}
            {story && notesOpen && (
              <NotesPanel
                control={notes}
                composing={composing}
                onCompose={setComposing}
                onComposed={(sent) => {
                  // Back to the story: after a sent note with the caret just after its text, so what is
                  // typed next goes on after it (the selection kept would be replaced by it).
                  const v = scroll.view.current;
                  if (!v) return;
                  if (sent) v.dispatch({ selection: { anchor: v.state.selection.main.to } });
                  v.focus();
                }}
                current={currentNote}
                takeFocus={panelFocus}
                onClose={() => {
                  setNotesOpen(false);
                  setComposing(false);
                  scroll.view.current?.focus();
                }}
                onEscape={() => scroll.view.current?.focus()}
                onReveal={(id) => {
                  const v = scroll.view.current;
                  if (v && showNote(v, id)) v.focus();
                }}
              />
            )}
            {actions.revisions && <HistoryPanel revisions={actions.revisions} onRestore={(id) => void actions.restore(id)} onClose={actions.closeHistory} />}
          </EditorPane>
          {reviewing && session.openId && (
            <ReviewView
              api={api}
              storyId={session.openId}
              currentText={session.text}
              catalog={catalogIndex}
              site={settings.site}
              sync={storySync.state}
              startWith={storySync.noticeIsMerge ? 'merge' : null}
              onClose={() => setReviewing(false)}
              onError={onError}
              notesFor={notes.notes.length ? reviewNotes(notes, session.text) : undefined}
            />
          )}
          {showConflict && conflict && (
            <ConflictView
              key={`${session.openId}:${conflict.remoteVersion}`}
              conflict={conflict}
              mine={session.text}
              title={story ? (storyFields(story).title ?? 'Untitled story') : ''}
              busy={storySync.busy}
              onResolve={(text, status) => void storySync.resolve(text, status).then((ok) => ok && setResolving(false))}
              onClose={() => setResolving(false)}
            />
          )}
          {showPreview && (
            <>
              <Splitter label="Resize preview" value={editorSize} onResize={(f) => layout.resize('editor', 'preview', f)} onDone={layout.commit} />
              <PreviewPane ref={scroll.previewRef} story={story} catalog={catalogIndex} site={site} onScroll={scroll.onPreviewScroll} />
            </>
          )}
        </main>
        {menu && (
          <ContextMenu
            {...menu}
            onClose={(refocus) => {
              setMenu(null);
              if (refocus) scroll.view.current?.focus();
            }}
          />
        )}
        <StatusBar
          hidden={focusMode}
          selectedWords={selectedWords}
          wordGoal={settings.wordGoal}
          problems={session.docKey === null ? null : problems?.docKey === session.docKey ? problems.counts : 'checking'}
          onShowProblems={() => scroll.view.current && openLintPanel(scroll.view.current)}
          saveState={session.docKey === null ? null : session.saveState}
          words={words}
          notice={notice}
          onNoticeDone={clearNotice}
          theme={settings.theme}
          libraryShown={showLibrary}
          previewShown={shown('preview')}
          reviewing={reviewing}
          canReview={!!session.openId}
          onToggleLibrary={() => run('view.toggle-library')}
          onTogglePreview={() => run('view.toggle-preview')}
          onToggleReview={() => run('view.review')}
          onCycleTheme={() => void settingsControl.update({ theme: NEXT_THEME[settingsControl.latest()?.theme ?? 'system'] })}
          syncStatus={
            <SyncIndicator
              overview={sync.overview}
              networkUp={sync.networkUp}
              onSyncNow={() => void sync.syncNow()}
              onOpenSettings={() => setDialog('settings')}
              onOpenConflict={(id) => void openConflict(id)}
            />
          }
        />
        <input
          ref={fileInput}
          type="file"
          multiple
          accept={IMPORT_ACCEPT}
          hidden
          data-testid="import-input"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            startImport(files);
          }}
        />
        {dialog === 'import' && (
          <ImportDialog
            run={importer.run}
            onChoose={chooseFiles}
            onOpen={(id) => {
              setDialog(null);
              void openStory(id);
            }}
            onClose={() => {
              setDialog(null);
              importer.dismiss();
            }}
          />
        )}
        {dialog === 'settings' && (
          <SettingsDialog
            settings={settings}
            backendSite={sync.overview?.site}
            save={(patch) => settingsControl.update(patch, { optimistic: false })}
            onClose={() => setDialog(null)}
          />
        )}
        {dialog === 'shortcuts' && <ShortcutsDialog mac={mac} onClose={() => setDialog(null)} />}
        {dialog === 'palette' && <CommandPalette mac={mac} run={run} hidden={storyCommandsHidden(storySync.state)} onClose={() => setDialog(null)} />}
        {dialog === 'withdraw' && (
          <ConfirmDialog
            title="Withdraw this story?"
            message="It comes off the public site (its page answers 410 Gone). The story stays in your library, and you can publish it again later."
            confirmLabel="Withdraw"
            onConfirm={() => void storySync.enqueue('withdrawn')}
            onClose={() => setDialog(null)}
          />
        )}
        {dragging && (
          <div className="drop-overlay" aria-hidden="true">
            <div>Drop files to import them</div>
          </div>
        )}
        {error && (
          <div className="toast" role="alert">
            {error}{' '}
            <button type="button" className="link" onClick={() => setError(null)}>
              Dismiss
            </button>
          </div>
        )}
      </div>
    </SyncContext.Provider>
  );
}
