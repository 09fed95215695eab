/**
 * Sync against a simple model (fast-check commands; by default 250 sequences of up to 40): writers
 * edit stories and submit them, the studio syncs, goes offline and comes back, another desk edits the
 * same stories on the backend, and the studio crashes in the middle of a sync (after the backend took a request, before
 * the answer was recorded) and restarts on the same library file. Meanwhile review notes (issue 14) are
 * written on a quote of each studio's current text — by the writer's studio and by an editor's studio
 * that follows the same stories — replied to, edited, resolved and reopened as far as each role
 * allows, offline too, and changed by their author straight on the backend; some text edits reword a
 * passage, so that quotes disappear. Whatever the sequence, once the studios are online and the person
 * has merged what conflicts, the library and the backend hold the same stories, and every edit made
 * on either side is in them; both studios and the backend hold the same notes, no text written into a
 * note was ever lost (kept conflict texts included), nothing was sent twice, every note whose quote
 * stands once in the converged text is on it, and one whose quote is gone is shown detached.
 *
 * The system under test is the app's own sync service on real library files, against the reference
 * backend on a loopback port; the model only remembers which edits and notes were made.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseStory, serializeStory } from '../../shared/index.js';
import { seeded } from './helpers/fault-proxy.js';
import {
  expectNotesSettled,
  newSeen,
  noteCommands,
  settle,
  startWorld,
  stopWorld,
  studioCommands,
  type NotesModel,
  type NotesReal,
} from './helpers/notes-model.js';
import { storyText } from './helpers/stories.js';

const RUNS = Number(process.env.SYNC_MODEL_RUNS ?? 250);
/** Commands in a sequence at most (more than the notes model's: notes need a few syncs before they change on both sides). */
const MAX_COMMANDS = Number(process.env.SYNC_MODEL_COMMANDS ?? 40);
const STORIES = 2;
/** The writer's studio (the desk, which edits the stories' text) and an editor's studio that reviews them. */
const STUDIOS = 2;
/** A new seed each run (printed, so that a failing one can be replayed with SYNC_MODEL_SEED). */
const SEED = Number(process.env.SYNC_MODEL_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** What the sequences went through, so that the test shows it exercised what it claims. */
const seen = { ...newSeen(), rewordings: 0 };

interface Model extends NotesModel {
  /** Paragraphs every story must end up holding: the edits made, on either side. */
  edits: Map<number, Set<string>>;
}

interface Real extends NotesReal {
  run: string;
  /** The stories' ids in the desk's library. */
  ids: string[];
}

const desk = (r: Real) => r.studios[0]!;

/**
 * A passage that a text edit may reword: letters that no other paragraph uses, so that a note's quote
 * inside it, once the passage is reworded, neither stands nor nearly stands anywhere else.
 */
const ASIDE_LETTERS = 'bjkquvwxyzABCDEGHIJKMNOPQSTUVWXYZ';
const isAside = (p: string) => /^[bjkquvwxyzA-EG-KM-QS-Z ]+$/.test(p);
function aside(n: number): string {
  const random = seeded(n);
  const word = () => Array.from({ length: 5 }, () => ASIDE_LETTERS[Math.floor(random() * ASIDE_LETTERS.length)]).join('');
  return [word(), word(), word()].join(' ');
}

function paragraphs(body: string): string[] {
  return body
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean);
}

/** A text edit: a new paragraph at the end, or the passage that may be reworded (after the first paragraph) reworded. */
function edited(body: string, change: { append: string } | { reword: string }): string {
  const ps = paragraphs(body);
  if ('append' in change) return `${[...ps, change.append].join('\n\n')}\n`;
  const kept = ps.filter((p) => !isAside(p));
  return `${[kept[0]!, change.reword, ...kept.slice(1)].join('\n\n')}\n`;
}

/** The text edit a command makes: a mark every story must keep, or a rewording (which no one must keep). */
function textEdit(m: Model, story: number, reword: boolean, who: 'Local' | 'Remote'): { append: string } | { reword: string } {
  const n = ++m.n;
  if (reword) {
    seen.rewordings++;
    return { reword: aside(n) };
  }
  const mark = `${who} edit ${n} of ${story}.`;
  m.edits.get(story)!.add(mark);
  return { append: mark };
}

/** The person's merge: their text, with every paragraph of the backend's that theirs lacks added. */
function merge(local: string, remote: string): string {
  const mine = parseStory(local);
  const have = new Set(paragraphs(mine.body));
  const extra = paragraphs(parseStory(remote).body).filter((p) => !have.has(p));
  return serializeStory({ ...mine, body: `${[...paragraphs(mine.body), ...extra].join('\n\n')}\n` });
}

class LocalEdit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly story: number,
    readonly reword: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const id = r.ids[this.story]!;
    const story = parseStory(desk(r).library.getStory(id).text);
    desk(r).library.saveStory(id, serializeStory({ ...story, body: edited(story.body, textEdit(m, this.story, this.reword, 'Local')) }));
    await desk(r).sync.enqueue(id, 'review');
  }
  toString = () => `LocalEdit(${this.story}${this.reword ? ', reword' : ''})`;
}

