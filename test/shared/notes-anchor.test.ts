// Review-note anchoring (issue 14): random notes on random stories through random edit sequences.
// Every note whose quoted text survives the edits is placed on exactly that text; no note is lost.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchorAt, noteAnchorSchema, notePutBodySchema, noteActionAllowed, placeAnchors, type NoteAnchor } from '../../shared/notes/index.js';

const WORDS = [
  'the',
  'desk',
  'said',
  'minister',
  'budget',
  'vote',
  'court',
  'ruled',
  'on',
  'Tuesday',
  'data',
  'model',
  'open',
  'source',
  'a',
  'of',
  'in',
  'and',
];
const word = fc.constantFrom(...WORDS);
const sentence = fc.array(word, { minLength: 3, maxLength: 12 }).map((w) => `${w.join(' ')}.`);
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 4 }).map((s) => s.join(' '));
const story = fc.array(paragraph, { minLength: 1, maxLength: 8 }).map((p) => p.join('\n\n'));

interface Edit {
  at: number;
  remove: number;
  insert: string;
}
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.nat({ max: 40 }),
  insert: fc.oneof(
    fc.constant(''),
    sentence,
    paragraph.map((p) => `\n\n${p}`),
  ),
});

interface Tracked {
  anchor: NoteAnchor;
  /** Where the quoted text is now, or null once an edit touched it. */
  now: { from: number; to: number } | null;
}

/** Applies an edit to the text and to each note's true place (the oracle the placement is held to). */
function apply(text: string, e: Edit, notes: Tracked[]): string {
  const from = Math.floor(e.at * text.length);
  const to = Math.min(text.length, from + e.remove);
  const delta = e.insert.length - (to - from);
  for (const n of notes) {
    if (!n.now) continue;
    const { from: s, to: t } = n.now;
    if (to <= s) n.now = { from: s + delta, to: t + delta };
    else if (from >= t) continue;
    else n.now = null;
  }
  return text.slice(0, from) + e.insert + text.slice(to);
}

const occurrences = (text: string, quote: string) => {
  let n = 0;
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) n++;
  return n;
};

const scenario = fc.record({
  text: story,
  notes: fc.array(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.integer({ min: 1, max: 60 }) }), { minLength: 1, maxLength: 8 }),
  edits: fc.array(edit, { minLength: 1, maxLength: 6 }),
  withPrevious: fc.boolean(),
});

