import type { EditorState, TransactionSpec } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { serializeStory, updateMeta } from '../../shared/index.js';
import { minimalChange } from './minimal-change.js';
import { storyField } from './story-state.js';

const isItem = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A citation added from the keyboard: the marker `[n]` at the caret and citation n (the next free
 * number, its URL still empty) at the end of the front matter's list, in one transaction, so that one
 * undo takes both away. The list is kept as written (items the schema does not read survive) and the
 * YAML goes through the shared `updateMeta` and `serializeStory`. Null while the front matter cannot
 * be read or the caret stands inside it (a marker belongs to the body).
 */
export function citationChange(state: EditorState): { n: number; spec: TransactionSpec } | null {
  const { story } = state.field(storyField);
  if (story.error) return null;
  const caret = state.selection.main.head;
  const before = state.doc.toString();
  const list: unknown[] = Array.isArray(story.meta.citations) ? story.meta.citations : [];
  const numbers = list.map((c) => (isItem(c) ? Number(c.n) : NaN)).filter((n) => Number.isInteger(n));
  const n = numbers.length ? Math.max(...numbers) + 1 : 1;
  const meta = minimalChange(before, serializeStory(updateMeta(story, { citations: [...list, { n, url: '' }] })));
  if (caret < meta.to || caret < story.head.length) return null;
  const changes = state.changes([meta, { from: caret, insert: `[${n}]` }]);
  return { n, spec: { changes, selection: { anchor: changes.mapPos(caret, 1) }, scrollIntoView: true, userEvent: 'input.cite' } };
}

/** Adds a citation at the caret (see `citationChange`); its number, or null when refused. */
export function addCitation(view: EditorView): number | null {
  const change = citationChange(view.state);
  if (!change) return null;
  view.dispatch(change.spec);
  return change.n;
}
