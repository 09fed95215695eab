import { Compartment, Facet, StateField, type Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import {
  EMPTY_CATALOG,
  IncrementalLint,
  indexCatalog,
  parseStory,
  type BodyFacts,
  type CatalogIndex,
  type Diagnostic,
  type Story,
} from '../../shared/index.js';

/** The catalog the editor checks references against. */
export const catalogFacet = Facet.define<CatalogIndex, CatalogIndex>({
  combine: (values) => values[values.length - 1] ?? indexCatalog(EMPTY_CATALOG),
});

/**
 * Where the catalog sits in an editor's configuration: a catalog pulled from the backend replaces
 * it in place, so completion, highlighting and lint follow without a new editor (which would lose
 * the undo history, the cursor and any unsaved text).
 */
const catalogSlot = new Compartment();

export function catalogExtension(catalog: CatalogIndex): Extension {
  return catalogSlot.of(catalogFacet.of(catalog));
}

/** Gives an open editor another catalog. */
export function setEditorCatalog(view: EditorView, catalog: CatalogIndex): void {
  if (view.state.facet(catalogFacet) !== catalog) view.dispatch({ effects: catalogSlot.reconfigure(catalogFacet.of(catalog)) });
}

/** The document read as a story (through the shared core), kept up to date on every change. */
export interface ParsedStory {
  /** The document's text (read once per change: on a long story `toString` is milliseconds). */
  text: string;
  story: Story;
  facts: BodyFacts;
  /** The facts of the blocks holding file offsets `from`..`to` (what is on screen), and perhaps a few more. */
  factsBetween(from: number, to: number): BodyFacts;
  /** `lintStory(story, catalog)`, by the same incremental linter (a keystroke lints one block again). */
  lint(catalog: CatalogIndex): Diagnostic[];
}

/**
 * The body's facts, read block by block: a keystroke reads again the paragraph it changed (issue
 * 13). One for the editors, which are one at a time; another document is only a larger edit.
 */
const incremental = new IncrementalLint();

/** `facts` is read on demand: a keystroke pays only for the parse. */
function parse(text: string, catalog: CatalogIndex, sameHead?: Story): ParsedStory {
  const story = sameHead ? { ...sameHead, body: text.slice(sameHead.bodyStart.offset) } : parseStory(text, { catalog });
  last = { text, catalog, story };
  let facts: BodyFacts | undefined;
  return {
    text,
    story,
    get facts() {
      return (facts ??= incremental.facts(story));
    },
    factsBetween: (from, to) => incremental.factsBetween(story, from, to),
    lint: (catalog) => incremental.lint(story, catalog),
  };
}

let last: { text: string; catalog: CatalogIndex; story: Story } | null = null;

/**
 * `parseStory(text, { catalog })`, the editor's own story when `text` is the text the editor last
 * read (the app reads the story of the text it is handed, which is that one: parsed once a keystroke).
 */
export function storyOfText(text: string, catalog: CatalogIndex): Story {
  return last && last.text === text && last.catalog === catalog ? last.story : parseStory(text, { catalog });
}

export const storyField = StateField.define<ParsedStory>({
  create: (state) => parse(state.doc.toString(), state.facet(catalogFacet)),
  update: (value, tr) => {
    const catalog = tr.state.facet(catalogFacet);
    if (!tr.docChanged && tr.startState.facet(catalogFacet) === catalog) return value;
    // An edit of the body alone (past the closed front matter) leaves the head as it was read: the
    // story is the same but for its body, and the YAML is not read again a keystroke.
    const prev = value.story;
    const bodyOnly =
      tr.startState.facet(catalogFacet) === catalog &&
      prev.format === 'md' &&
      !prev.error &&
      prev.bodyStart.offset > 0 &&
      !tr.changes.touchesRange(0, prev.bodyStart.offset);
    const next = parse(tr.state.doc.toString(), catalog, bodyOnly ? prev : undefined);
    if (bodyOnly) {
      // The transaction says what it left alone: the linter need not compare two 1 MB bodies.
      let first = Infinity;
      let last = 0;
      tr.changes.iterChangedRanges((fromA, toA) => {
        first = Math.min(first, fromA);
        last = Math.max(last, toA);
      });
      const offset = prev.bodyStart.offset;
      incremental.edited(prev.body, next.story.body, { prefix: first - offset, suffix: tr.startState.doc.length - last });
    }
    return next;
  },
});
