import { citationFieldSchema, frontMatterFieldSchemas } from './schema.js';
import type { Citation, FrontMatter, Story, StoryFields } from './types.js';

/** A known text field as read: a value the schema accepts and that is not blank. */
function text(schema: (typeof frontMatterFieldSchemas)['title' | 'dek' | 'beat' | 'slug' | 'published'], v: unknown): string | undefined {
  const r = schema.safeParse(v);
  return r.success && r.data.trim() !== '' ? r.data : undefined;
}

/** The known fields of a story's front matter, read leniently (values the schema refuses are left out). */
export function storyFields(story: Pick<Story, 'meta'> | FrontMatter): StoryFields {
  const meta = ('meta' in story && typeof story.meta === 'object' && story.meta !== null ? story.meta : story) as FrontMatter;
  const f = frontMatterFieldSchemas;
  const status = f.status.safeParse(meta.status);
  return {
    title: text(f.title, meta.title),
    dek: text(f.dek, meta.dek),
    beat: text(f.beat, meta.beat),
    slug: text(f.slug, meta.slug),
    published: typeof meta.published === 'string' && meta.published.trim() !== '' ? meta.published : undefined,
    status: status.success ? status.data : undefined,
    citations: readCitations(meta.citations),
  };
}

/** Every citation item the schema accepts, in order; the others are left out (and linted). */
function readCitations(value: unknown): Citation[] {
  if (!Array.isArray(value)) return [];
  const out: Citation[] = [];
  for (const item of value) {
    const c = citationFieldSchema.safeParse(item);
    if (!c.success) continue;
    const blank = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s : undefined);
    out.push({ n: c.data.n, url: c.data.url, title: blank(c.data.title), source: blank(c.data.source) });
  }
  return out;
}
