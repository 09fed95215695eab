import type { EditorView } from '@codemirror/view';
import { serializeStory, updateMeta, type FrontMatter } from '../../shared/index.js';
import { minimalChange } from './minimal-change.js';
import { storyField } from './story-state.js';

/**
 * Changes front-matter fields of the story in the editor: through the shared `updateMeta` and
 * `serializeStory` (which rewrite only the changed keys, never hand-written YAML), dispatched as
 * the smallest change so the cursor stays. `undefined` removes a key. Refused (false) while the
 * front matter cannot be read, since the shared writer then keeps the typed text as it is.
 */
export function editMeta(view: EditorView, patch: FrontMatter): boolean {
  const { story } = view.state.field(storyField);
  if (story.error) return false;
  const before = view.state.doc.toString();
  const after = serializeStory(updateMeta(story, patch));
  if (after !== before) view.dispatch({ changes: minimalChange(before, after), userEvent: 'input.meta' });
  return true;
}
