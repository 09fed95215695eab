import { openLintPanel } from '@codemirror/lint';
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import type { CommandId } from '../shared/api/commands.js';
import type { ImportReport, Settings } from '../shared/api/contract.js';
import type { OutboxTarget } from '../shared/protocol/index.js';
import { parseStory, storyFields, type FrontMatter } from '../shared/index.js';
import { hostKind } from './api.js';
import { isMac } from './commands/platform.js';
import { useCommandKeymap } from './commands/use-command-keymap.js';
import { CommandPalette } from './components/command-palette.js';
import { ConfirmDialog } from './components/confirm-dialog.js';
import { ConflictView } from './components/conflict-view.js';
import { EditorPane } from './components/editor-pane.js';
import { HistoryPanel } from './components/history-panel.js';
import { ImportDialog } from './components/import-dialog.js';
import { LibraryPane } from './components/library-pane.js';
import { MenuBar } from './components/menu-bar.js';
import { MetaForm } from './components/meta-form.js';
import { PreviewPane } from './components/preview-pane.js';
import { ReviewView } from './components/review-view.js';
import { SettingsDialog } from './components/settings/settings-dialog.js';
import { ShortcutsDialog } from './components/shortcuts-dialog.js';
import { Splitter } from './components/splitter.js';
import { StatusBar, countWords } from './components/status-bar.js';
import { StorySyncBar } from './components/story-sync-bar.js';
import { SyncIndicator } from './components/sync-indicator.js';
import { editMeta } from './editor/meta-edit.js';
import { usePaneLayout } from './hooks/use-pane-layout.js';
import { useScrollSync } from './hooks/use-scroll-sync.js';
import { useStoryActions } from './hooks/use-story-actions.js';
import { useStorySession } from './hooks/use-story-session.js';
import { useStudio } from './hooks/use-studio.js';
import { useFileDrop } from './import/use-file-drop.js';
import { useImporter } from './import/use-importer.js';
import { actionFor } from './sync/story-sync-text.js';
import { SyncContext } from './sync/sync-context.js';
import { useCatalogFollow } from './sync/use-catalog-follow.js';
import { useStorySync } from './sync/use-story-sync.js';
import { useSyncOverview } from './sync/use-sync-overview.js';

type Dialog = 'settings' | 'shortcuts' | 'palette' | 'import' | 'withdraw' | null;

const NEXT_THEME: Record<Settings['theme'], Settings['theme']> = { system: 'dark', dark: 'light', light: 'system' };
const IMPORT_ACCEPT = '.md,.txt,.markdown,text/markdown,text/plain';

/**
 * Newsdesk Studio: library, editor and preview (or review) in resizable, collapsible panes, with
 * the shared commands on keys, a menu bar (browser host) or the native menu (Electron), and dialogs.
 * State lives in hooks (hooks/); this file lays the parts out and maps commands to them.
 */
