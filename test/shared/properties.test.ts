import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import {
  deriveSlug,
  createStory,
  lintStory,
  loadCatalog,
  parseStory,
  renderHtml,
  renderMarkdown,
  serializeStory,
  storyFields,
  toPlainText,
} from '../../shared/index.js';

const RUNS = 10_000;
const catalog = loadCatalog(readFileSync(new URL('../fixtures/shared/catalog-small.json', import.meta.url), 'utf8'));
// A hostile catalog: names that are markup must come out as text.
const hostile = loadCatalog({
  entities: [{ slug: 'eu', name: '<script>alert(1)</script>', type: 'state', aliases: ['"><img src=x onerror=alert(1)>'] }],
  beats: [{ slug: 'ai-policy', name: '<iframe src="javascript:alert(1)">' }],
  stories: [{ slug: 'gemma-4-dropped-b766', title: '<svg onload=alert(1)>' }],
});

/** Pieces that the story format and HTML care about, so that generated text hits the interesting paths. */
const PIECES = [
  '{{',
  '}}',
  '{{entity:eu}}',
  '{{entity:eu|EU}}',
  '{{entity:',
  '{{beat:ai-policy|',
  '{{story:gemma-4-dropped-b766}}',
  '{{person:x}}',
  '{{entity:Bad Slug}}',
  '\\{{',
  '|',
  ':',
  '[¹]',
  '[¹²]',
  '[1]',
  '[12]',
  '[0]',
  '[',
  ']',
  '(',
  ')',
  '[1]: https://x.org\n',
  '[a](javascript:alert(1))',
  '[a](JaVaScRiPt:alert(1))',
  '[a](&#106;avascript:alert(1))',
  '![i](data:image/svg+xml,<svg onload=alert(1)>)',
  '<javascript:alert(1)>',
  '<vbscript:msgbox>',
  '<https://ok.example>',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:x">',
  '"',
  "'",
  '&',
  '&lt;',
  '`',
  '```',
  '```js\n',
  '    ',
  '\t',
  '\n',
  '\n\n',
  '\r\n',
  '> ',
  '- ',
  '1. ',
  '# ',
  '---\n',
  '***',
  '*',
  '_',
  '**',
  'title: ',
  'beat: ai-policy\n',
  'word ',
  'Ünïcödé ',
  '\u0000',
  '\uFEFF',
  '═'.repeat(64),
  '─'.repeat(64),
];
const storyish = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 6 })), { maxLength: 40 }).map((a) => a.join(''));
const anyText = fc.oneof(storyish, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 120 }));

const BLOCK = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'div',
  'section',
  'article',
  'header',
  'footer',
  'figure',
  'dl',
]);
const ACTIVE = new Set([
  'script',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'base',
  'meta',
  'link',
  'style',
  'svg',
  'math',
  'template',
  'noscript',
  'audio',
  'video',
  'source',
  'portal',
]);
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'background', 'cite', 'data']);

type Element = DefaultTreeAdapterMap['element'];

/** What no rendered story may hold: active elements, event handlers, script URLs; and blocks without data-line. */
function problems(html: string): string[] {
  const found: string[] = [];
  const visit = (node: DefaultTreeAdapterMap['childNode'] | DefaultTreeAdapterMap['documentFragment']) => {
    if ('tagName' in node) {
      const el = node as Element;
      if (ACTIVE.has(el.tagName)) found.push(`active element <${el.tagName}>`);
      for (const a of el.attrs) {
        if (/^on/i.test(a.name)) found.push(`event handler ${a.name}`);
        if (URL_ATTRS.has(a.name) && /^(javascript|vbscript|data):/i.test(a.value.replace(/[\u0000-\u0020]/g, ''))) found.push(`${a.name}=${a.value}`);
        if (a.name === 'style') found.push('style attribute');
      }
      if (BLOCK.has(el.tagName) && !el.attrs.some((a) => a.name === 'data-line')) found.push(`<${el.tagName}> without data-line`);
    }
    if ('childNodes' in node) for (const c of node.childNodes) visit(c);
  };
  visit(parseFragment(html));
  return found;
}

