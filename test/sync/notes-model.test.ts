/**
 * Review notes through sync against a simple model (fast-check commands, 30 sequences by default, issue 14): two studios on
 * the same editor's token (a desk and a laptop) add notes on a story's text, reply, edit, resolve and
 * reopen them, while another client changes the same notes straight on the backend; the studios sync,
 * go offline, and either studio crashes in the middle of a sync (after the backend took a request, before
 * the answer was recorded) and restarts on the same library file. Once both are online and the person
 * has settled every note changed on both sides, every note written anywhere is on the backend and in
 * both studios, the same everywhere; every text written into a note is in it (each change appends a
 * mark to the text its writer saw; settling keeps the marks of both texts); and the backend made one
 * version per change it accepted, each change sent under one Idempotency-Key.
 *
 * The system under test is the app's own sync service on real library files, against the reference
 * backend on a loopback port; the model only remembers which notes and marks were written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectNotesSettled, newSeen, noteCommands, settle, startWorld, stopWorld, studioCommands, type NotesModel } from './helpers/notes-model.js';
import { storyText } from './helpers/stories.js';

const RUNS = Number(process.env.NOTES_MODEL_RUNS ?? 30);
/** A new seed each run (printed, so that a failing one can be replayed with NOTES_MODEL_SEED). */
const SEED = Number(process.env.NOTES_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const STUDIOS = 2;
const seen = newSeen();

describe('review notes model against the reference backend (two studios, a fresh database per sequence)', () => {
  it(`every note written anywhere reaches the backend and both studios with no text lost and nothing sent twice (${RUNS} command sequences)`, async () => {
    console.log(`notes model: seed ${SEED} (replay with NOTES_MODEL_SEED=${SEED})`);
    let runNo = 0;
    let totalCommands = 0;
    let totalNotes = 0;
    const commands = [...noteCommands(STUDIOS, 1), ...studioCommands(STUDIOS)];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 20, size: 'medium' }), async (cmds) => {
        const slug = `notes-model-${++runNo}`;
        const real = await startWorld({
          who: Array.from({ length: STUDIOS }, () => ({ name: 'editor', role: 'editor' })),
          stories: 1,
          slugOf: () => slug,
          seen,
        });
        const studios = real.studios;
        try {
          // The desk submits the story; the laptop pulls it, so that either may write the first note.
          const id = studios[0]!.library.putBySlug(
            slug,
            storyText(slug, `Ministers met in the capital on Tuesday.\n\nAides declined to comment on the report.\n`),
          ).id;
          await studios[0]!.sync.enqueue(id, 'review');
          await studios[0]!.sync.run();
          await studios[1]!.sync.run();
          expect(studios[1]!.library.storyBySlug(slug), 'the laptop pulled the story').toBeDefined();
          const model: NotesModel = { notes: new Map(), order: [], n: 0 };
          totalCommands += [...cmds].length;
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await settle(real);
          totalNotes += model.notes.size;
          await expectNotesSettled(model, real);
        } finally {
          await stopWorld(real);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `notes model: ${RUNS} sequences, ${totalCommands} commands, ${totalNotes} notes, all on the backend and both studios with no text lost; ${seen.conflictsSettled} conflicts settled, ${seen.backendEdits} backend edits, ${seen.replies} replies, ${seen.stateChanges} resolve/reopen, ${seen.crashesAfterAccept} crashes after the backend accepted a put`,
    );
    // The sequences met what the test claims to exercise in a long run (NOTES_MODEL_RUNS=100 or more; crashes after an accepted put are too rare to require).
    if (RUNS >= 100) expect(seen.conflictsSettled).toBeGreaterThan(0);
  }, 300_000);
});
