/**
 * The publishing protocol v1 (publishing-protocol.md): the wire shapes the studio's sync engine and
 * the reference backend exchange, as types and zod schemas. Pure TypeScript.
 * Schemas for answers are lenient (unknown keys pass) so that a newer backend adding fields still parses.
 */
import { z } from 'zod';
import { ROLES } from './rules.js';

export * from './rules.js';
export * from './put-body.js';
export * from './json.js';
export * from './diagnostics.js';

/** A citation as an answer carries it (lenient: see the header). */
export const citationSchema = z.looseObject({
  n: z.number().int().min(1),
  url: z.string(),
  title: z.string().optional(),
  source: z.string().optional(),
});

/** A story as the backend holds it (the PUT body's fields, with any status including `withdrawn`). */
export const remoteStorySchema = z.looseObject({
  title: z.string().optional(),
  dek: z.string().nullish(),
  beat: z.string().optional(),
  body: z.string(),
  citations: z.array(citationSchema).optional(),
  status: z.string().optional(),
  published: z.string().nullish(),
  slug: z.string().optional(),
});
export type RemoteStory = z.infer<typeof remoteStorySchema>;

/** 201/200 answer of a story PUT. */
export const storyPutAnswerSchema = z.looseObject({
  slug: z.string(),
  version: z.number().int(),
  status: z.string(),
  url: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type StoryPutAnswer = z.infer<typeof storyPutAnswerSchema>;

/** `GET /api/v1/stories/:slug`. */
export const storyGetAnswerSchema = z.looseObject({
  slug: z.string(),
  version: z.number().int(),
  status: z.string(),
  story: remoteStorySchema,
  url: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type StoryGetAnswer = z.infer<typeof storyGetAnswerSchema>;

export const diagnosticSchema = z.looseObject({
  rule: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  from: z.number().optional(),
  to: z.number().optional(),
});
export type WireDiagnostic = z.infer<typeof diagnosticSchema>;

/** Every error answer: `{ error, message }`, plus `diagnostics` (422) or `current` (412). */
export const errorAnswerSchema = z.looseObject({
  error: z.string(),
  message: z.string().optional(),
  diagnostics: z.array(diagnosticSchema).optional(),
  current: z
    .looseObject({
      version: z.number().int(),
      status: z.string().optional(),
      story: remoteStorySchema.optional(),
      updatedAt: z.string().optional(),
    })
    .nullish(),
});
export type ErrorAnswer = z.infer<typeof errorAnswerSchema>;

const deletedItem = z.looseObject({ slug: z.string(), deleted: z.literal(true) });

/** `GET /api/v1/catalog?since=&limit=`. Items are entities/beats/stories or `{ slug, deleted: true }`. */
export const catalogPageSchema = z.looseObject({
  entities: z.array(z.union([deletedItem, z.looseObject({ slug: z.string() })])).default([]),
  beats: z.array(z.union([deletedItem, z.looseObject({ slug: z.string() })])).default([]),
  stories: z.array(z.union([deletedItem, z.looseObject({ slug: z.string() })])).default([]),
  cursor: z.union([z.string(), z.number()]).nullish(),
  hasMore: z.boolean().default(false),
});
export type CatalogPage = z.infer<typeof catalogPageSchema>;

export const storyListItemSchema = z.looseObject({
  slug: z.string(),
  version: z.number().int(),
  status: z.string(),
  updatedAt: z.string().optional(),
});
export type StoryListItem = z.infer<typeof storyListItemSchema>;

/** `GET /api/v1/stories?since=&limit=`. */
export const storyListPageSchema = z.looseObject({
  items: z.array(storyListItemSchema),
  cursor: z.union([z.string(), z.number()]).nullish(),
  hasMore: z.boolean().default(false),
});
export type StoryListPage = z.infer<typeof storyListPageSchema>;

export const healthAnswerSchema = z.looseObject({ ok: z.boolean(), protocol: z.number() });

/** An Idempotency-Key: 1 to 200 printable ASCII characters. */
export const idempotencyKeySchema = z.string().regex(/^[\x20-\x7e]{1,200}$/);

/**
 * `GET /api/v1/whoami`: an extension of the reference backend, not part of protocol v1. The token's
 * owner and role, so that the studio offers only the actions that role may take, and the site. A backend without
 * it answers 404; a client should then offer every action and let the backend answer 403.
 */
export const whoamiAnswerSchema = z.looseObject({
  name: z.string(),
  role: z.enum(ROLES),
  /**
   * The public site the backend serves its pages at, so that the studio's preview and exports link
   * where the published page does (issue 11 #8). A client checks it (`siteProblem`) before use;
   * one that is no string or too long is dropped, never the name and role with it.
   */
  site: z.string().max(2000).optional().catch(undefined),
});
export type WhoamiAnswer = z.infer<typeof whoamiAnswerSchema>;
