import { Compartment, Facet, StateField, type Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import { EMPTY_CATALOG, indexCatalog, parseStory, readBodyFacts, type BodyFacts, type CatalogIndex, type Story } from '../../shared/index.js';

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
  story: Story;
  facts: BodyFacts;
}

/** `facts` is read on demand (a pass over the whole body): a keystroke pays only for the parse. */
function parse(text: string, catalog: CatalogIndex): ParsedStory {
  const story = parseStory(text, { catalog });
  let facts: BodyFacts | undefined;
  return {
    story,
    get facts() {
      return (facts ??= readBodyFacts(story));
    },
  };
}

export const storyField = StateField.define<ParsedStory>({
  create: (state) => parse(state.doc.toString(), state.facet(catalogFacet)),
  update: (value, tr) => (tr.docChanged || tr.startState.facet(catalogFacet) !== tr.state.facet(catalogFacet)
    ? parse(tr.state.doc.toString(), tr.state.facet(catalogFacet))
    : value),
});
