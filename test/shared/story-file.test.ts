import { describe, expect, it } from 'vitest';
import { parseStory, serializeStory, updateMeta, storyFields } from '../../shared/index.js';

const file = [
  '---',
  '# a comment the editor wrote',
  'title: "Chips, Again"   # trailing comment',
  'beat: ai-policy',
  'editor_note: keep this key',
  'citations:',
  '  - n: 1   # first',
  '    url: https://example.org/a',
  '---',
  'Body line one.',
  '',
].join('\n');

describe('story file (story-format.md §1)', () => {
  it('serializes an unchanged story back byte for byte', () => {
    expect(serializeStory(parseStory(file))).toBe(file);
    const crlf = file.replace(/\n/g, '\r\n');
    expect(serializeStory(parseStory(crlf))).toBe(crlf);
    const bom = `\uFEFF${file}`;
    expect(serializeStory(parseStory(bom))).toBe(bom);
  });

  it('keeps unknown keys, key order and comments when a field changes', () => {
    const out = serializeStory(updateMeta(parseStory(file), { title: 'Chips, Once More', status: 'review' }));
    expect(out).toContain('# a comment the editor wrote');
    expect(out).toContain('editor_note: keep this key');
    expect(out).toMatch(/n: 1 +# first/);
    expect(out.indexOf('title:')).toBeLessThan(out.indexOf('beat:'));
    const again = parseStory(out);
    expect(storyFields(again)).toMatchObject({ title: 'Chips, Once More', status: 'review', beat: 'ai-policy' });
    expect(again.body).toBe('Body line one.\n');
  });

  it('reads a file without front matter as a body-only story', () => {
    const s = parseStory('Just a body.\n');
    expect(s.meta).toEqual({});
    expect(s.body).toBe('Just a body.\n');
    expect(s.bodyStart.line).toBe(1);
    expect(s.error).toBeUndefined();
  });

  it('records where the body starts, in lines of the whole file', () => {
    expect(parseStory(file).bodyStart).toEqual({ offset: file.indexOf('Body'), line: 10, column: 0 });
  });

  it.each([
    ['not YAML', '---\ntitle: [unclosed\n---\nbody\n', /not valid YAML/],
    ['not a mapping', '---\n- a\n- b\n---\nbody\n', /not a mapping/],
    ['a scalar', '---\njust words\n---\nbody\n', /not a mapping/],
    ['never closed', '---\ntitle: x\nbody\n', /never closed/],
    ['duplicate keys', '---\ntitle: a\ntitle: b\n---\n', /not valid YAML/],
  ])('reports front matter that is %s, keeping the text', (_, text, message) => {
    const s = parseStory(text);
    expect(s.error?.message).toMatch(message);
    expect(s.error?.message).not.toContain('\n');
    // Nothing typed is lost: the text serializes back as it was.
    expect(serializeStory(s)).toBe(text);
  });

  it('writes a new front matter in the canonical key order', () => {
    const s = parseStory('Body\n');
    const out = serializeStory(updateMeta(s, { status: 'draft', beat: 'ai-policy', title: 'T' }));
    expect(out).toBe('---\ntitle: T\nbeat: ai-policy\nstatus: draft\n---\nBody\n');
  });

  it('a value typed through a moment that needed quotes is written plain again once it does not', () => {
    let s = parseStory('---\ntitle: T\ndek: What\n---\nBody.\n');
    s = parseStory(serializeStory(updateMeta(s, { dek: 'What ' })));
    expect(serializeStory(s)).toContain('dek: "What "');
    s = parseStory(serializeStory(updateMeta(s, { dek: 'What the finches told' })));
    expect(serializeStory(s)).toMatch(/^dek: What the finches told$/m);
  });
});
