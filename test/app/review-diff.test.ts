import { describe, expect, it } from 'vitest';
import { planBlocks, tokenize, wordDiff } from '../../renderer/review/diff-plan.js';

const cut = (text: string, ranges: { from: number; to: number }[]) => ranges.map((r) => text.slice(r.from, r.to));

describe('review diff: words and blocks', () => {
  it('tokenizes words, spaces and punctuation, keeping apostrophes inside words', () => {
    expect(tokenize("Altman's lab, again.")).toEqual(["Altman's", ' ', 'lab', ',', ' ', 'again', '.']);
    expect(tokenize('Zürich 2026')).toEqual(['Zürich', ' ', '2026']);
  });

  it('finds the removed and added words of a changed block', () => {
    const a = 'The zebrafinch report quotes Sam Altman.';
    const b = 'The zebrafinch memo quotes Sam Altman today.';
    const d = wordDiff(a, b)!;
    expect(cut(a, d.removed)).toEqual(['report']);
    expect(cut(b, d.added)).toEqual(['memo', ' today']);
  });

  it('ignores re-wrapping: whitespace is compared as whitespace', () => {
    expect(wordDiff('one two\nthree', 'one  two three')).toEqual({ removed: [], added: [] });
  });

  it('merges neighbouring changed words into one run', () => {
    const d = wordDiff('a b c d', 'a x y d')!;
    expect(cut('a x y d', d.added)).toEqual(['x y']);
    expect(d.removed).toHaveLength(1);
  });

  it('lines up equal blocks and pairs changed ones of the same kind', () => {
    const k = (key: string, tag = 'P.') => ({ key, tag });
    const rows = planBlocks([k('title', 'H1.'), k('one'), k('two'), k('three')], [k('title', 'H1.'), k('one'), k('two!'), k('new'), k('three')]);
    expect(rows).toEqual([
      { type: 'same', a: 0, b: 0 },
      { type: 'same', a: 1, b: 1 },
      { type: 'changed', a: 2, b: 2 },
      { type: 'added', b: 3 },
      { type: 'same', a: 3, b: 4 },
    ]);
  });

  it('does not pair blocks of different kinds', () => {
    const rows = planBlocks([{ key: 'x', tag: 'P.' }], [{ key: 'y', tag: 'UL.' }]);
    expect(rows).toEqual([
      { type: 'removed', a: 0 },
      { type: 'added', b: 0 },
    ]);
  });
});
