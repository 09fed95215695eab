// The renderer's side of the spelling context menu, headless: the word under a position with the
// suggestions spelling found, and a choice from the host's menu applied through the word's quick fix.
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { describe, expect, it } from 'vitest';
import { applySpellingChoice, spellingAt } from '../../renderer/editor/spell/index.js';

const doc = 'We met Karpaty’s team and the tem.';
const from = doc.indexOf('Karpaty');
const added: string[] = [];
/** A spelling finding as spellDiagnostics makes it: a fix per suggestion, then "Add to dictionary". */
const finding = (at: number, word: string, suggestions: string[]): Diagnostic => ({
  from: at,
  to: at + word.length,
  severity: 'info',
  source: 'spelling',
  message: `Spelling: “${word}”`,
  actions: [
    ...suggestions.map((s) => ({ name: s, apply: (v: EditorView, f: number, t: number) => v.dispatch({ changes: { from: f, to: t, insert: s } }) })),
    { name: 'Add to dictionary', apply: () => void added.push(word) },
  ],
});

/** Just enough of a view for a quick fix: its state, and dispatch. */
function headlessView(state: EditorState) {
  const view = { state, dispatch: (spec: Parameters<EditorState['update']>[0]) => void (view.state = view.state.update(spec).state) };
  return view as unknown as EditorView & { state: EditorState };
}

describe('spelling in the host’s context menu (headless)', () => {
  const base = EditorState.create({ doc });
  const state = base.update(
    setDiagnostics(base, [
      finding(from, 'Karpaty', ['Karpathy', 'Karate']),
      finding(doc.indexOf('tem.'), 'tem', ['team', 'ten']),
      { from: 0, to: 2, severity: 'warning', source: 'ref-label-mismatch', message: 'not spelling' },
    ]),
  ).state;

  it('finds the misspelt word under a position, with its suggestions, and nothing elsewhere', () => {
    expect(spellingAt(state, from + 3)).toMatchObject({ from, to: from + 7, word: 'Karpaty', suggestions: ['Karpathy', 'Karate'] });
    expect(spellingAt(state, doc.indexOf('tem.') + 3)?.word).toBe('tem');
    expect(spellingAt(state, 1)).toBeNull();
    expect(spellingAt(state, doc.indexOf('team'))).toBeNull();
  });

  it('applies the chosen suggestion or adds the word, and ignores a choice for another word', () => {
    const view = headlessView(state);
    const at = spellingAt(state, from)!;
    expect(applySpellingChoice(view, at, { word: 'tem', replace: 'team' })).toBe(false);
    expect(applySpellingChoice(view, at, { word: 'Karpaty', replace: 'Kar' })).toBe(false);
    expect(view.state.doc.toString()).toBe(doc);
    expect(applySpellingChoice(view, at, { word: 'Karpaty', replace: 'Karpathy' })).toBe(true);
    expect(view.state.doc.toString()).toBe('We met Karpathy’s team and the tem.');
    const tem = spellingAt(state, doc.indexOf('tem.'))!;
    expect(applySpellingChoice(view, tem, { word: 'tem', add: true })).toBe(true);
    expect(added).toEqual(['tem']);
  });
});
