import { lintGutter } from '@codemirror/lint';
import { Compartment, EditorSelection, EditorState, StateEffect, StateField, type Extension, type SelectionRange, type Transaction } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, highlightActiveLineGutter, lineNumbers, type DecorationSet } from '@codemirror/view';
import { focusExtensions, setFocusOptions, type FocusOptions } from './focus.js';
import { setSmartPunctuation, smartPunctuation } from './smart-punctuation.js';
import { storyField } from './story-state.js';

/**
 * The writing surface: no gutter by default (a setting brings line numbers and the problems gutter
 * back), and the YAML front matter folded away behind the form, shown on request.
 */

const gutterSlot = new Compartment();
const gutters = (on: boolean): Extension => (on ? [lineNumbers(), highlightActiveLineGutter(), lintGutter()] : []);

/** Shows or hides line numbers (and the problems gutter beside them) in an open editor. */
export function setLineNumbers(view: EditorView, on: boolean): void {
  view.dispatch({ effects: gutterSlot.reconfigure(gutters(on)) });
}

/** Shows (true) or folds away (false) the front matter. */
export const showFrontMatter = StateEffect.define<boolean>();

/** Where the front matter ends (0 without one): the head, up to and with the closing fence's line break. */
function headEnd(state: EditorState): number {
  const { story } = state.field(storyField);
  if (story.frontMatter === null) return 0;
  return Math.min(story.head.length, state.doc.length);
}

/** Where the writing starts: after the front matter and the blank lines that follow it. */
export function bodyOffset(state: EditorState): number {
  const { story } = state.field(storyField);
  const lead = /^(?:[ \t]*\n)*/.exec(story.body)?.[0].length ?? 0;
  return Math.min(Math.min(story.head.length, state.doc.length) + lead, state.doc.length);
}

class FrontMatterWidget extends WidgetType {
  override eq(): boolean {
    return true;
  }
  toDOM(view: EditorView): HTMLElement {
    const div = document.createElement('div');
    div.className = 'cm-front-matter-fold';
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Front matter · show YAML';
    button.title = 'Show the front matter as YAML (Ctrl+Alt+Y)';
    button.addEventListener('mousedown', (e) => e.preventDefault());
    button.addEventListener('click', () => view.dispatch({ effects: showFrontMatter.of(true) }));
    div.append(button);
    return div;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

interface Fold {
  /** Folded away (and then read-only to typing); never while it cannot be read, so it can be fixed. */
  hidden: boolean;
  /** Where typing may start while folded: the body's first line with text (or the end). */
  end: number;
  deco: DecorationSet;
}

function fold(state: EditorState, wanted: boolean): Fold {
  const end = headEnd(state);
  const broken = !!state.field(storyField).story.error;
  const hidden = wanted && end > 0 && !broken;
  // The closing fence's line break stays outside, so the body's first line is a line of its own.
  const to = state.sliceDoc(end - 1, end) === '\n' ? end - 1 : end;
  return {
    hidden,
    end: bodyOffset(state),
    deco: hidden ? Decoration.set([Decoration.replace({ widget: new FrontMatterWidget(), block: true }).range(0, to)]) : Decoration.none,
  };
}

const wantedField = StateField.define<boolean>({
  create: () => true,
  update: (v, tr) => tr.effects.reduce((w, e) => (e.is(showFrontMatter) ? !e.value : w), v),
});

export const frontMatterFold = StateField.define<Fold>({
  create: (state) => fold(state, state.field(wantedField)),
  update: (value, tr) =>
    tr.docChanged || tr.startState.field(wantedField) !== tr.state.field(wantedField) ? fold(tr.state, tr.state.field(wantedField)) : value,
  provide: (f) => [EditorView.decorations.from(f, (v) => v.deco), EditorView.atomicRanges.from(f, (v) => () => v.deco)],
});

/** Whether the front matter is folded away now. */
export function frontMatterHidden(state: EditorState): boolean {
  return state.field(frontMatterFold).hidden;
}

/** What typing does (the form, quick fixes, undo and texts from the library may still change the YAML). */
const TYPING = ['input.type', 'input.paste', 'input.drop', 'delete', 'move.drop'];
const typed = (tr: Transaction) => TYPING.some((e) => tr.isUserEvent(e));

/**
 * While folded, typing never lands in the front matter and the caret never stands inside it. A
 * selection of the whole story (select all) is the exception: replacing everything, a new front
 * matter included, is what it means.
 */
const keepOut = EditorState.transactionFilter.of((tr) => {
  const f = tr.startState.field(frontMatterFold, false);
  if (!f?.hidden) return tr;
  const len = tr.startState.doc.length;
  // (What replaces a whole-story selection may arrive as a smaller change: the browser's input is
  // diffed against the text, so the common start, "---\ntitle: ", is left out of it.)
  const wholeStory = tr.startState.selection.ranges.some((r) => r.from === 0 && r.to === len && len > 0);
  if (tr.docChanged && typed(tr) && !wholeStory) {
    let touches = false;
    tr.changes.iterChangedRanges((from) => {
      if (from < f.end) touches = true;
    });
    if (touches) return [];
  }
  if (!tr.selection) return tr;
  const end = tr.docChanged ? tr.changes.mapPos(f.end) : f.end;
  const newLen = tr.newDoc.length;
  const sel = tr.selection;
  const outside = (r: SelectionRange) => r.from >= end || (r.from === 0 && r.to === newLen && newLen > 0);
  if (sel.ranges.every(outside)) return tr;
  const ranges = sel.ranges.map((r) => (outside(r) ? r : EditorSelection.range(Math.max(end, r.anchor), Math.max(end, r.head))));
  return [tr, { selection: EditorSelection.create(ranges, sel.mainIndex), sequential: true }];
});

/**
 * On focus the browser puts no caret in the text when the folded front matter's widget comes first
 * (it only does at a text position), and the editor writes its own selection back 10 ms later: a key
 * typed in between went to the start of the text, into the fold, and was dropped. The editor's
 * selection is written to the page at once instead.
 */
const caretOnFocus = EditorView.domEventHandlers({
  focus: (_e, view) => {
    if (view.state.field(frontMatterFold, false)?.hidden) view.dispatch({ selection: view.state.selection });
    return false;
  },
});

export interface WritingOptions extends FocusOptions {
  lineNumbers: boolean;
  smartPunctuation: boolean;
}

export function writingSurface(options: WritingOptions): Extension {
  return [
    gutterSlot.of(gutters(options.lineNumbers)),
    smartPunctuation(options.smartPunctuation),
    focusExtensions(options),
    wantedField,
    frontMatterFold,
    keepOut,
    caretOnFocus,
  ];
}

/** New writing options for an open editor. */
export function setWritingOptions(view: EditorView, options: WritingOptions): void {
  setLineNumbers(view, options.lineNumbers);
  setSmartPunctuation(view, options.smartPunctuation);
  setFocusOptions(view, options);
}
