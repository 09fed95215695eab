import { forEachDiagnostic, linter, type Action, type Diagnostic } from '@codemirror/lint';
import { Compartment, Facet, type EditorState, type Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { SpellingChoice } from '../../../shared/api/spelling-menu.js';
import type { CatalogIndex } from '../../../shared/index.js';
import { catalogFacet } from '../story-state.js';
import { SpellChecker, type DictionaryLoader } from './checker.js';
import { spellWords, type SpellWord } from './words.js';

export { SpellChecker, editDistance, type DictionaryLoader } from './checker.js';
export { spellWords, type SpellWord } from './words.js';

export interface SpellOptions {
  enabled: boolean;
  /** Words the person added to the dictionary. */
  personal: readonly string[];
  load: DictionaryLoader;
  /** "Add to dictionary" was chosen for a word. */
  onAdd(word: string): void;
}

const spellOptions = Facet.define<SpellOptions, SpellOptions | null>({ combine: (v) => v[v.length - 1] ?? null });
const slot = new Compartment();
const ADD = 'Add to dictionary';
/** Misspelt words answered with suggestions per linter run, at most (the rest wait for the next). */
const MAX_WORDS = 20;

/** Every word of the catalog's names and aliases, once per catalog (a big catalog is read once). */
const catalogWordsOf = new WeakMap<CatalogIndex, string[]>();
function catalogWords(catalog: CatalogIndex): string[] {
  let words = catalogWordsOf.get(catalog);
  if (!words) {
    const set = new Set<string>();
    const add = (name: string) => {
      for (const m of name.matchAll(/\p{L}[\p{L}\p{M}'’]*/gu)) set.add(m[0].replace(/’/g, "'"));
    };
    for (const e of catalog.entities.values()) {
      add(e.name);
      for (const a of e.aliases ?? []) add(a);
    }
    for (const b of catalog.beats.values()) add(b.name);
    words = [...set];
    catalogWordsOf.set(catalog, words);
  }
  return words;
}

/** One checker for the page: the dictionary is loaded once, whichever story is open. */
let checker: SpellChecker | null = null;

/** The words in view and those around them: what a keystroke or a scroll may have changed. */
function wordsInView(view: EditorView): SpellWord[] {
  const out: SpellWord[] = [];
  for (const r of view.visibleRanges) spellWords(view.state, r.from, r.to, out);
  return out;
}

async function spellDiagnostics(view: EditorView): Promise<Diagnostic[]> {
  const o = view.state.facet(spellOptions);
  if (!o?.enabled) return [];
  checker ??= new SpellChecker(o.load);
  const c = checker;
  c.setWords([...catalogWords(view.state.facet(catalogFacet)), ...o.personal]);
  // The page's own cost of a check (words in view, cache lookups), as a measure a bench can read.
  const t0 = performance.now();
  const words = wordsInView(view);
  const asked = c.check(words.map((w) => w.word));
  performance.measure('studio:spell-view', { start: t0, end: performance.now() });
  await asked;
  const bad = words.filter((w) => c.isKnown(w.word) === false);
  const unique = [...new Set(bad.map((w) => w.word))].slice(0, MAX_WORDS);
  const suggestions = new Map(await Promise.all(unique.map(async (w) => [w, await c.suggest(w)] as const)));
  return bad
    .filter((w) => suggestions.has(w.word))
    .map((w): Diagnostic => ({
      from: w.from,
      to: w.to,
      severity: 'info',
      source: 'spelling',
      markClass: 'cm-misspelled',
      message: `Spelling: “${w.word}” is not in the dictionary or the catalog.`,
      actions: [
        ...suggestions.get(w.word)!.map((s) => ({
          name: s,
          apply(v: EditorView, from: number, to: number) {
            if (v.state.sliceDoc(from, to).replace(/’/g, "'") === w.word) v.dispatch({ changes: { from, to, insert: s }, userEvent: 'input.fix' });
          },
        })),
        { name: ADD, apply: () => o.onAdd(w.word) },
      ],
    }));
}

/**
 * Spelling as you write: the words in view (prose and reference labels) checked against
 * dictionary-en and the catalog's names, misspelt ones underlined with suggestions as quick fixes
 * (Ctrl+. takes the first) and "Add to dictionary". It runs a quarter second after typing stops
 * or the view moves, and the dictionary loads in a worker on first use, so typing never waits.
 */
export function spelling(options: SpellOptions): Extension {
  return [
    slot.of(spellOptions.of(options)),
    linter(spellDiagnostics, {
      delay: 250,
      needsRefresh: (u) => u.viewportChanged || u.startState.facet(spellOptions) !== u.state.facet(spellOptions),
    }),
  ];
}

/** New spelling options (on or off, a word added) for an open editor. */
export function setSpelling(view: EditorView, options: SpellOptions): void {
  view.dispatch({ effects: slot.reconfigure(spellOptions.of(options)) });
}

/** A misspelt word where it stands, with its suggestions and the quick fixes that apply them. */
export interface SpellingAt {
  from: number;
  to: number;
  word: string;
  suggestions: string[];
  actions: readonly Action[];
}

/** The misspelt word under a position, as spelling last found it (for a context menu), or null. */
export function spellingAt(state: EditorState, pos: number): SpellingAt | null {
  let found: SpellingAt | null = null;
  forEachDiagnostic(state, (d, from, to) => {
    if (found || d.source !== 'spelling' || pos < from || pos > to) return;
    const actions = d.actions ?? [];
    found = { from, to, word: state.sliceDoc(from, to).replace(/’/g, "'"), suggestions: actions.filter((a) => a.name !== ADD).map((a) => a.name), actions };
  });
  return found;
}

/**
 * Applies a choice made in the host's context menu through the word's own quick fix (which checks
 * that the word is still there); false when it no longer answers that word.
 */
export function applySpellingChoice(view: EditorView, at: SpellingAt, choice: SpellingChoice): boolean {
  if (choice.word !== at.word) return false;
  const action = at.actions.find((a) => a.name === ('add' in choice ? ADD : choice.replace));
  if (!action) return false;
  action.apply(view, at.from, at.to);
  // A word put right from a menu leaves the caret after it, where the writer goes on typing.
  if ('replace' in choice) {
    const end = at.from + choice.replace.length;
    if (view.state.sliceDoc(at.from, end) === choice.replace) view.dispatch({ selection: { anchor: end } });
  }
  return true;
}
