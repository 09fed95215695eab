/** Between story files and the wire: the one place where a story becomes a PUT body and back. */
import { createStory, parseStory, storyFields, type Story } from '../story/index.js';
import type { PushStatus, StoryPutBody } from './index.js';

/** The PUT body of a story file going to `status`. */
export function putBody(text: string, status: PushStatus): StoryPutBody {
  const story = parseStory(text);
  const f = storyFields(story);
  const body: StoryPutBody = {
    title: f.title ?? '',
    beat: f.beat ?? '',
    body: story.body,
    citations: f.citations.map((c) => ({ n: c.n, url: c.url, ...(c.title ? { title: c.title } : {}), ...(c.source ? { source: c.source } : {}) })),
    status,
  };
  if (f.dek) body.dek = f.dek;
  if (f.published) body.published = f.published;
  return body;
}

/**
 * The story file the backend builds from a PUT body (and lints, stores and renders). `published`
 * is the date the backend settled on (the body's, or now for a first publication).
 */
export function storyFromPut(slug: string, body: StoryPutBody, published: string | undefined = body.published): Story {
  return createStory(
    { title: body.title, dek: body.dek, beat: body.beat, slug, status: body.status, published, citations: body.citations },
    body.body,
  );
}
