/**
 * The body of `PUT /api/v1/stories/:slug` with the backend's limits, defined once: the backend
 * validates requests with it, and the studio checks a story with it before queuing a push, so that
 * a story the backend would refuse becomes a diagnostic at once instead of a bare 400 later.
 */
import { z } from 'zod';
import { SLUG_MAX_LENGTH } from '../slug.js';
import { citationFields, frontMatterFieldSchemas as fields } from '../story/schema.js';
import { utf8Length } from './json.js';
import { PUSH_STATUSES } from './rules.js';

/** What one request may carry, in bytes of JSON (the backend answers 413 above it). */
export const PUT_REQUEST_MAX_BYTES = 2 * 1024 * 1024;

/** The backend's limits on a story's fields (characters, or items for `citations`). */
export const STORY_LIMITS = {
  title: 1_000,
  dek: 5_000,
  /** About 150,000 words: fifteen times the longest story a newsroom runs, and half a request. */
  body: 1_000_000,
  citations: 2_000,
  citationNumber: 100_000,
  citationUrl: 8_000,
  citationTitle: 2_000,
  citationSource: 2_000,
  published: 64,
} as const;

/** A citation on the wire: the front matter's fields, with the backend's limits. */
export const citationPutSchema = z.strictObject({
  n: citationFields.n.max(STORY_LIMITS.citationNumber),
  url: citationFields.url.max(STORY_LIMITS.citationUrl),
  title: z.string().max(STORY_LIMITS.citationTitle).optional(),
  source: z.string().max(STORY_LIMITS.citationSource).optional(),
});

/** The body of `PUT /api/v1/stories/:slug`. */
export const storyPutBodySchema = z.strictObject({
  title: fields.title.min(1).max(STORY_LIMITS.title),
  dek: fields.dek.max(STORY_LIMITS.dek).optional(),
  beat: fields.beat.min(1).max(SLUG_MAX_LENGTH),
  body: z.string().max(STORY_LIMITS.body),
  citations: z.array(citationPutSchema).max(STORY_LIMITS.citations),
  status: z.enum(PUSH_STATUSES),
  published: z.string().max(STORY_LIMITS.published).optional(),
});
export type StoryPutBody = z.infer<typeof storyPutBodySchema>;

/** Why a PUT body would be refused: the field at fault (`title`, `citations.3.url`) and a sentence. */
export interface PutBodyProblem {
  path: string;
  message: string;
}

/** Everything that makes a PUT body one the backend would refuse (400 or 413); empty when it fits. */
export function putBodyProblems(body: unknown): PutBodyProblem[] {
  const problems: PutBodyProblem[] = [];
  const r = storyPutBodySchema.safeParse(body);
  if (!r.success) for (const issue of r.error.issues.slice(0, 50)) problems.push(describeIssue(issue, body));
  else {
    const bytes = utf8Length(JSON.stringify(body));
    if (bytes > PUT_REQUEST_MAX_BYTES) {
      problems.push({
        path: 'body',
        message: `the story is ${formatCount(bytes)} bytes as sent; the backend takes at most ${formatCount(PUT_REQUEST_MAX_BYTES)}`,
      });
    }
  }
  return problems;
}

const FIELD_NAMES: Record<string, string> = {
  title: 'the title',
  dek: 'the dek',
  beat: 'the beat',
  body: 'the body',
  citations: 'the list of citations',
  published: 'the publication date',
};

/** One zod issue as a sentence a writer understands, naming the field and the limit. */
export function describeIssue(issue: z.core.$ZodIssue, input?: unknown): PutBodyProblem {
  const path = issue.path.map(String).join('.');
  const what = FIELD_NAMES[path] ?? (path ? `"${path}"` : 'the story');
  const value = valueAt(input, issue.path);
  if (issue.code === 'too_big') {
    const max = formatCount(Number(issue.maximum));
    if (Array.isArray(value)) return { path, message: `${what} has ${formatCount(value.length)} items; the backend takes at most ${max}` };
    if (typeof value === 'string') return { path, message: `${what} is ${formatCount(value.length)} characters long; the backend takes at most ${max}` };
    return { path, message: `${what} is ${String(value)}; the backend takes at most ${max}` };
  }
  if (issue.code === 'too_small' && typeof value === 'string') return { path, message: `${what} is empty; the backend needs one` };
  if (issue.code === 'unrecognized_keys')
    return { path, message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}${path ? ` in ${what}` : ''}` };
  if (issue.code === 'invalid_type' && value === undefined) return { path, message: `${what} is missing` };
  return { path, message: `${what}: ${issue.message}` };
}

/** The first problem of a zod error as one line, for a 400's `message`. */
export function describeZodError(error: z.ZodError, input?: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'the request does not fit the shape';
  const p = describeIssue(issue, input);
  return p.message;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