export function App() {
  const { api, fatal, catalog, catalogIndex, settings: settingsControl, reloadCatalog } = useStudio();
  const settings = settingsControl.settings;
  const [error, setError] = useState<string | null>(null);
  const onError = useCallback((m: string) => setError(m), []);
  const [refreshKey, refreshLibrary] = useReducer((n: number) => n + 1, 0);
  const session = useStorySession(api, settings?.autosaveMs ?? 800, onError, refreshLibrary);
  const actions = useStoryActions(api, session, onError, refreshLibrary);
  const layout = usePaneLayout(settingsControl);
  const scroll = useScrollSync();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [reviewing, setReviewing] = useState(false);
  const sync = useSyncOverview(api, onError);
  const storySync = useStorySync(api, session, scroll.view, sync, onError, refreshLibrary);
  useCatalogFollow(sync.overview?.catalogStamp, reloadCatalog, onError);
  const [resolving, setResolving] = useState(false);
  const [focusSearch, requestSearchFocus] = useReducer((n: number) => n + 1, 0);
  const fileInput = useRef<HTMLInputElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const mac = useMemo(isMac, []);
  const { openStory } = actions;

  const onImported = useCallback((reports: ImportReport[]) => {
    refreshLibrary();
    const first = reports.find((r) => r.ok && r.id);
    if (first?.id) void openStory(first.id);
  }, [openStory]);
  const importer = useImporter(api, onImported);
  const startImport = useCallback((files: File[]) => {
    setDialog('import');
    void importer.start(files);
  }, [importer.start]); // eslint-disable-line react-hooks/exhaustive-deps
  const dragging = useFileDrop(startImport);

  const story = useMemo(() => (session.docKey === null ? null : parseStory(session.text, { catalog: catalogIndex })), [session.text, session.docKey, catalogIndex]);
  // Once per text, not on every render (a pass over the body; the app renders several times a keystroke).
  const words = useMemo(() => (story ? countWords(story.body) : 0), [story]);

  // Review mode compares versions of the open story: it ends when no story is open.
  useEffect(() => {
    if (!session.openId) setReviewing(false);
  }, [session.openId]);

  // The conflict view lasts while the open story is in conflict (it may be settled elsewhere: the CLI).
  const conflict = storySync.state?.conflict ?? null;
  useEffect(() => {
    if (resolving && storySync.state && !conflict) setResolving(false);
  }, [resolving, storySync.state, conflict]);

  const openConflict = useCallback(async (id: string) => {
    if (id !== session.openId) await openStory(id);
    else await session.flush();
    setReviewing(false);
    setResolving(true);
  }, [session, openStory]);

  /** A story action from its button or its command: checked against the role, withdrawal confirmed. */
  const storyAction = useCallback((target: OutboxTarget) => {
    const a = actionFor(target);
    if (!session.openId) return onError(`Open a story to ${a.verb} it.`);
    const state = storySync.state;
    if (state && !state.allowed.includes(target)) {
      const role = sync.overview?.role;
      return onError(target === 'withdrawn' && (!role || role === 'publisher')
        ? 'This story is not on the backend: there is nothing to withdraw.'
        : `Your token's role (${role ?? 'unknown'}) may not ${a.verb}.`);
    }
    if (target === 'withdrawn') return setDialog('withdraw');
    void storySync.enqueue(target);
  }, [session.openId, storySync, sync.overview?.role, onError]);

  useEffect(() => {
    if (focusSearch) searchRef.current?.focus();
  }, [focusSearch]);

  const chooseFiles = useCallback(() => fileInput.current?.click(), []);

  const run = useCallback((id: CommandId) => {
    switch (id) {
      case 'story.new': return void actions.create();
      case 'story.import':
        // A file picker needs a user gesture: a key press has one, a native menu's message does not.
        if (navigator.userActivation?.isActive) chooseFiles();
        else {
          importer.dismiss();
          setDialog('import');
        }
        return;
      case 'story.export-md': return void actions.exportAs('md');
      case 'story.export-text': return void actions.exportAs('text');
      case 'story.export-html': return void actions.exportAs('html');
      case 'app.settings': return setDialog('settings');
      case 'library.search':
        if (!layout.isShown('library')) layout.toggle('library');
        return requestSearchFocus();
      case 'view.toggle-library': return layout.toggle('library');
      case 'view.toggle-preview': return layout.toggle('preview');
      case 'view.review':
        if (!session.openId) return onError('Open a story to review its revisions.');
        if (!reviewing) void session.flush();
        setResolving(false);
        return setReviewing(!reviewing);
      case 'view.history': return void actions.toggleHistory();
      case 'theme.light': return void settingsControl.update({ theme: 'light' });
      case 'theme.dark': return void settingsControl.update({ theme: 'dark' });
      case 'theme.system': return void settingsControl.update({ theme: 'system' });
      case 'sync.now': return void sync.syncNow();
      case 'story.submit': return storyAction('review');
      case 'story.approve': return storyAction('approved');
      case 'story.publish': return storyAction('published');
      case 'story.withdraw': return storyAction('withdrawn');
      case 'app.palette': return setDialog('palette');
      case 'app.shortcuts': return setDialog('shortcuts');
    }
  }, [actions, chooseFiles, importer, layout, session, reviewing, settingsControl, onError, sync, storyAction]);
  useCommandKeymap(api, run);

  const onPatch = useCallback((patch: FrontMatter) => {
    const view = scroll.view.current;
    if (view && !editMeta(view, patch)) onError('The front matter cannot be read: fix it in the text first.');
  }, [scroll.view, onError]);

  if (fatal) return <div className="fatal" role="alert"><h1>Newsdesk Studio</h1><p>{fatal}</p></div>;
  if (!api || !settings) return <div className="loading">Loading…</div>;

  const [libSize, editorSize, previewSize] = layout.sizes as [number, number, number];
  const showLibrary = layout.isShown('library');
  const showConflict = resolving && !!conflict && !!session.openId;
  const wide = reviewing || showConflict;
  const showPreview = layout.isShown('preview') && !wide;
  const columns = [
    ...(showLibrary ? [`${libSize}fr`, '6px'] : []),
    wide ? `${editorSize + previewSize}fr` : `${editorSize}fr`,
    ...(showPreview ? ['6px', `${previewSize}fr`] : []),
  ];

  return (
    <SyncContext.Provider value={sync}>
      <div className="app">
        {hostKind() === 'browser' && <MenuBar run={run} mac={mac} />}
        <main className="panes" style={{ gridTemplateColumns: columns.join(' ') }}>
          {showLibrary && (
            <>
              <LibraryPane
                api={api} catalog={catalog} selectedId={session.openId} refreshKey={refreshKey} searchRef={searchRef}
                onOpen={(id) => void openStory(id)} onCreate={(beat) => void actions.create(beat)} onImport={chooseFiles}
                onChanged={refreshLibrary} onError={onError}
              />
              <Splitter label="Resize library" value={libSize} onResize={(f) => layout.resize('library', 'editor', f)} onDone={layout.commit} />
            </>
          )}
          <EditorPane
            docKey={session.docKey} initialText={session.initialText} catalog={catalogIndex} hidden={wide}
            onChange={session.onChange} onView={scroll.onView} onScroll={scroll.onEditorScroll}
          >
            {story && <MetaForm story={story} catalog={catalog} catalogIndex={catalogIndex} onPatch={onPatch} />}
            {story && (
              <div className="toolbar editor-tools">
                <button type="button" aria-pressed={!!actions.revisions} onClick={() => void actions.toggleHistory()}>History</button>
                <span className="spacer" />
                <span className="muted">Export</span>
                <button type="button" title="Export as .md" onClick={() => void actions.exportAs('md')}>.md</button>
                <button type="button" title="Export as .txt" onClick={() => void actions.exportAs('text')}>.txt</button>
                <button type="button" title="Export as .html" onClick={() => void actions.exportAs('html')}>.html</button>
              </div>
            )}
            {story && (
              <StorySyncBar
                state={storySync.state} busy={storySync.busy} notice={storySync.notice}
                onAction={storyAction} onResolve={() => session.openId && void openConflict(session.openId)}
                onShowProblems={() => scroll.view.current && openLintPanel(scroll.view.current)} onDismissNotice={storySync.dismissNotice}
                onReview={() => !reviewing && run('view.review')}
              />
            )}
            {actions.revisions && <HistoryPanel revisions={actions.revisions} onRestore={(id) => void actions.restore(id)} onClose={actions.closeHistory} />}
          </EditorPane>
          {reviewing && session.openId && (
            <ReviewView api={api} storyId={session.openId} currentText={session.text} catalog={catalogIndex} site={settings.site} onClose={() => setReviewing(false)} onError={onError} />
          )}
          {showConflict && conflict && (
            <ConflictView
              key={`${session.openId}:${conflict.remoteVersion}`}
              conflict={conflict} mine={session.text} title={story ? (storyFields(story).title ?? 'Untitled story') : ''} busy={storySync.busy}
              onResolve={(text, status) => void storySync.resolve(text, status).then((ok) => ok && setResolving(false))}
              onClose={() => setResolving(false)}
            />
          )}
          {showPreview && (
            <>
              <Splitter label="Resize preview" value={editorSize} onResize={(f) => layout.resize('editor', 'preview', f)} onDone={layout.commit} />
              <PreviewPane ref={scroll.previewRef} story={story} catalog={catalogIndex} site={settings.site} onScroll={scroll.onPreviewScroll} />
            </>
          )}
        </main>
        <StatusBar
          saveState={session.docKey === null ? null : session.saveState}
          words={words}
          theme={settings.theme}
          libraryShown={showLibrary}
          previewShown={layout.isShown('preview')}
          reviewing={reviewing}
          canReview={!!session.openId}
          onToggleLibrary={() => run('view.toggle-library')}
          onTogglePreview={() => run('view.toggle-preview')}
          onToggleReview={() => run('view.review')}
          onCycleTheme={() => void settingsControl.update({ theme: NEXT_THEME[settingsControl.latest()?.theme ?? 'system'] })}
          syncStatus={(
            <SyncIndicator
              overview={sync.overview} networkUp={sync.networkUp} onSyncNow={() => void sync.syncNow()}
              onOpenSettings={() => setDialog('settings')} onOpenConflict={(id) => void openConflict(id)}
            />
          )}
        />
        <input ref={fileInput} type="file" multiple accept={IMPORT_ACCEPT} hidden data-testid="import-input" onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          startImport(files);
        }} />
        {dialog === 'import' && (
          <ImportDialog run={importer.run} onChoose={chooseFiles} onOpen={(id) => { setDialog(null); void openStory(id); }} onClose={() => { setDialog(null); importer.dismiss(); }} />
        )}
        {dialog === 'settings' && <SettingsDialog settings={settings} save={(patch) => settingsControl.update(patch, { optimistic: false })} onClose={() => setDialog(null)} />}
        {dialog === 'shortcuts' && <ShortcutsDialog mac={mac} onClose={() => setDialog(null)} />}
        {dialog === 'palette' && <CommandPalette mac={mac} run={run} onClose={() => setDialog(null)} />}
        {dialog === 'withdraw' && (
          <ConfirmDialog
            title="Withdraw this story?"
            message="It comes off the public site (its page answers 410 Gone). The story stays in your library, and you can publish it again later."
            confirmLabel="Withdraw" onConfirm={() => void storySync.enqueue('withdrawn')} onClose={() => setDialog(null)}
          />
        )}
        {dragging && <div className="drop-overlay" aria-hidden="true"><div>Drop files to import them</div></div>}
        {error && (
          <div className="toast" role="alert">{error} <button type="button" className="link" onClick={() => setError(null)}>Dismiss</button></div>
        )}
      </div>
    </SyncContext.Provider>
  );
}
