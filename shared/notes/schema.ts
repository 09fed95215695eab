/**
 * Review notes (publishing-protocol.md, "Review notes"): the wire shapes, defined once for the
 * backend, the studio's library and outbox, and the command line.
 */
import { z } from 'zod';
import { ROLES } from '../protocol/index.js';

export const NOTE_STATES = ['open', 'resolved'] as const;
export type NoteState = (typeof NOTE_STATES)[number];

/** A note's id is made by the client, so that a note written offline has it before any backend sees it. */
export const NOTE_ID_PATTERN = /^[a-z0-9-]{8,64}$/;
export const noteIdSchema = z.string().regex(NOTE_ID_PATTERN, 'a note id is 8 to 64 of a-z, 0-9 and -');

export const NOTE_BODY_MAX = 10_000;
/** How much text before and after the quote an anchor keeps (the protocol's "up to 32 characters"). */
export const ANCHOR_CONTEXT = 32;
/** The longest quote a note may hold: a few paragraphs, never a whole story copied into every note. */
export const ANCHOR_EXACT_MAX = 2_000;

/** Where a note points, in the W3C Web Annotation selectors' terms: TextQuote and TextPosition. */
export const noteAnchorSchema = z
  .strictObject({
    exact: z.string().min(1).max(ANCHOR_EXACT_MAX),
    prefix: z.string().max(ANCHOR_CONTEXT),
    suffix: z.string().max(ANCHOR_CONTEXT),
    start: z.number().int().min(0).max(50_000_000),
    end: z.number().int().min(0).max(50_000_000),
    /** The story version the offsets are in (0: a story not yet on the backend). */
    revision: z.number().int().min(0),
  })
  .refine((a) => a.end - a.start === a.exact.length, 'end - start must be the length of exact');
export type NoteAnchor = z.infer<typeof noteAnchorSchema>;

/** The body of `PUT /api/v1/stories/:slug/notes/:id`. Author and role come from the token, never from here. */
export const notePutBodySchema = z
  .strictObject({
    body: z.string().min(1).max(NOTE_BODY_MAX),
    anchor: noteAnchorSchema.optional(),
    state: z.enum(NOTE_STATES).optional(),
    replyTo: noteIdSchema.optional(),
  })
  .refine((n) => !(n.replyTo && n.anchor), 'a reply has no anchor of its own');
export type NotePutBody = z.infer<typeof notePutBodySchema>;

/** A note as the backend answers it. */
export const noteSchema = z.looseObject({
  id: noteIdSchema,
  storySlug: z.string(),
  version: z.number().int().min(1),
  author: z.string(),
  role: z.enum(ROLES),
  body: z.string().max(NOTE_BODY_MAX),
  anchor: noteAnchorSchema.nullish(),
  state: z.enum(NOTE_STATES),
  replyTo: noteIdSchema.nullish(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Note = z.infer<typeof noteSchema>;

/** `GET /api/v1/stories/:slug/notes?since=&limit=`. */
export const notePageSchema = z.looseObject({
  items: z.array(z.unknown()),
  cursor: z.union([z.string(), z.number()]).nullish(),
  hasMore: z.boolean().default(false),
});
