/**
 * The known front-matter fields of a story file (story-format.md), as one zod schema. The lenient
 * reading (`storyFields`), the `meta-invalid` lint rule and the protocol's wire schemas all derive
 * from these definitions, so a field's shape is written down once.
 */
import { z } from 'zod';
import { STORY_STATUSES } from '../protocol/rules.js';

/** An ISO 8601 date, optionally with a time and zone, that is a real date. */
export function isIsoDate(value: unknown): boolean {
  return (
    typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value))
  );
}

const notIsoDate = (issue: { input?: unknown }) => `published "${String(issue.input)}" is not an ISO 8601 date and time`;

const text = (key: string) => z.string({ error: `"${key}" must be text` });

/** A citation's fields as every side carries them (the wire adds its limits). */
export const citationFields = {
  n: z.number().int().min(1),
  url: z.string(),
  title: z.string().optional(),
  source: z.string().optional(),
};

/** One citation of the front matter; `n` may be written as digits in quotes, as YAML allows. */
export const citationFieldSchema = z.looseObject({
  ...citationFields,
  n: z.union([citationFields.n, z.string().regex(/^\d+$/).transform(Number).pipe(citationFields.n)]),
  url: citationFields.url.catch(''),
  title: citationFields.title.catch(undefined),
  source: citationFields.source.catch(undefined),
});

/** Each known field's schema, by key: what `meta-invalid` checks and `storyFields` reads. */
export const frontMatterFieldSchemas = {
  title: text('title'),
  dek: text('dek'),
  beat: text('beat'),
  slug: text('slug'),
  status: z.enum(STORY_STATUSES, { error: (i) => `status "${String(i.input)}" is not one of ${STORY_STATUSES.join(', ')}` }),
  published: z.string({ error: notIsoDate }).refine(isIsoDate, { error: notIsoDate }),
  citations: z.array(z.unknown(), { error: 'citations must be a list of { n, url, title, source }' }).superRefine((items, ctx) => {
    const seen = new Set<number>();
    items.forEach((item, i) => {
      const c = citationFieldSchema.safeParse(item);
      if (!c.success) ctx.addIssue({ code: 'custom', path: [i], message: `citation ${i + 1} needs a number n (1, 2, …)` });
      else if (seen.has(c.data.n)) ctx.addIssue({ code: 'custom', path: [i], message: `citation ${c.data.n} is listed twice` });
      else seen.add(c.data.n);
    });
  }),
} as const;

/** The front matter as a whole: known fields checked (null means left empty), other keys kept. */
export const frontMatterSchema = z.looseObject(
  Object.fromEntries(Object.entries(frontMatterFieldSchemas).map(([k, s]) => [k, s.nullish()])) as {
    [K in keyof typeof frontMatterFieldSchemas]: z.ZodOptional<z.ZodNullable<(typeof frontMatterFieldSchemas)[K]>>;
  },
);

/** Why a known field's value has the wrong shape: `path` is the key, or `citations.<i>`, and a sentence. */
export function frontMatterProblems(meta: Record<string, unknown>): { path: string; message: string }[] {
  const r = frontMatterSchema.safeParse(meta);
  if (r.success) return [];
  return r.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
