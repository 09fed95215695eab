/**
 * Review notes (publishing-protocol.md, "Review notes"): a story's notes paged by cursor, and one
 * note created or changed per idempotent PUT. Notes belong to the editorial record: no public page
 * reads this table.
 */
import type { FastifyPluginAsync } from 'fastify';
import { noteActionAllowed, noteIdSchema, notePutBodySchema, type NoteAction } from '../../shared/index.js';
import { tokenOf } from '../auth.js';
import { etagFor, describeZodError } from '../../shared/protocol/index.js';
import { jsonResponse, type ServerContext } from '../context.js';
import { badRequest, forbidden, HttpError, notFound } from '../errors.js';
import { pageQuerySchema, slugParamSchema } from '../schemas.js';
import type { NoteRecord, NoteStore, PutNoteResult } from '../store/store.js';
import { idempotencyKey, idempotentWrite, precondition } from './idempotent.js';
import { sendWire } from './send.js';

function param<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, raw: string, what: string): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw badRequest(`the ${what} in the path is not valid`);
  return r.data;
}

/** What a change of `current` into `next` asks of its author's rights. */
function actionsOf(current: NoteRecord, next: { body: string; anchor: unknown; state: string }): NoteAction[] {
  const actions: NoteAction[] = [];
  if (next.body !== current.body || JSON.stringify(next.anchor) !== JSON.stringify(current.anchor)) actions.push('edit');
  if (next.state !== current.state) actions.push(next.state === 'resolved' ? 'resolve' : 'reopen');
  return actions;
}

export const noteRoutes: FastifyPluginAsync<{ ctx: ServerContext }> = async (app, { ctx }) => {
  const { store } = ctx;
  const notesOf = (): NoteStore => {
    if (!store.notes) throw new HttpError(501, 'not_implemented', 'this backend keeps no review notes');
    return store.notes;
  };

  app.get<{ Params: { slug: string } }>('/api/v1/stories/:slug/notes', async (req, reply) => {
    tokenOf(req);
    const slug = param(slugParamSchema, req.params.slug, 'slug');
    const q = pageQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest(`bad query: ${describeZodError(q.error)}`);
    // A withdrawn story's notes stay readable: only a story that never was answers 404.
    if (!(await store.getStoryState(slug))) throw notFound(`no story "${slug}"`);
    const page = await notesOf().noteChanges(slug, Number(q.data.since ?? 0), q.data.limit ?? 1000);
    return sendWire(reply, jsonResponse(200, page));
  });

  app.put<{ Params: { slug: string; id: string } }>('/api/v1/stories/:slug/notes/:id', async (req, reply) => {
    const token = tokenOf(req);
    const slug = param(slugParamSchema, req.params.slug, 'slug');
    const id = param(noteIdSchema, req.params.id, 'note id');
    const key = idempotencyKey(req);
    const expected = precondition(req, true);
    const parsed = notePutBodySchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(`the note does not fit the shape: ${describeZodError(parsed.error)}`);
    const body = parsed.data;
    const notes = notesOf();

    return idempotentWrite(req, reply, store, token, key, async (scope, now) => {
      const current = await notes.getNote(slug, id);
      if (expected === null || !current) {
        // A new note points at text; a reply answers a note of the same story and has no anchor.
        if (body.replyTo) {
          if (!(await notes.getNote(slug, body.replyTo))) throw badRequest(`replyTo: the story has no note "${body.replyTo}"`);
        } else if (!body.anchor) {
          throw badRequest('anchor: a note needs an anchor (or replyTo, for a reply)');
        }
      } else {
        if ((body.replyTo ?? null) !== current.replyTo) throw badRequest('replyTo: a note cannot move to another thread');
        // What the change asks is read against the version it was made on: a change of an older one
        // answers 412 below (with the current note), never 403 for what changed since.
        const next = { body: body.body, anchor: body.anchor ?? current.anchor, state: body.state ?? current.state };
        for (const action of current.version === expected ? actionsOf(current, next) : []) {
          if (!noteActionAllowed(action, token.role, current.author === token.name)) {
            throw forbidden(`a ${token.role} may not ${action} another's note`);
          }
        }
      }
      const respond = (r: PutNoteResult) =>
        r.ok
          ? jsonResponse(r.created ? 201 : 200, r.note, { etag: etagFor(r.note.version) })
          : r.reason === 'no_story'
            ? jsonResponse(404, { error: 'not_found', message: `no story "${slug}"` })
            : jsonResponse(412, {
                error: 'version_conflict',
                message: r.current ? `the note "${id}" is at version ${r.current.version}` : `there is no note "${id}" yet`,
                ...(r.current ? { current: r.current } : {}),
              });
      let sent: ReturnType<typeof respond> | undefined;
      await notes.putNote({
        storySlug: slug,
        id,
        expectedVersion: expected,
        note: {
          body: body.body,
          anchor: body.replyTo ? null : (body.anchor ?? current?.anchor ?? null),
          state: body.state ?? current?.state ?? 'open',
          replyTo: body.replyTo ?? null,
          author: token.name,
          role: token.role,
        },
        now,
        idempotency: { ...scope, respond: (r) => (sent = respond(r)) },
      });
      return sent!;
    });
  });
};