describe('properties of the story core (fast-check, 10,000 runs each)', () => {
  it('the executable-content check itself catches what it looks for', () => {
    expect(problems('<p><a href=" javascript:x" onclick="y">a</a><script></script></p><ul><li data-line="1">x</li></ul>').sort()).toEqual([
      '<p> without data-line',
      '<ul> without data-line',
      'active element <script>',
      'event handler onclick',
      'href= javascript:x',
    ]);
  });

  it('parse, render and lint never throw on any string', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const story = parseStory(text, { catalog });
        renderHtml(story, { catalog });
        renderHtml(story, { catalog, standalone: true });
        lintStory(story, catalog);
        renderMarkdown(text, { catalog });
        toPlainText(story, catalog);
      }),
      { numRuns: RUNS },
    );
  });

  it('rendered output has no executable content and every block element has data-line', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, useHostile) => {
        const c = useHostile ? hostile : catalog;
        const story = parseStory(text, { catalog: c });
        expect(problems(renderMarkdown(text, { catalog: c }))).toEqual([]);
        expect(problems(renderHtml(story, { catalog: c }))).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('lint diagnostics point inside the file with consistent lines', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const d of lintStory(parseStory(text, { catalog }), catalog)) {
          expect(d.from).toBeGreaterThanOrEqual(0);
          expect(d.to).toBeLessThanOrEqual(text.length);
          expect(d.from).toBeLessThanOrEqual(d.to);
          expect(d.line).toBe(text.slice(0, d.from).split('\n').length);
        }
      }),
      { numRuns: RUNS },
    );
  });

  const line = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim() !== '' && !/[\r\n\u2028\u2029\u0085]/.test(s));
  const slug = fc.stringMatching(/^[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,3}$/);
  const iso = fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString());
  const paragraph = fc.array(fc.oneof(line, fc.constantFrom('{{entity:eu|EU}}', '[¹]', '[2]', '`code`', '*em*')), { minLength: 1, maxLength: 6 }).map((parts) =>
    parts
      .join(' ')
      .trim()
      .replace(/^[-#>*+=\d\s`~|_]+/, 'x ')
      .replace(/\s+$/, ''),
  );
  const body = fc.array(paragraph, { minLength: 1, maxLength: 5 }).map((ps) => `${ps.join('\n\n')}\n`);
  const meta = fc.record(
    {
      title: line.map((s) => s.trim()),
      dek: line,
      beat: fc.constantFrom('ai-policy', 'open-source-ai'),
      slug,
      published: iso,
      status: fc.constantFrom('draft', 'review', 'approved', 'published'),
      citations: fc.array(fc.record({ n: fc.integer({ min: 1, max: 99 }), url: fc.webUrl(), title: line }), { maxLength: 3 }),
      x_unknown: fc.oneof(line, fc.integer(), fc.array(line, { maxLength: 2 })),
    },
    { requiredKeys: ['title'] },
  );

  it('front matter round trip: fields and body survive serialize → parse, and serialize(parse(text)) is the text', () => {
    fc.assert(
      fc.property(meta, body, (m, b) => {
        const text = serializeStory(createStory(m, b));
        const back = parseStory(text);
        expect(back.error).toBeUndefined();
        expect(back.meta).toEqual(JSON.parse(JSON.stringify(m)));
        expect(back.body).toBe(b);
        expect(serializeStory(back)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });

  it('export round trips: md → text → md keeps title, beat, slug, published and body; text → md → text is identical', () => {
    fc.assert(
      fc.property(meta, body, (m, b) => {
        const story = createStory(m, b);
        const text = toPlainText(story, catalog);
        const imported = parseStory(text, { catalog });
        expect(imported.error).toBeUndefined();
        const f = storyFields(story);
        expect(storyFields(imported)).toMatchObject({
          title: f.title!.replace(/\s+/g, ' '),
          beat: f.beat,
          slug: f.slug ?? deriveSlug(f.title!),
          published: f.published,
        });
        // The export has no dek, status or citations (story-format.md §4): see docs/decisions.md.
        expect(imported.body.trim()).toBe(b.trim());
        const md = serializeStory(imported);
        expect(toPlainText(parseStory(md, { catalog }), catalog)).toBe(text);
      }),
      { numRuns: RUNS },
    );
  });
});
