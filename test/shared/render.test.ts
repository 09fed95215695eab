import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog, parseStory, renderHtml, renderMarkdown } from '../../shared/index.js';

const fixtures = (name: string) => new URL(`../fixtures/shared/${name}`, import.meta.url);
const catalog = loadCatalog(readFileSync(fixtures('catalog-small.json'), 'utf8'));

/** Fixture file: `~~~ description`, the input, `~~~`, the expected HTML; one loop runs them all. */
function readCases(file: string): { description: string; input: string; expected: string }[] {
  const parts = readFileSync(fixtures(file), 'utf8').split(/^~~~(?: (.*))?$/m);
  const cases = [];
  for (let i = 1; i + 3 < parts.length + 1; i += 4) {
    cases.push({ description: parts[i]!, input: parts[i + 1]!.replace(/^\n/, '').replace(/\n$/, ''), expected: parts[i + 3]!.replace(/^\n/, '') });
  }
  return cases;
}

describe('renderMarkdown (story-format.md §3)', () => {
  for (const c of readCases('render.txt')) {
    it(c.description, () => {
      expect(renderMarkdown(c.input, { catalog })).toBe(c.expected);
    });
  }

  it('uses the site setting for reference links', () => {
    expect(renderMarkdown('{{entity:eu}}', { catalog, site: 'https://news.example.org/' })).toContain('href="https://news.example.org/entities/eu"');
  });

  it('refuses a site that is not an http(s) URL', () => {
    expect(() => renderMarkdown('x', { site: 'javascript:alert(1)' })).toThrow(/not an http\(s\) URL/);
  });
});

describe('renderHtml', () => {
  const text = [
    '---',
    'title: A <b>title</b>',
    'beat: ai-policy',
    'citations:',
    '  - n: 1',
    '    url: https://example.org/a',
    '    title: Source A',
    '    source: Example',
    '  - n: 2',
    '    url: javascript:alert(1)',
    '---',
    'Body[¹] with a missing one[³].',
    '',
  ].join('\n');

  it('counts data-line in the whole file and lists citations after the body', () => {
    const html = renderHtml(parseStory(text), { catalog });
    expect(html).toContain('<p data-line="12">Body<sup class="cite"><a href="#cite-1" id="cite-ref-1">1</a></sup>');
    expect(html).toContain('<ol class="citations" data-line="4">');
    expect(html).toContain(
      '<li id="cite-1" value="1" data-line="5"><a href="https://example.org/a" rel="noopener noreferrer">Source A</a> — <span class="cite-source">Example</span>',
    );
    // A citation URL outside the allow-list is shown, never linked.
    expect(html).toContain('<li id="cite-2" value="2" data-line="9">javascript:alert(1)');
    expect(html).toContain('<li id="cite-3" value="3" class="cite-missing" data-line="4"');
  });

  it('standalone gives a whole page with the title, the beat and a stylesheet, escaped', () => {
    const html = renderHtml(parseStory(text), { catalog, standalone: true });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<title>A &lt;b&gt;title&lt;/b&gt;</title>');
    expect(html).toContain('<a class="ref ref-beat" href="https://aidran.ai/beats/ai-policy" data-kind="beat" data-slug="ai-policy">AI Policy</a>');
    expect(html).toContain('<style>');
    expect(html).not.toContain('<b>');
  });
});
