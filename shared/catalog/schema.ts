import { z } from 'zod';
import { SLUG_PATTERN, SLUG_MAX_LENGTH } from '../slug.js';

export const ENTITY_TYPES = ['person', 'organization', 'state', 'government', 'product', 'technology', 'legislation', 'concept'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const REFERENCE_KINDS = ['entity', 'beat', 'story'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

const slug = z
  .string()
  .max(SLUG_MAX_LENGTH, `at most ${SLUG_MAX_LENGTH} characters`)
  .regex(SLUG_PATTERN, 'not a valid slug (lower-case letters and digits joined by single hyphens)');
const text = z.string().trim().min(1, 'must not be empty');

export const entitySchema = z.looseObject({
  slug,
  name: text,
  type: z.enum(ENTITY_TYPES, { error: `must be one of ${ENTITY_TYPES.join(', ')}` }),
  aliases: z.array(text).optional(),
  description: z.string().optional(),
});
export const beatSchema = z.looseObject({ slug, name: text, description: z.string().optional() });
export const catalogStorySchema = z.looseObject({
  slug,
  title: text,
  beat: slug.optional(),
  published: z.string().optional(),
});
export const catalogSchema = z.object({
  entities: z.array(entitySchema).default([]),
  beats: z.array(beatSchema).default([]),
  stories: z.array(catalogStorySchema).default([]),
});

export type Entity = z.infer<typeof entitySchema>;
export type Beat = z.infer<typeof beatSchema>;
export type CatalogStory = z.infer<typeof catalogStorySchema>;
export type Catalog = z.infer<typeof catalogSchema>;