class RemoteEdit implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly story: number,
    readonly reword: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const slug = r.slugOf(this.story);
    const auth = { authorization: `Bearer ${r.backend.tokens.writer2}` };
    const cur = (await (await fetch(`${r.backend.url}/api/v1/stories/${slug}`, { headers: auth })).json()) as {
      version: number;
      story: { title: string; beat: string; body: string };
    };
    const body = edited(cur.story.body, textEdit(m, this.story, this.reword, 'Remote'));
    const res = await fetch(`${r.backend.url}/api/v1/stories/${slug}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `${r.run}-${m.n}`, 'if-match': `"v${cur.version}"` },
      body: JSON.stringify({ title: cur.story.title, beat: cur.story.beat, body, citations: [], status: 'review' }),
    });
    expect(res.status).toBe(200);
  }
  toString = () => `RemoteEdit(${this.story}${this.reword ? ', reword' : ''})`;
}

/** The backend's story, read as another desk would (undefined when it has none). */
async function backendStory(r: Real, slug: string): Promise<{ version: number; story: { body: string } } | undefined> {
  const res = await fetch(`${r.backend.url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${r.backend.tokens.publisher}` } });
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (await res.json()) as { version: number; story: { body: string } };
}

describe('sync model against the reference backend (in process, a fresh database per sequence)', () => {
  it(`local and backend converge and no edit or note is lost (${RUNS} command sequences)`, async () => {
    console.log(`sync model: seed ${SEED} (replay with SYNC_MODEL_SEED=${SEED})`);
    let runNo = 0;
    let totalCommands = 0;
    let totalNotes = 0;
    const story = fc.integer({ min: 0, max: STORIES - 1 });
    // One text edit in four rewords the passage after the first paragraph.
    const edit = fc.tuple(story, fc.nat(3)).map(([i, k]) => ({ i, reword: k === 0 }));
    const notes = noteCommands(STUDIOS, STORIES);
    const studio = studioCommands(STUDIOS);
    // As many text edits as note commands; a note added and a sync weigh double.
    const commands = [
      ...[0, 1, 2].map(() => edit.map((e) => new LocalEdit(e.i, e.reword))),
      ...[0, 1, 2].map(() => edit.map((e) => new RemoteEdit(e.i, e.reword))),
      ...notes,
      notes[0]!,
      ...studio,
      studio[0]!,
    ];
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: MAX_COMMANDS, size: 'medium' }), async (cmds) => {
        const run = `${++runNo}`;
        const real: Real = {
          ...(await startWorld({
            who: [
              { name: 'writer', role: 'writer' },
              { name: 'editor', role: 'editor' },
            ],
            stories: STORIES,
            slugOf: (i) => `model-${run}-${i}`,
            seen,
          })),
          run,
          ids: [],
        };
        const studios = real.studios;
        try {
          for (let i = 0; i < STORIES; i++) {
            const slug = real.slugOf(i);
            real.ids.push(desk(real).library.putBySlug(slug, storyText(slug, `First paragraph of ${i}.\n\n${aside(-1 - i)}\n`)).id);
          }
          // Both desks start from the same submitted stories, so that either side may edit first; the editor's studio follows them.
          for (const id of real.ids) await desk(real).sync.enqueue(id, 'review');
          await desk(real).sync.run();
          await studios[1]!.sync.run();
          for (let i = 0; i < STORIES; i++) {
            expect(await backendStory(real, real.slugOf(i)), `${real.slugOf(i)} is on the backend`).toBeDefined();
            expect(studios[1]!.library.storyBySlug(real.slugOf(i)), `the editor's studio pulled ${real.slugOf(i)}`).toBeDefined();
          }
          const model: Model = {
            edits: new Map(Array.from({ length: STORIES }, (_, i) => [i, new Set([`First paragraph of ${i}.`])])),
            notes: new Map(),
            order: [],
            n: 0,
          };
          totalCommands += [...cmds].length;
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          await settle(real, merge);
          for (let i = 0; i < STORIES; i++) {
            const slug = real.slugOf(i);
            const remote = await backendStory(real, slug);
            expect(remote, `${slug} is on the backend`).toBeDefined();
            if (!remote) continue;
            for (const [k, s] of studios.entries()) {
              const localBody = parseStory(s.library.storyBySlug(slug)!.text).body;
              // Every edit made here or at the other desk is in the story, on both sides, and the sides agree.
              for (const e of model.edits.get(i)!) {
                expect(localBody, `${slug} in studio ${k}: ${e}`).toContain(e);
                expect(remote.story.body, `${slug}: ${e}`).toContain(e);
              }
              expect(paragraphs(localBody), `${slug} in studio ${k}`).toEqual(paragraphs(remote.story.body));
            }
          }
          totalNotes += model.notes.size;
          await expectNotesSettled(model, real);
        } finally {
          await stopWorld(real);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `sync model: ${RUNS} sequences, ${totalCommands} commands, all converged with no edit lost; ${seen.conflictsMerged} conflicts merged, ${seen.rewordings} rewordings, ${seen.crashesAfterAccept} crashes after the backend accepted a put, ${seen.fastForwards} fast-forwards; ` +
        `${totalNotes} notes (${seen.notesAdded} added, ${seen.replies} replies, ${seen.noteEdits} edits, ${seen.stateChanges} resolve/reopen, ${seen.refused} refused by role, ${seen.backendEdits} backend edits), ${seen.conflictsSettled} note conflicts settled, all the same everywhere with no text lost; at the end ${seen.placedOnQuote} placed on their quote, ${seen.detached} detached`,
    );
    if (RUNS >= 100) {
      for (const k of [
        'conflictsMerged',
        'crashesAfterAccept',
        'fastForwards',
        'rewordings',
        'conflictsSettled',
        'refused',
        'placedOnQuote',
        'detached',
      ] as const) {
        expect(seen[k], k).toBeGreaterThan(0);
      }
    }
  }, 900_000);
});
