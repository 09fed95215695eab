import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../shared/index.js';

const require = createRequire(import.meta.url);
const spec = require('commonmark-spec') as { tests: { markdown: string; html: string; section: string; number: number }[] };

// Examples that hold raw HTML are out: the story format shows raw HTML as text on purpose.
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?\/?>|<!--|<\?|<![A-Z[]/;
const examples = spec.tests.filter((t) => !['HTML blocks', 'Raw HTML'].includes(t.section) && !HTML_TAG.test(t.markdown));

const stripDataLine = (html: string) => html.replace(/ data-line="\d+"/g, '');

/**
 * The examples expected to fail, each for a reason of the story format: autolinks whose scheme is
 * not on the URL allow-list (http, https, mailto) render as text, not as links.
 */
const EXPECTED_FAILURES: Record<number, string> = {
  596: 'irc: is not an allowed scheme',
  598: 'a+b+c: is not an allowed scheme',
  599: 'made-up-scheme: is not an allowed scheme',
  601: 'localhost: is not an allowed scheme',
};

describe('CommonMark spec examples without raw HTML', () => {
  it('pass through renderMarkdown, but for the listed examples (the URL allow-list)', () => {
    const failed: number[] = [];
    for (const t of examples) {
      const markdown = t.markdown.replace(/→/g, '\t');
      const expected = t.html.replace(/→/g, '\t');
      if (stripDataLine(renderMarkdown(markdown)) !== expected) failed.push(t.number);
    }
    console.log(
      `CommonMark ${spec.tests.length} examples, ${examples.length} without raw HTML: ${examples.length - failed.length} pass; failing: ${failed.join(', ') || 'none'}`,
    );
    expect(examples.length).toBeGreaterThan(500);
    expect(failed).toEqual(Object.keys(EXPECTED_FAILURES).map(Number));
  });
});
