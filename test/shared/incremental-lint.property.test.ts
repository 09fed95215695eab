import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IncrementalLint, lintStory, loadCatalog, parseStory, readBodyFacts } from '../../shared/index.js';

// Issue 13: the incremental lint equals a full lint of the same text after every edit.
const RUNS = 1_000;
const catalog = loadCatalog(readFileSync(new URL('../fixtures/shared/catalog-small.json', import.meta.url), 'utf8'));

const HEAD = '---\ntitle: A story\nbeat: ai-policy\ncitations:\n  - n: 1\n    url: https://example.org/a\n  - n: 2\n    url: ftp://x\n---\n';
const PIECES = [
  'Text with {{entity:eu|the EU}} and [¹].',
  '{{entity:eu|Brussels}} says [²] and [3].',
  '{{beat:ai-policy}} {{story:nope}}',
  '{{entity:Bad Slug}}',
  '{{person:x}}',
  '{{entity:eu',
  '{{',
  '',
  '',
  '# Head [¹]',
  '- item {{beat:x}}',
  '  - nested [²]',
  '> quote {{entity:eu}}',
  '```',
  '    code {{x',
  '`code [¹]`',
  '[1]: https://example.org',
  '[ref]: /x',
  'Setext',
  '---',
  '\\{{entity:eu}}',
  '[link [¹]](https://x.org)',
  'lazy {{entity:eu|EU}}',
];
const piece = fc.constantFrom(...PIECES);
// With front matter, without, and without but with a byte-order mark (the body then starts at column 1).
const text = fc.tuple(fc.constantFrom(HEAD, '', '\uFEFF'), fc.array(piece, { maxLength: 25 })).map(([head, lines]) => head + lines.join('\n'));
const edit = fc.record({
  at: fc.nat(),
  len: fc.nat({ max: 30 }),
  insert: fc.oneof(
    fc.constantFrom('', '\n', '\n\n', 'x', '[¹]', '[3]', '{{', '}}', '|', ':', '{{entity:eu}}', '- ', '```', '---\n', '  - n: 3\n    url: https://e.org\n'),
    piece.map((p) => `${p}\n`),
    fc.string({ maxLength: 4 }),
  ),
});

function apply(t: string, e: { at: number; len: number; insert: string }): string {
  const at = e.at % (t.length + 1);
  return t.slice(0, at) + e.insert + t.slice(Math.min(t.length, at + e.len));
}

describe('incremental lint (issue 13)', () => {
  it(`equals lintStory of the whole story after every edit (${RUNS} runs of random edit sequences)`, () => {
    fc.assert(
      fc.property(text, fc.array(edit, { minLength: 1, maxLength: 12 }), (start, edits) => {
        const inc = new IncrementalLint();
        let t = start;
        expect(inc.lint(parseStory(t), catalog)).toEqual(lintStory(parseStory(t), catalog));
        for (const e of edits) {
          t = apply(t, e);
          const story = parseStory(t);
          expect(inc.lint(story, catalog)).toEqual(lintStory(parseStory(t), catalog));
          // The facts the editor highlights, placed as a whole read places them.
          expect(inc.facts(story)).toEqual(readBodyFacts(parseStory(t)));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`equals lintStory when told each edit as the editor tells it, edits adding up between lints (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(text, fc.array(fc.tuple(edit, fc.boolean(), fc.nat({ max: 3 })), { minLength: 1, maxLength: 12 }), (start, edits) => {
        const inc = new IncrementalLint();
        let t = start;
        let story = parseStory(t);
        inc.lint(story, catalog);
        for (const [e, lintNow, under] of edits) {
          const at = e.at % (t.length + 1);
          const removed = Math.min(e.len, t.length - at);
          const next = apply(t, e);
          const nextStory = parseStory(next);
          const offset = story.bodyStart.offset;
          // Told only for an edit of the body that leaves its start where it was (as the editor does);
          // sometimes less than the truth, which must be as good.
          if (!story.error && !nextStory.error && nextStory.bodyStart.offset === offset && at >= offset) {
            const prefix = Math.max(0, at - offset - under);
            const suffix = Math.max(0, story.body.length - (at - offset + removed) - under);
            inc.edited(story.body, nextStory.body, { prefix, suffix });
          }
          t = next;
          story = nextStory;
          if (lintNow) {
            expect(inc.lint(story, catalog)).toEqual(lintStory(parseStory(t), catalog));
            expect(inc.facts(story)).toEqual(readBodyFacts(parseStory(t)));
          }
        }
        expect(inc.lint(story, catalog)).toEqual(lintStory(parseStory(t), catalog));
      }),
      { numRuns: RUNS },
    );
  });
});
