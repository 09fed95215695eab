import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../shared/index.js';

const require = createRequire(import.meta.url);
const spec = require('commonmark-spec') as { tests: { markdown: string; html: string; section: string; number: number }[] };

// Examples that hold raw HTML are out: the story format shows raw HTML as text on purpose.
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>|<!--|<\?|<![A-Z[]/;
const examples = spec.tests.filter((t) => !['HTML blocks', 'Raw HTML'].includes(t.section) && !HTML_TAG.test(t.markdown));

const stripDataLine = (html: string) => html.replace(/ data-line="\d+"/g, '');

describe('CommonMark spec examples without raw HTML', () => {
  it('pass through renderMarkdown at 99 % or more', () => {
    const failed: number[] = [];
    for (const t of examples) {
      const markdown = t.markdown.replace(/→/g, '\t');
      const expected = t.html.replace(/→/g, '\t');
      if (stripDataLine(renderMarkdown(markdown)) !== expected) failed.push(t.number);
    }
    const rate = (examples.length - failed.length) / examples.length;
    console.log(
      `CommonMark ${spec.tests.length} examples, ${examples.length} without raw HTML: ${examples.length - failed.length} pass (${(rate * 100).toFixed(2)} %); failing: ${failed.join(', ') || 'none'}`,
    );
    expect(examples.length).toBeGreaterThan(500);
    expect(rate).toBeGreaterThanOrEqual(0.99);
  });
});
