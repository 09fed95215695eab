import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { lintKeymap } from '@codemirror/lint';
import { highlightSelectionMatches, search, searchKeymap } from '@codemirror/search';
import { EditorState, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, keymap } from '@codemirror/view';
import type { CatalogIndex } from '../../shared/index.js';
import { toggleBold, toggleItalic } from './emphasis.js';
import { storyMarkdown } from './front-matter.js';
import { acceptPendingReference, referenceCompletion } from './reference-complete.js';
import { referenceHighlight } from './reference-highlight.js';
import { isRemoteUpdate } from './remote-text.js';
import { catalogExtension, storyField } from './story-state.js';
import { storyLint } from './story-lint.js';
import { spelling, type SpellOptions } from './spell/index.js';
import { studioTheme } from './theme.js';
import { writingSurface, type WritingOptions } from './writing-mode.js';

export { applyFirstFix, storyDiagnostics } from './story-lint.js';
export { ScrollSync } from './scroll-sync.js';
export { storyField, catalogFacet, setEditorCatalog, storyOfText } from './story-state.js';
export { applyRemoteText } from './remote-text.js';
export { setBackendDiagnostics, BACKEND_PREFIX } from './backend-lint.js';
export { referenceCompletion } from './reference-complete.js';
export { addCitation, citationChange } from './citation.js';
export { applySpellingChoice, setSpelling, spellingAt, type SpellOptions, type SpellingAt } from './spell/index.js';
export { frontMatterHidden, setWritingOptions, showFrontMatter, type WritingOptions } from './writing-mode.js';

/**
 * Everything the story editor needs, for a catalog; `onChange` hears every document change, with
 * `remote` set when the change was a text from the library put in place (nothing to save).
 */
export function storyEditor(
  catalog: CatalogIndex,
  onChange: (text: string, remote: boolean) => void,
  options: WritingOptions = { lineNumbers: false, smartPunctuation: true, focusMode: false, typewriter: false },
  spell?: SpellOptions,
): Extension {
  return [
    catalogExtension(catalog),
    storyField,
    writingSurface(options),
    spell ? spelling(spell) : [],
    highlightActiveLine(),
    history(),
    drawSelection(),
    closeBrackets(),
    EditorView.lineWrapping,
    storyMarkdown(),
    referenceHighlight(),
    // No interaction delay: inside a reference Enter always means "take this", never a new line.
    autocompletion({ override: [referenceCompletion], activateOnTyping: true, icons: false, interactionDelay: 0 }),
    storyLint(),
    search({ top: true }),
    highlightSelectionMatches(),
    studioTheme,
    // Before the defaults: Mod-i would otherwise select the parent syntax node, and Enter straight
    // after the letters of a reference would be a new line while the completion catches up.
    keymap.of([
      { key: 'Enter', run: acceptPendingReference },
      { key: 'Mod-b', run: toggleBold, preventDefault: true },
      { key: 'Mod-i', run: toggleItalic, preventDefault: true },
    ]),
    keymap.of([...closeBracketsKeymap, ...completionKeymap, ...searchKeymap, ...historyKeymap, ...lintKeymap, indentWithTab, ...defaultKeymap]),
    EditorView.updateListener.of((u) => {
      if (u.docChanged) onChange(u.state.field(storyField).text, isRemoteUpdate(u.transactions));
    }),
    EditorState.tabSize.of(2),
    // A name for screen readers (the text box is the story's text).
    EditorView.contentAttributes.of({ 'aria-label': 'Story text' }),
    // Prose: no auto-closed quotes or apostrophes.
    EditorState.languageData.of(() => [{ closeBrackets: { brackets: ['(', '[', '{'] } }]),
  ];
}
