/** Between story files and the wire: the PUT body of a story file, and a story file of a backend story. */
import {
  createStory,
  deriveSlug,
  isValidSlug,
  parseStory,
  serializeStory,
  storyFields,
  updateMeta,
  STORY_STATUSES,
  type FrontMatter,
  type StoryStatus,
} from '../../../shared/index.js';
import type { PushStatus, RemoteStory } from '../../../shared/protocol/index.js';

export class StoryInputError extends Error {
  override name = 'StoryInputError';
}

/**
 * The revision text that goes into the outbox: the story with `status` set to the target and a slug
 * (derived from the title when absent). Throws StoryInputError when the text is not a story.
 */
export function prepareRevision(text: string, status: PushStatus): { slug: string; revision: string } {
  const story = parseStory(text);
  if (story.error) throw new StoryInputError(`not a story: ${story.error.message}`);
  const fields = storyFields(story);
  if (!fields.title) throw new StoryInputError('the story has no title');
  const slug = fields.slug ?? deriveSlug(fields.title);
  if (!isValidSlug(slug)) throw new StoryInputError(`the slug "${slug}" is not valid`);
  const patch: FrontMatter = { status };
  if (!fields.slug) patch.slug = slug;
  return { slug, revision: story.meta.status === status && fields.slug ? text : serializeStory(updateMeta(story, patch)) };
}

/**
 * The story with its status (and the backend's published date) written in, nothing else changed:
 * what the backend accepted, written back once it did. The text itself when it already says so.
 */
export function withStatus(text: string, status: StoryStatus, published?: string): string {
  const story = parseStory(text);
  if (story.error || story.format !== 'md') return text;
  const f = storyFields(story);
  if (f.status === status && (published === undefined || f.published === published)) return text;
  return serializeStory(updateMeta(story, published === undefined ? { status } : { status, published }));
}

/** The story with a slug in its front matter when it had none (the only change enqueuing makes to it). */
export function withSlug(text: string, slug: string): string {
  const story = parseStory(text);
  if (story.error || storyFields(story).slug) return text;
  return serializeStory(updateMeta(story, { slug }));
}

/** What counts as the story's content when telling whether it changed: everything but status and published. */
export function contentKey(text: string): string {
  const story = parseStory(text);
  const f = storyFields(story);
  return JSON.stringify([f.title ?? '', f.dek ?? '', f.beat ?? '', f.slug ?? '', story.body, f.citations]);
}

/**
 * The story file for a backend story. With a local text, its unknown front-matter keys, comments
 * and key order are kept and only the known fields and the body are replaced.
 */
export function remoteToText(slug: string, remote: RemoteStory, status: string, local?: string): string {
  // `withdrawn` is the backend's state, not a story status (story-format.md §1): the file keeps the
  // status it had (a new one is a draft) and the sync state records the withdrawal.
  if (!STORY_STATUSES.includes(status as StoryStatus)) {
    status = (local !== undefined ? storyFields(parseStory(local)).status : undefined) ?? 'draft';
  }
  const meta: FrontMatter = {
    title: remote.title ?? undefined,
    dek: remote.dek ?? undefined,
    beat: remote.beat ?? undefined,
    slug,
    published: remote.published ?? undefined,
    status,
    citations: remote.citations && remote.citations.length > 0 ? remote.citations : undefined,
  };
  if (local !== undefined) {
    const story = parseStory(local);
    if (!story.error && story.format === 'md') return serializeStory({ ...updateMeta(story, meta), body: remote.body });
  }
  const clean: FrontMatter = {};
  for (const [k, v] of Object.entries(meta)) if (v !== undefined) clean[k] = v;
  return serializeStory(createStory(clean, remote.body));
}
