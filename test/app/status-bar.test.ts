import { describe, expect, it } from 'vitest';
import { countWords, grouped, readiness, WordCounter } from '../../renderer/components/status-bar.js';

describe('the status bar', () => {
  it('groups digits in threes, as toLocaleString("en") does, without loading locale data', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 200_000, 1_234_567, 98_765_432_101]) expect(grouped(n)).toBe(n.toLocaleString('en'));
  });

  it('counts runs of non-space holding a letter or a digit, and keeps the count across edits', () => {
    expect(countWords('A — b, 2026 … c')).toBe(4);
    const counter = new WordCounter();
    let text = 'One two three.';
    expect(counter.count(text)).toBe(3);
    for (const [at, del, ins] of [
      [4, 0, 'and '],
      [0, 3, ''],
      [text.length, 0, ' Four five'],
    ] as const) {
      text = text.slice(0, at) + ins + text.slice(at + del);
      expect(counter.count(text)).toBe(countWords(text));
    }
  });

  it('says what stands in the way of publishing', () => {
    expect(readiness({ errors: 0, warnings: 0 })).toBe('ready');
    expect(readiness({ errors: 2, warnings: 1 })).toBe('2 errors · 1 warning');
  });
});
