/** The request shapes of the publishing protocol (publishing-protocol.md), as zod schemas; types derive from them. */
import { z } from 'zod';
import { entitySchema, SLUG_MAX_LENGTH, SLUG_PATTERN } from '../shared/index.js';

export const PUSH_STATUSES = ['review', 'approved', 'published'] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];

export const citationSchema = z.looseObject({
  n: z.number().int().min(1).max(100_000),
  url: z.string().max(8_000),
  title: z.string().max(2_000).optional(),
  source: z.string().max(2_000).optional(),
});

/** The body of `PUT /api/v1/stories/:slug`. */
export const storyPutBodySchema = z.strictObject({
  title: z.string().min(1).max(1_000),
  dek: z.string().max(5_000).optional(),
  beat: z.string().min(1).max(SLUG_MAX_LENGTH),
  body: z.string(),
  citations: z.array(citationSchema).max(2_000),
  status: z.enum(PUSH_STATUSES),
  published: z.string().max(64).optional(),
});
export type StoryPutBody = z.infer<typeof storyPutBodySchema>;

/** The body of `PUT /api/v1/catalog/entities/:slug`: an entity; its slug comes from the path. */
export const entityPutBodySchema = entitySchema.extend({ slug: entitySchema.shape.slug.optional() });
export type EntityPutBody = z.infer<typeof entityPutBodySchema>;

export const slugParamSchema = z.string().max(SLUG_MAX_LENGTH).regex(SLUG_PATTERN);

/** `since`: the opaque cursor, the decimal change sequence number it was. */
export const cursorSchema = z.string().regex(/^(0|[1-9][0-9]{0,14})$/);
export const limitSchema = z.string().regex(/^[1-9][0-9]{0,3}$|^5000$/).transform(Number).pipe(z.number().int().min(1).max(5000));

export const pageQuerySchema = z.object({
  since: cursorSchema.optional(),
  limit: limitSchema.optional(),
});

/** `If-Match: "v<N>"`. */
export const IF_MATCH = /^"v([1-9][0-9]{0,14})"$/;

/** The first line of a zod error, for a `message`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'the request does not fit the shape';
  const where = issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}
