/** The story file the server stores for a PUT, made with the story core (shared/). */
import { parseStory, serializeStory, type FrontMatter, type Story } from '../shared/index.js';

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
