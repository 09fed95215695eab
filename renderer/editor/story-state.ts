import { Facet, StateField } from '@codemirror/state';
import { EMPTY_CATALOG, indexCatalog, parseStory, readBodyFacts, type BodyFacts, type CatalogIndex, type Story } from '../../shared/index.js';

/** The catalog the editor checks references against. */
export const catalogFacet = Facet.define<CatalogIndex, CatalogIndex>({
  combine: (values) => values[values.length - 1] ?? indexCatalog(EMPTY_CATALOG),
});

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
