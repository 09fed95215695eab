import { EditorSelection, type EditorState } from '@codemirror/state';
import type { Command } from '@codemirror/view';

/** Whether the text around a range is exactly `mark` (a `*` of `**bold**` is not an italic mark). */
function markedAround(state: EditorState, from: number, to: number, mark: string): boolean {
  const n = mark.length;
  if (state.sliceDoc(from - n, from) !== mark || state.sliceDoc(to, to + n) !== mark) return false;
  if (mark !== '*') return true;
  // `**x**` around x is bold, not italic; `***x***` is both.
  const outer = state.sliceDoc(from - 3, from - 1) === '**' && state.sliceDoc(to + 1, to + 3) === '**';
  return outer || (state.sliceDoc(from - 2, from - 1) !== '*' && state.sliceDoc(to + 1, to + 2) !== '*');
}

/**
 * Toggles Markdown emphasis on each selection: wraps it in `mark` (an empty one gets the pair with
 * the caret between), or takes the marks away when they are already there, inside or around it.
 */
export function toggleMark(mark: string): Command {
  return (view) => {
    const { state } = view;
    const n = mark.length;
    const tr = state.changeByRange((range) => {
      const text = state.sliceDoc(range.from, range.to);
      if (!range.empty && text.length >= 2 * n && text.startsWith(mark) && text.endsWith(mark)) {
        return {
          changes: [
            { from: range.from, to: range.from + n },
            { from: range.to - n, to: range.to },
          ],
          range: EditorSelection.range(range.from, range.to - 2 * n),
        };
      }
      if (markedAround(state, range.from, range.to, mark)) {
        return {
          changes: [
            { from: range.from - n, to: range.from },
            { from: range.to, to: range.to + n },
          ],
          range: EditorSelection.range(range.from - n, range.to - n),
        };
      }
      return {
        changes: [
          { from: range.from, insert: mark },
          { from: range.to, insert: mark },
        ],
        range: EditorSelection.range(range.from + n, range.to + n),
      };
    });
    view.dispatch(state.update(tr, { scrollIntoView: true, userEvent: 'input.format' }));
    return true;
  };
}

export const toggleBold = toggleMark('**');
export const toggleItalic = toggleMark('*');
