import { Transaction } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { minimalChange } from './minimal-change.js';

/**
 * Puts a text that came from elsewhere (the library after the sync service changed the story: a
 * fast-forward from the backend, a new status, a resolved conflict) into the editor as one small
 * change, so the cursor and the scroll stay. It is marked as a remote change: the text is already
 * saved, so the autosave leaves it alone.
 */
export function applyRemoteText(view: EditorView, text: string): boolean {
  const before = view.state.doc.toString();
  if (before === text) return false;
  view.dispatch({ changes: minimalChange(before, text), annotations: Transaction.remote.of(true) });
  return true;
}

/** Whether an editor update came from `applyRemoteText` only (nothing the person typed). */
export function isRemoteUpdate(transactions: readonly Transaction[]): boolean {
  return transactions.every((tr) => !tr.docChanged || tr.annotation(Transaction.remote) === true);
}
