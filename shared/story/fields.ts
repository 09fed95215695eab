import { STORY_STATUSES, type Citation, type FrontMatter, type Story, type StoryFields, type StoryStatus } from './types.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The known fields of a story's front matter, read leniently (wrong types are left out). */
export function storyFields(story: Pick<Story, 'meta'> | FrontMatter): StoryFields {
  const meta = ('meta' in story && typeof story.meta === 'object' && story.meta !== null ? story.meta : story) as FrontMatter;
  const status = meta.status;
  return {
    title: str(meta.title),
    dek: str(meta.dek),
    beat: str(meta.beat),
    slug: str(meta.slug),
    published: str(meta.published),
    status: STORY_STATUSES.includes(status as StoryStatus) ? (status as StoryStatus) : undefined,
    citations: readCitations(meta.citations),
  };
}

function readCitations(value: unknown): Citation[] {
  if (!Array.isArray(value)) return [];
  const out: Citation[] = [];
  for (const item of value) {
    if (typeof item !== 'object' || item === null) continue;
    const c = item as Record<string, unknown>;
    const n = typeof c.n === 'number' ? c.n : typeof c.n === 'string' && /^\d+$/.test(c.n) ? Number(c.n) : NaN;
    if (!Number.isInteger(n) || n < 1) continue;
    out.push({ n, url: typeof c.url === 'string' ? c.url : '', title: str(c.title), source: str(c.source) });
  }
  return out;
}
