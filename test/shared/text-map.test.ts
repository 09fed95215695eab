// The text map that review notes and the backend's findings follow through an edit
// (shared/text-map.ts): what it maps is the same text, and an edit's untouched head and tail map.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textMap } from '../../shared/text-map.js';

// Few words and short paragraphs, so that equal paragraphs and equal lines are common: the LCS
// then has real choices to make.
const word = fc.constantFrom('vote', 'court', 'data', 'the', 'a', 'said');
const line = fc.array(word, { minLength: 1, maxLength: 5 }).map((w) => w.join(' '));
const paragraph = fc.array(line, { minLength: 1, maxLength: 3 }).map((l) => l.join('\n'));
const gap = fc.constantFrom('\n\n', '\n\n\n', '\n');
const text = fc
  .array(fc.tuple(paragraph, gap), { minLength: 0, maxLength: 8 })
  .map((ps) => ps.map(([p, g]) => p + g).join(''))
  .chain((t) => fc.constantFrom(t, `${t}\n`, t.trimEnd()));
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.nat({ max: 30 }),
  insert: fc.oneof(
    fc.constant(''),
    line,
    paragraph.map((p) => `\n\n${p}`),
    fc.constantFrom('\n', '\n\n', ' '),
  ),
});
const range = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }));

function applyEdit(t: string, e: { at: number; remove: number; insert: string }): string {
  const from = Math.floor(e.at * t.length);
  return t.slice(0, from) + e.insert + t.slice(Math.min(t.length, from + e.remove));
}

describe('textMap', () => {
  it("maps a range only onto the same text, and every range in the texts' common head or tail maps (property, 1,000 runs)", () => {
    fc.assert(
      fc.property(text, fc.array(edit, { minLength: 1, maxLength: 3 }), fc.array(range, { minLength: 1, maxLength: 12 }), (old, edits, ranges) => {
        let now = old;
        for (const e of edits) now = applyEdit(now, e);
        const map = textMap(old, now);
        const shift = now.length - old.length;
        let head = 0;
        while (head < Math.min(old.length, now.length) && old[head] === now[head]) head++;
        let tail = 0;
        while (tail < Math.min(old.length, now.length) - head && old[old.length - 1 - tail] === now[now.length - 1 - tail]) tail++;
        for (const [x, y] of ranges) {
          const from = Math.floor(Math.min(x, y) * old.length);
          const to = Math.floor(Math.max(x, y) * old.length);
          const mapped = map.mapRange(from, to);
          if (mapped) expect(now.slice(mapped.from, mapped.to)).toBe(old.slice(from, to));
          const stretch = map.stretch(from, to);
          expect(0 <= stretch.from && stretch.from <= stretch.to && stretch.to <= now.length).toBe(true);
          const at = map.approx(from);
          expect(0 <= at && at <= now.length).toBe(true);
          // The texts' common head and tail (the smallest edit that turns one into the other):
          // a range of text wholly in either maps, to the same place or shifted by what the edits added.
          if (from === to) continue;
          if (to <= head) expect(mapped).toEqual({ from, to });
          else if (from >= old.length - tail) expect(mapped).toEqual({ from: from + shift, to: to + shift });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('costs time linear in the text for an edit at the top of a long story', () => {
    const story = (n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} of the story.`).join('\n\n');
    const best = [20_000, 40_000, 80_000, 160_000].map((n) => {
      const old = story(n);
      const edited = `A new lede.\n\n${old}`;
      let ms = Infinity;
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        const map = textMap(old, edited);
        expect(map.mapRange(0, 9)).toEqual({ from: 13, to: 22 });
        ms = Math.min(ms, performance.now() - start);
      }
      return ms;
    });
    const growth = best.slice(1).map((ms, i) => ms / Math.max(best[i]!, 0.05));
    expect(Math.min(...growth), best.map((ms) => ms.toFixed(2)).join(' → ')).toBeLessThan(2.5);
  });
});
