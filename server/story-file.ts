/**
 * The story file the server stores for a PUT, and its check against the catalog, made with the
 * story core (shared/). Pure: it runs on the event loop or in a story worker (story-checker.ts).
 */
import {
  hasErrors, lintStory, parseStory, readBodyFacts, serializeStory,
  type CatalogIndex, type Diagnostic, type FrontMatter, type Story,
} from '../shared/index.js';
import type { StoryRef } from './store/store.js';

/**
 * A new story file from the PUT's fields: its canonical text (what is stored and served) and the
 * parsed story (what is linted). It is what `createStory(meta, body)` does, keeping the text:
 * `serializeStory(createStory(...))` would write the front matter again and parse it once more just
 * to find it unchanged, about a sixth of a PUT's time in the story core.
 * test/server/story-file.test.ts checks that both give the same story and text.
 */
export function newStoryFile(meta: FrontMatter, body: string): { story: Story; text: string } {
  const text = serializeStory({
    format: 'md', meta, body, bodyStart: { offset: 0, line: 1, column: 0 }, head: '', frontMatter: null,
    frontMatterOffset: 0, spans: {}, notices: [],
  });
  return { story: parseStory(text), text };
}

export interface StoryCheckInput {
  /** The front matter: title, dek, beat, slug, status, published, citations. */
  meta: FrontMatter;
  body: string;
}

export interface StoryCheck {
  /** The canonical story file. */
  text: string;
  /** Every lint diagnostic against the catalog; any error refuses the story. */
  diagnostics: Diagnostic[];
  /** The catalog items the body refers to, each once (empty when refused). */
  refs: StoryRef[];
}

/** Everything a story PUT needs from the story core, in one call (one message to a worker). */
export function checkStory(input: StoryCheckInput, catalog: CatalogIndex): StoryCheck {
  const { story, text } = newStoryFile(input.meta, input.body);
  const diagnostics = lintStory(story, catalog);
  if (hasErrors(diagnostics)) return { text, diagnostics, refs: [] };
  const seen = new Set<string>();
  const refs: StoryRef[] = [];
  for (const ref of readBodyFacts(story).references) {
    const id = `${ref.kind}:${ref.slug}`;
    if (!seen.has(id)) {
      seen.add(id);
      refs.push({ kind: ref.kind, slug: ref.slug });
    }
  }
  return { text, diagnostics, refs };
}
