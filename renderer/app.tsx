import type { EditorView } from '@codemirror/view';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EMPTY_CATALOG, STORY_STATUSES, indexCatalog, parseStory, serializeStory, storyFields, updateMeta, type Catalog, type Story } from '../shared/index.js';
import type { RevisionSummary, Settings, StudioApi } from '../shared/api/contract.js';
import { getStudio } from './api.js';
import { EditorPane } from './components/editor-pane.js';
import { LibraryPane } from './components/library-pane.js';
import { PreviewPane } from './components/preview-pane.js';
import { Splitter } from './components/splitter.js';
import { ScrollSync } from './editor/index.js';

type SaveState = 'saved' | 'dirty' | 'saving' | 'error';

const WORDS_PER_MINUTE = 230;

function wordCount(story: Story | null): number {
  if (!story) return 0;
  return story.body.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** The one changed range between two texts (common prefix and suffix kept), so the cursor and scroll stay put. */
function minimalChange(a: string, b: string): { from: number; to: number; insert: string } {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { from: start, to: endA, insert: b.slice(start, endB) };
}

function applyTheme(theme: Settings['theme']) {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

/** Newsdesk Studio: library, editor and preview in three resizable panes. */
export function App() {
  const [api, setApi] = useState<StudioApi | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [catalog, setCatalog] = useState<Catalog>(EMPTY_CATALOG);
  const [settings, setSettingsState] = useState<Settings | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [initialText, setInitialText] = useState('');
  const [docKey, setDocKey] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [refreshKey, setRefreshKey] = useState(0);
  const [sizes, setSizes] = useState<number[]>([22, 42, 36]);
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);

  const viewRef = useRef<EditorView | null>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  const syncRef = useRef<ScrollSync | null>(null);
  const pending = useRef<{ id: string; text: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const onError = useCallback((m: string) => setError(m), []);

  useEffect(() => {
    let a: StudioApi;
    try {
      a = getStudio();
    } catch (e) {
      setFatal((e as Error).message);
      return;
    }
    setApi(a);
    Promise.all([a.getCatalog({}), a.getSettings({})]).then(([c, s]) => {
      setCatalog(c);
      setSettingsState(s);
      setSizes(s.paneSizes);
      applyTheme(s.theme);
    }, (e: Error) => setFatal(e.message));
  }, []);

  const catalogIndex = useMemo(() => indexCatalog(catalog), [catalog]);
  const story = useMemo(() => (docKey === null ? null : parseStory(text, { catalog: catalogIndex })), [text, docKey, catalogIndex]);
  const words = wordCount(story);

  const flush = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const p = pending.current;
    if (!p || !api) return;
    pending.current = null;
    setSaveState('saving');
    try {
      const r = await api.saveStory(p);
      setSaveState(pending.current ? 'dirty' : 'saved');
      if (r.changed) setRefreshKey((k) => k + 1);
    } catch (e) {
      setSaveState('error');
      setError((e as Error).message);
    }
  }, [api]);

  const onChange = useCallback((t: string) => {
    setText(t);
    if (!openId) return;
    pending.current = { id: openId, text: t };
    setSaveState('dirty');
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => void flush(), Math.min(1000, settings?.autosaveMs ?? 800));
  }, [openId, flush, settings]);

  const open = useCallback(async (id: string) => {
    if (!api) return;
    await flush();
    try {
      const rec = await api.getStory({ id });
      setOpenId(rec.id);
      setInitialText(rec.text);
      setText(rec.text);
      setDocKey(`${rec.id}:${rec.revision}:${Date.now()}`);
      setRevisions(null);
      setSaveState('saved');
    } catch (e) {
      setError((e as Error).message);
    }
  }, [api, flush]);

  useEffect(() => {
    const before = () => void flush();
    window.addEventListener('beforeunload', before);
    window.addEventListener('pagehide', before);
    return () => {
      window.removeEventListener('beforeunload', before);
      window.removeEventListener('pagehide', before);
    };
  }, [flush]);

  const onView = useCallback((view: EditorView | null) => {
    viewRef.current = view;
    syncRef.current = view && previewRef.current ? new ScrollSync(view, previewRef.current) : null;
  }, []);

  /** Rewrites front-matter fields through the shared core and puts the result in the editor. */
  function setField(key: string, value: string) {
    const view = viewRef.current;
    if (!view) return;
    const current = parseStory(view.state.doc.toString());
    const next = serializeStory(updateMeta(current, { [key]: value === '' ? undefined : value }));
    view.dispatch({ changes: minimalChange(view.state.doc.toString(), next), userEvent: 'input.meta' });
  }

  async function saveSettings(patch: Partial<Settings>) {
    if (!api) return;
    try {
      const s = await api.setSettings(patch);
      setSettingsState(s);
      applyTheme(s.theme);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function exportAs(format: 'md' | 'text' | 'html') {
    if (!api || !openId) return;
    await flush();
    try {
      const r = await api.exportStory({ id: openId, format });
      const url = URL.createObjectURL(new Blob([r.content], { type: format === 'html' ? 'text/html' : 'text/plain' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = r.fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function showHistory() {
    if (!api || !openId) return;
    if (revisions) return setRevisions(null);
    await flush();
    try {
      setRevisions(await api.listRevisions({ id: openId }));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function restore(revisionId: number) {
    if (!api || !openId) return;
    try {
      await api.restoreRevision({ revisionId });
      setRefreshKey((k) => k + 1);
      await open(openId);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  function drag(index: number, percent: number) {
    setSizes((s) => {
      const next = [...s];
      if (index === 0) {
        const left = Math.max(10, Math.min(percent, 100 - next[2]! - 15));
        next[1] = next[1]! + next[0]! - left;
        next[0] = left;
      } else {
        const edge = Math.max(next[0]! + 15, Math.min(percent, 90));
        next[1] = edge - next[0]!;
        next[2] = 100 - edge;
      }
      return next;
    });
  }

  if (fatal) return <div className="fatal" role="alert"><h1>Newsdesk Studio</h1><p>{fatal}</p></div>;
  if (!api || !settings) return <div className="loading">Loading…</div>;

  const f = story ? storyFields(story) : null;
  const theme = settings.theme;
  return (
    <div className="app" style={{ gridTemplateColumns: `${sizes[0]}fr 6px ${sizes[1]}fr 6px ${sizes[2]}fr` }}>
      <LibraryPane api={api} catalog={catalog} selectedId={openId} refreshKey={refreshKey} onOpen={(id) => void open(id)} onChanged={() => setRefreshKey((k) => k + 1)} onError={onError} />
      <Splitter label="Resize library" onDrag={(p) => drag(0, p)} onDone={() => void saveSettings({ paneSizes: sizes })} />
      <EditorPane docKey={docKey} initialText={initialText} catalog={catalogIndex} onChange={onChange} onView={onView} onScroll={() => syncRef.current?.onEditorScroll()}>
        {docKey !== null && f && (
          <div className="toolbar meta-form">
            <input aria-label="Title" className="title-input" value={f.title ?? ''} placeholder="Title" onChange={(e) => setField('title', e.target.value)} />
            <select aria-label="Status" value={f.status ?? 'draft'} onChange={(e) => setField('status', e.target.value)}>
              {STORY_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
            </select>
            <select aria-label="Beat" value={f.beat ?? ''} onChange={(e) => setField('beat', e.target.value)}>
              <option value="">No beat</option>
              {f.beat && !catalogIndex.beats.has(f.beat) && <option value={f.beat}>{f.beat} (unknown)</option>}
              {catalog.beats.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
            </select>
          </div>
        )}
        {docKey !== null && (
          <div className="toolbar status-bar">
            <span className={`save-state ${saveState}`} data-testid="save-state">{saveState === 'saved' ? 'Saved' : saveState === 'saving' ? 'Saving…' : saveState === 'dirty' ? 'Unsaved' : 'Not saved'}</span>
            <span data-testid="word-count">{words} words · {Math.max(1, Math.ceil(words / WORDS_PER_MINUTE))} min read</span>
            <span className="spacer" />
            <button type="button" onClick={() => void showHistory()}>History</button>
            <button type="button" onClick={() => void exportAs('md')}>.md</button>
            <button type="button" onClick={() => void exportAs('text')}>.txt</button>
            <button type="button" onClick={() => void exportAs('html')}>.html</button>
            <button type="button" title="Theme" onClick={() => void saveSettings({ theme: theme === 'system' ? 'dark' : theme === 'dark' ? 'light' : 'system' })}>Theme: {theme}</button>
          </div>
        )}
        {revisions && (
          <ul className="revisions" aria-label="Revisions">
            {revisions.map((r, i) => (
              <li key={r.id}>
                <span>{new Date(r.createdAt).toLocaleString()} — {r.title || 'Untitled'} ({r.size} chars)</span>
                {i > 0 && <button type="button" onClick={() => void restore(r.id)}>Restore</button>}
              </li>
            ))}
          </ul>
        )}
      </EditorPane>
      <Splitter label="Resize preview" onDrag={(p) => drag(1, p)} onDone={() => void saveSettings({ paneSizes: sizes })} />
      <PreviewPane ref={previewRef} story={story} catalog={catalogIndex} site={settings.site} onScroll={() => syncRef.current?.onPreviewScroll()} />
      {error && (
        <div className="toast" role="alert" onClick={() => setError(null)}>{error} <button type="button" className="link">Dismiss</button></div>
      )}
    </div>
  );
}
