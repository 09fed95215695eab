/**
 * The backend's own request shapes (paths, queries, catalog entities). The story PUT body and its
 * limits are the protocol's, in shared/protocol.
 */
import { z } from 'zod';
import { entitySchema, SLUG_MAX_LENGTH, SLUG_PATTERN } from '../shared/index.js';

/** The body of `PUT /api/v1/catalog/entities/:slug`: an entity, strict on the wire; its slug comes from the path. */
export const entityPutBodySchema = z.strictObject({ ...entitySchema.shape, slug: entitySchema.shape.slug.optional() });
export type EntityPutBody = z.infer<typeof entityPutBodySchema>;

export const slugParamSchema = z.string().max(SLUG_MAX_LENGTH).regex(SLUG_PATTERN);

/** `since`: the opaque cursor, the decimal change sequence number it was. */
export const cursorSchema = z.string().regex(/^(0|[1-9][0-9]{0,14})$/);
export const limitSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,3}$|^5000$/)
  .transform(Number)
  .pipe(z.number().int().min(1).max(5000));

export const pageQuerySchema = z.object({
  since: cursorSchema.optional(),
  limit: limitSchema.optional(),
});
