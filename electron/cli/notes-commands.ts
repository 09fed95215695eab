/**
 * `studio notes SLUG` and `studio note SLUG --quote TEXT --body TEXT`: a story's review notes with
 * their places in the file, and a note added from a script (publishing-protocol.md, "Review notes").
 * They run on the same library, session and output rules as the sync commands.
 */
import { Option, type Command } from 'commander';
import { anchorAt, parseStory } from '../../shared/index.js';
import type { NoteView } from '../../shared/api/notes.js';
import { lineIndexAt, lineStarts } from '../../shared/text-util.js';
import type { SyncService } from '../services/sync-service/index.js';
import type { Library } from '../services/library/index.js';

export interface NoteCommandContext {
  session(libraryOption: string | undefined): Promise<{ library: Library; sync: SyncService; close(): Promise<void> }>;
  stdout(text: string): void;
  setExit(code: number): void;
  libraryOption(): Option;
}

class NoteInputError extends Error {}

function place(text: string, starts: number[], n: NoteView): string {
  if (!n.place) return n.replyTo ? 'reply' : 'detached';
  const line = lineIndexAt(starts, n.place.from);
  return `${line + 1}:${n.place.from - starts[line]! + 1}`;
}

function storyOf(library: Library, slug: string) {
  const story = library.storyBySlug(slug);
  if (!story) throw new NoteInputError(`no story "${slug}" in the library (run \`studio sync\` to pull it)`);
  return story;
}

export function addNoteCommands(program: Command, ctx: NoteCommandContext): void {
  const run = async (libraryOption: string | undefined, fn: (s: { library: Library; sync: SyncService }) => Promise<void>) => {
    const s = await ctx.session(libraryOption);
    try {
      await fn(s);
    } catch (e) {
      if (!(e instanceof NoteInputError)) throw e;
      program.error(`studio: ${e.message}`, { exitCode: 2 });
    } finally {
      await s.close();
    }
  };

  program
    .command('notes')
    .description("a story's review notes with their places in the file, as the library holds them (`studio sync` brings them up to date)")
    .argument('<slug>', 'the story')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(ctx.libraryOption())
    .action(async (slug: string, opts: { format: 'text' | 'json'; library?: string }) =>
      run(opts.library, async ({ library, sync }) => {
        const story = storyOf(library, slug);
        const notes = sync.notes.list(story.id);
        const starts = lineStarts(story.text);
        if (opts.format === 'json') {
          ctx.stdout(
            `${JSON.stringify(
              notes.map((n) => ({ ...n, at: n.place ? place(story.text, starts, n) : null })),
              null,
              2,
            )}\n`,
          );
        } else {
          for (const n of notes) {
            const flags = [
              n.state,
              n.pending ? 'waiting to be sent' : '',
              n.rejected ? `refused: ${n.rejected}` : '',
              n.conflict ? 'changed on both sides' : '',
            ]
              .filter(Boolean)
              .join(', ');
            const quote = n.anchor ? ` “${n.anchor.exact.length > 60 ? `${n.anchor.exact.slice(0, 59)}…` : n.anchor.exact}”` : '';
            ctx.stdout(`${n.replyTo ? '  ↳ ' : ''}${place(story.text, starts, n)} ${n.author ?? 'you'} (${flags})${quote}: ${n.body.replace(/\s+/g, ' ')}\n`);
            if (n.conflict) ctx.stdout(`    the backend's text (${n.conflict.author}, v${n.conflict.version}): ${n.conflict.body.replace(/\s+/g, ' ')}\n`);
          }
          if (notes.length === 0) ctx.stdout(`no notes on ${slug}\n`);
        }
        ctx.setExit(0);
      }),
    );

  program
    .command('note')
    .description('add a review note on the first place the quoted text stands in the story, and send it when logged in')
    .argument('<slug>', 'the story')
    .requiredOption('--quote <text>', 'the text the note is about, as it stands in the story body')
    .requiredOption('--body <text>', 'what the note says')
    .addOption(ctx.libraryOption())
    .action(async (slug: string, opts: { quote: string; body: string; library?: string }) =>
      run(opts.library, async ({ library, sync }) => {
        const story = storyOf(library, slug);
        const body = parseStory(story.text).body;
        const from = opts.quote ? body.indexOf(opts.quote) : -1;
        if (from === -1) throw new NoteInputError(`--quote: the text is not in the body of "${slug}"`);
        if (opts.body.trim() === '') throw new NoteInputError('--body: a note needs some text');
        const version = (await sync.storySync(story.id)).remoteVersion ?? 0;
        const note = sync.notes.add(story.id, anchorAt(body, from, from + opts.quote.length, version), opts.body);
        const r = (await sync.overview()).configured ? await sync.run({ maxWaitMs: 0 }) : null;
        const sent = r?.notes && !sync.notes.list(story.id).find((n) => n.id === note.id)?.pending;
        const starts = lineStarts(story.text);
        ctx.stdout(`${note.id} at ${place(story.text, starts, note)}: ${sent ? 'sent' : 'waiting in the outbox (`studio sync` sends it)'}\n`);
        ctx.setExit(sent || !r ? 0 : 1);
      }),
    );
}
