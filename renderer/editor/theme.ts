import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

/** One editor theme for both colour schemes: every colour is a CSS variable of the page. */
export const studioTheme: Extension = [
  EditorView.theme({
    // Writing mode: a proportional face, a readable measure centred in the pane, room between lines.
    '&': { height: '100%', color: 'var(--fg)', backgroundColor: 'var(--bg-editor)', fontSize: '17px' },
    '.cm-scroller': { fontFamily: 'var(--font-writing)', lineHeight: '1.75' },
    '.cm-content': { caretColor: 'var(--accent)', width: '100%', maxWidth: '38em', margin: '0 auto', padding: '20px 24px 30vh' },
    '.cm-front-matter-fold button': {
      font: '12px var(--font-ui)',
      color: 'var(--muted)',
      background: 'var(--bg)',
      border: '1px dashed var(--border)',
      borderRadius: '5px',
      padding: '2px 10px',
      margin: '2px 0 6px',
    },
    '.cm-gutters': { backgroundColor: 'var(--bg-editor)', color: 'var(--muted)', border: 'none' },
    '.cm-activeLine': { backgroundColor: 'var(--active-line)' },
    '.cm-activeLineGutter': { backgroundColor: 'var(--active-line)' },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
    '.cm-ref': { color: 'var(--ref)', backgroundColor: 'var(--ref-bg)', borderRadius: '3px' },
    '.cm-ref-unresolved': { color: 'var(--danger)', backgroundColor: 'var(--danger-bg)' },
    '.cm-ref-malformed': { textDecoration: 'underline wavy var(--danger)' },
    // Spelling: the word processor's red wave, under the word only.
    '.cm-lintRange.cm-misspelled': {
      backgroundImage: 'none',
      textDecoration: 'underline wavy var(--danger)',
      textDecorationSkipInk: 'none',
      textUnderlineOffset: '3px',
    },
    '.cm-cite': { color: 'var(--cite)', fontWeight: '600' },
    '.cm-tooltip': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg)', border: '1px solid var(--border)' },
    '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--accent)', color: 'var(--accent-fg)' },
    '.cm-completionDetail': { opacity: '0.75', marginLeft: '1em', fontStyle: 'normal' },
    '.cm-panels': { backgroundColor: 'var(--bg-panel)', color: 'var(--fg)' },
  }),
  syntaxHighlighting(
    HighlightStyle.define([
      { tag: t.heading, fontWeight: '700', color: 'var(--heading)' },
      { tag: t.strong, fontWeight: '700' },
      { tag: t.emphasis, fontStyle: 'italic' },
      { tag: t.link, color: 'var(--link)' },
      { tag: t.url, color: 'var(--link)' },
      { tag: [t.monospace], fontFamily: 'var(--font-mono)', color: 'var(--code)' },
      { tag: [t.meta, t.processingInstruction, t.comment], color: 'var(--muted)' },
      { tag: t.quote, color: 'var(--muted)', fontStyle: 'italic' },
    ]),
  ),
];
