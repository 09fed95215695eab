/**
 * The story file the server stores for a PUT, and its check against the catalog, made with the
 * story core (shared/). Pure: it runs on the event loop or in a story worker (story-checker.ts).
 */
import { lintStory, readBodyFacts, type CatalogIndex, type Story } from '../shared/index.js';
import { capDiagnostics, type CappedDiagnostics, type StoryPutBody } from '../shared/protocol/index.js';
import { storyFromPut } from '../shared/protocol/wire-story.js';
import type { StoryRef } from './store/store.js';

/**
 * The story file of a PUT: `storyFromPut`, the very function the studio uses to place the backend's
 * diagnostics on the writer's file, and its canonical text. createStory parses the text it has just
 * written, and a story file read that way keeps its source as head + body: no second serialisation
 * (writing the front matter again and comparing it) is needed to have the text back.
 * test/server/story-file.test.ts checks that the text is serializeStory's.
 */
export function putStoryFile(slug: string, body: StoryPutBody, published: string | undefined): { story: Story; text: string } {
  const story = storyFromPut(slug, body, published);
  if (story.format !== 'md') throw new Error('a PUT story file was read back as a plain-text export');
  return { story, text: story.head + story.body };
}

export interface StoryCheckInput {
  slug: string;
  /** The PUT body, as validated. */
  body: StoryPutBody;
  /** The publication date the server settled on (the body's, or now for a first publication). */
  published: string | undefined;
}

export interface StoryCheck extends CappedDiagnostics {
  /** The canonical story file. */
  text: string;
  /** The catalog items the body refers to, each once (empty when refused). */
  refs: StoryRef[];
}

/**
 * Everything a story PUT needs from the story core, in one call (one message to a worker). The body
 * is parsed once: lintStory reads its facts, and the references come from those same facts.
 */
export function checkStory(input: StoryCheckInput, catalog: CatalogIndex): StoryCheck {
  const { story, text } = putStoryFile(input.slug, input.body, input.published);
  // Capped here, in the worker: a hostile story's 300,000 findings never cross to the event loop.
  const found = capDiagnostics(lintStory(story, catalog));
  if (found.errorCount > 0) return { text, ...found, refs: [] };
  const seen = new Set<string>();
  const refs: StoryRef[] = [];
  for (const ref of readBodyFacts(story).references) {
    const id = `${ref.kind}:${ref.slug}`;
    if (!seen.has(id)) {
      seen.add(id);
      refs.push({ kind: ref.kind, slug: ref.slug });
    }
  }
  return { text, ...found, refs };
}
