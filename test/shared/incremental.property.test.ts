import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IncrementalRender, loadCatalog, parseStory, renderHtml, renderMarkdown } from '../../shared/index.js';

// Issue 13: the incremental render equals a full render, byte for byte, after every edit.
const RUNS = 1_000;
const catalog = loadCatalog(readFileSync(new URL('../fixtures/shared/catalog-small.json', import.meta.url), 'utf8'));

/** Lines and pieces that make markdown's block structure interesting: every kind of block, and what joins or splits them. */
const PIECES = [
  'A paragraph with {{entity:eu|the EU}} and a marker [¹].',
  'Another line [²] of text, [1] and [¹] again.',
  '',
  '',
  '\n',
  '# Heading',
  '## Sub',
  'Setext',
  '===',
  '---',
  '***',
  '- item',
  '- item [¹]',
  '  - nested',
  '1. first',
  '2) second',
  '   continued',
  '> quote [²]',
  '> > deeper',
  '>',
  '```',
  '```js',
  '~~~',
  '    indented code',
  '\tcode',
  '<div>raw</div>',
  '[link][ref]',
  '[ref]',
  '[ref]: https://example.org "T"',
  '[1]: https://example.org',
  '![img](https://x.org/a.png)',
  '{{beat:ai-policy}}',
  '{{story:x',
  '{{',
  '}}',
  '*emph* **strong**',
  '`code [¹]`',
  '\\[¹]',
  'lazy continuation',
  '   ',
  '+ plus',
  '* star',
  '10. ten',
];
const piece = fc.constantFrom(...PIECES);
const story = fc.array(piece, { maxLength: 30 }).map((lines) => lines.join('\n'));
const edit = fc.record({
  at: fc.nat(),
  len: fc.nat({ max: 40 }),
  insert: fc.oneof(
    fc.constantFrom('', '\n', '\n\n', 'x', ' ', '[¹]', '{{', '}}', '>', '- ', '#', '`', '```', '---', '    ', '\r', '\r\n'),
    piece.map((p) => `${p}\n`),
    fc.string({ maxLength: 5 }),
  ),
});

function apply(text: string, e: { at: number; len: number; insert: string }): string {
  const at = e.at % (text.length + 1);
  return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.len));
}

describe('incremental render (issue 13)', () => {
  it(`equals renderMarkdown of the whole body after every edit (${RUNS} runs of random edit sequences)`, () => {
    fc.assert(
      fc.property(story, fc.array(edit, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 9 }), (start, edits, offset) => {
        const inc = new IncrementalRender({ catalog });
        let text = start;
        let lineOffset = offset;
        expect(inc.render(text, lineOffset)).toBe(renderMarkdown(text, { catalog, lineOffset }));
        for (const e of edits) {
          text = apply(text, e);
          // Now and then the front matter grows or shrinks, moving the body's first line.
          if (e.len % 7 === 0) lineOffset = 1 + ((lineOffset + e.len) % 5);
          expect(inc.render(text, lineOffset)).toBe(renderMarkdown(text, { catalog, lineOffset }));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('a keystroke in a long story parses again a few blocks, not the story', () => {
    const paras = Array.from({ length: 2_000 }, (_, i) => `Paragraph ${i} with {{entity:eu|the EU}} and a marker [${(i % 9) + 1}].`);
    let text = paras.join('\n\n');
    const inc = new IncrementalRender({ catalog });
    inc.render(text, 5);
    const at = text.indexOf('Paragraph 1000 ') + 9;
    text = `${text.slice(0, at)}x${text.slice(at)}`;
    expect(inc.render(text, 5)).toBe(renderMarkdown(text, { catalog, lineOffset: 5 }));
    expect(inc.reparsed).toBeLessThanOrEqual(4);
    text = `${text.slice(0, at)}\n\n${text.slice(at)}`;
    expect(inc.render(text, 5)).toBe(renderMarkdown(text, { catalog, lineOffset: 5 }));
    expect(inc.reparsed).toBeLessThanOrEqual(5);
  });

  it('renderHtml through it equals renderHtml, citation list included, as the front matter and body change', () => {
    const head = (n: number) =>
      `---\ntitle: T\nbeat: ai-policy\ncitations:\n${Array.from({ length: n }, (_, i) => `  - n: ${i + 1}\n    url: https://example.org/${i}\n`).join('')}---\n`;
    const inc = new IncrementalRender({ catalog });
    const bodies = ['One [¹].\n\nTwo [²] [¹].', 'One [¹].\n\nTwo [²] [¹] [³].', 'Zero [³].\n\nOne [¹].\n\nTwo [²] [¹] [³].'];
    for (const [i, body] of bodies.entries()) {
      const story = parseStory(head(i + 1) + body);
      expect(renderHtml(story, { catalog, incremental: inc })).toBe(renderHtml(story, { catalog }));
    }
  });
});