describe('review-note anchoring', () => {
  it('places every note whose quote survived on exactly that text, and loses none (property, 1,000 runs)', () => {
    fc.assert(
      fc.property(scenario, ({ text, notes, edits, withPrevious }) => {
        const tracked: Tracked[] = notes.map(({ at, len }) => {
          const from = Math.min(text.length - 1, Math.floor(at * text.length));
          const to = Math.min(text.length, from + len);
          return { anchor: anchorAt(text, from, to, 3), now: { from, to } };
        });
        let now = text;
        for (const e of edits) now = apply(now, e, tracked);
        const placements = placeAnchors(
          tracked.map((t) => t.anchor),
          now,
          withPrevious ? text : undefined,
        );
        expect(placements).toHaveLength(tracked.length);
        tracked.forEach((t, i) => {
          const p = placements[i]!;
          if (p.from !== null) {
            // Placed somewhere: a quote found exactly, or a close fuzzy match.
            if (p.by !== 'fuzzy') expect(now.slice(p.from, p.to)).toBe(t.anchor.exact);
          }
          if (!t.now) return;
          expect(p.from, 'a surviving quote is never detached').not.toBeNull();
          expect(now.slice(p.from!, p.to!)).toBe(t.anchor.exact);
          if (occurrences(now, t.anchor.exact) === 1) expect(p.from).toBe(t.now.from);
        });
      }),
      { numRuns: 1_000 },
    );
  });

  it('maps unchanged text exactly even where the same quote stands twice', () => {
    const before = 'The court ruled.\n\nThe court ruled.\n\nEnd.';
    const second = before.indexOf('The court', 5);
    const anchor = anchorAt(before, second, second + 'The court ruled.'.length, 1);
    const after = `New lead paragraph.\n\n${before}`;
    const [p] = placeAnchors([anchor], after, before);
    expect(p).toEqual({ from: second + 'New lead paragraph.\n\n'.length, to: second + 'New lead paragraph.\n\n'.length + 16, by: 'mapped' });
  });

  it('follows a quote that moved, by its prefix and suffix, and a reworded one by a fuzzy match', () => {
    const before = 'Ministers met on Monday. The budget vote was delayed until spring, aides said. Nothing else.';
    const from = before.indexOf('The budget');
    const to = before.indexOf(', aides');
    const anchor = anchorAt(before, from, to, 2);
    const moved = `Nothing else. ${before.slice(0, from)}${before.slice(from)}`;
    const [quote] = placeAnchors([anchor], moved);
    expect(quote!.by).toBe('quote');
    expect(moved.slice(quote!.from!, quote!.to!)).toBe(anchor.exact);
    const reworded = before.replace('was delayed until spring', 'was delayed till spring');
    const [fuzzy] = placeAnchors([anchor], reworded, before);
    expect(fuzzy!.by).toBe('fuzzy');
    expect(reworded.slice(fuzzy!.from!, fuzzy!.to!)).toContain('delayed till spring');
  });

  it('reports a note whose text is gone as detached, keeping its quote', () => {
    const before = 'A claim that needs a second source. Other text here.';
    const anchor = anchorAt(before, 0, 35, 1);
    const [p] = placeAnchors([anchor], 'Completely different words now.', before);
    expect(p).toEqual({ from: null, to: null, by: 'detached' });
    expect(anchor.exact).toBe('A claim that needs a second source.');
  });

  it("with the edit's map, looks for a reworded quote only where its text went: a deleted sentence does not jump to a like one", () => {
    const filler = 'Unrelated paragraph about the harbour and its ferries. '.repeat(8);
    const before = `${filler}\n\nThe minister said the budget vote was delayed until spring.\n\n${filler}\n\nThe minister said the budget vote was delayed until autumn.\n\nEnd.`;
    const from = before.indexOf('The minister');
    const anchor = anchorAt(before, from, from + 'The minister said the budget vote was delayed until spring.'.length, 1);
    // The sentence deleted: the one like it, untouched a paragraph away, is not where the note was.
    const deleted = before.replace('The minister said the budget vote was delayed until spring.\n\n', '');
    expect(placeAnchors([anchor], deleted, before)[0]).toEqual({ from: null, to: null, by: 'detached' });
    // The sentence reworded in place: found there.
    const reworded = before.replace('delayed until spring', 'put off until spring');
    const [p] = placeAnchors([anchor], reworded, before);
    expect(p!.by).toBe('fuzzy');
    expect(reworded.slice(p!.from!, p!.to!)).toContain('put off until spring');
    // Without a map (a reopen), the nearest like text is still the best guess there is.
    expect(placeAnchors([anchor], deleted)[0]!.by).toBe('fuzzy');
  });

  it('bounds the cost of a quote that occurs everywhere', () => {
    const body = 'the '.repeat(200_000);
    const anchor = { ...anchorAt('x the y', 2, 5, 1) };
    const [p] = placeAnchors([anchor], body);
    expect(p!.by).toBe('quote');
  });

  it('validates wire shapes and roles once', () => {
    expect(notePutBodySchema.safeParse({ body: 'Needs a source', replyTo: 'abcdefgh', anchor: anchorAt('abc def', 0, 3, 1) }).success).toBe(false);
    expect(notePutBodySchema.safeParse({ body: 'ok', extra: 1 }).success).toBe(false);
    expect(notePutBodySchema.safeParse({ body: '' }).success).toBe(false);
    expect(noteAnchorSchema.safeParse({ ...anchorAt('abc def', 0, 3, 1), end: 9 }).success).toBe(false);
    expect(noteActionAllowed('resolve', 'writer', false)).toBe(false);
    expect(noteActionAllowed('resolve', 'writer', true)).toBe(true);
    expect(noteActionAllowed('resolve', 'editor', false)).toBe(true);
    expect(noteActionAllowed('edit', 'publisher', false)).toBe(false);
  });
});
