import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { CatalogIndex } from '../../shared/index.js';
import { frontMatterHidden, setEditorCatalog, setSpelling, setWritingOptions, storyEditor, type SpellOptions, type WritingOptions } from '../editor/index.js';
import { bodyStart } from '../editor/caret.js';
import { useLatest } from '../hooks/use-latest.js';
import { notesExtension } from '../notes/notes-extension.js';
import { lintAnswerCounts, type ProblemCounts } from '../editor/story-lint.js';

export interface EditorPaneProps {
  docKey: string | null;
  initialText: string;
  catalog: CatalogIndex;
  /** Line numbers (off in writing mode), smart punctuation. */
  writing: WritingOptions;
  /** Spelling: on or off, the person's words, where the dictionary comes from, "add to dictionary". */
  spell: SpellOptions;
  /** Kept mounted while review mode shows instead (so the editor, its undo history and scroll stay). */
  hidden?: boolean;
  /** Every change of the text; `remote` when it was the library's text put in place (already saved). */
  onChange(text: string, remote: boolean): void;
  onView(view: EditorView | null): void;
  onScroll(): void;
  /** The new editor, focused: the place to put the caret somewhere else (the title, a remembered place). */
  onReady?(view: EditorView): void;
  /** The selection or the scroll moved (to remember where the writer was). */
  onPlace?(view: EditorView): void;
  /** The problems the editor shows now, by severity (after every lint run). */
  onProblems?(counts: ProblemCounts): void;
  children?: React.ReactNode;
}

/** The CodeMirror editor; a new state per opened story (so undo history never crosses stories). */
export function EditorPane({
  docKey,
  initialText,
  catalog,
  writing,
  spell,
  hidden,
  onChange,
  onView,
  onScroll,
  onReady,
  onPlace,
  onProblems,
  children,
}: EditorPaneProps) {
  const host = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const changeRef = useLatest(onChange);
  const scrollRef = useLatest(onScroll);
  const readyRef = useLatest(onReady);
  const placeRef = useLatest(onPlace);
  const problemsRef = useLatest(onProblems);
  const catalogRef = useLatest(catalog);
  const spellRef = useLatest(spell);
  const writingRef = useLatest(writing);
  const textRef = useLatest(initialText);
  const viewCallbackRef = useRef(onView);
  viewCallbackRef.current = onView;

  useEffect(() => {
    if (!host.current || docKey === null) return;
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: textRef.current,
        extensions: [
          storyEditor(catalogRef.current, (t, remote) => changeRef.current(t, remote), writingRef.current, spellRef.current),
          notesExtension(),
          EditorView.updateListener.of((u) => {
            if (u.selectionSet) placeRef.current?.(u.view);
            // The counts change when the linter answers (a quarter second after typing stops), never
            // from the findings as an edit moved them: typing over a wrong reference drops its
            // finding, and the bar would say "ready" until the next answer found it wrong again.
            const found = lintAnswerCounts(u.transactions);
            if (found) problemsRef.current?.(found);
          }),
        ],
      }),
    });
    const scroller = () => {
      scrollRef.current();
      placeRef.current?.(view);
    };
    view.scrollDOM.addEventListener('scroll', scroller);
    viewRef.current = view;
    // The caret starts where the writing does, not in the folded front matter.
    if (frontMatterHidden(view.state)) view.dispatch({ selection: { anchor: bodyStart(view) } });
    viewCallbackRef.current(view);
    view.focus();
    readyRef.current?.(view);
    return () => {
      view.scrollDOM.removeEventListener('scroll', scroller);
      view.destroy();
      viewRef.current = null;
      viewCallbackRef.current(null);
    };
    // A new editor only when another story opens (the text and callbacks of the moment, by ref:
    // the refs never change, so naming them changes nothing).
  }, [docKey, catalogRef, changeRef, placeRef, problemsRef, readyRef, scrollRef, spellRef, textRef, writingRef]);

  const { lineNumbers, smartPunctuation, focusMode, typewriter } = writing;
  useEffect(() => {
    if (viewRef.current) setWritingOptions(viewRef.current, { lineNumbers, smartPunctuation, focusMode, typewriter });
  }, [lineNumbers, smartPunctuation, focusMode, typewriter]);
  useEffect(() => {
    if (viewRef.current) setSpelling(viewRef.current, spell);
  }, [spell]);

  // A new catalog (pulled from the backend) goes into the open editor: its text, cursor and undo stay.
  useEffect(() => {
    if (viewRef.current) setEditorCatalog(viewRef.current, catalog);
  }, [catalog]);

  return (
    <section className="pane editor" aria-label="Editor" hidden={hidden}>
      {children}
      {docKey === null ? <p className="empty">Select a story in the library, or create one.</p> : null}
      <div className="editor-host" ref={host} data-testid="editor" />
    </section>
  );
}
