/** One schema for the front matter: what the linter flags, what the fields read, and what the wire takes. */
import { describe, expect, it } from 'vitest';
import { createStory, frontMatterProblems, lintStory, parseStory, serializeStory, storyFields } from '../../shared/index.js';
import { storyPutBodySchema } from '../../shared/protocol/index.js';
import { putBody } from '../../shared/protocol/wire-story.js';

describe('the front-matter schema', () => {
  it('names every field of the wrong shape, once, with the field at fault', () => {
    const meta = {
      title: 3,
      dek: null,
      status: 'publshed',
      published: 'yesterday',
      citations: [{ n: 1, url: 'u' }, { url: 'x' }, { n: '1', url: 'y' }],
      extra: { any: 'thing' },
    };
    expect(frontMatterProblems(meta)).toEqual([
      { path: 'title', message: '"title" must be text' },
      { path: 'status', message: 'status "publshed" is not one of draft, review, approved, published' },
      { path: 'published', message: 'published "yesterday" is not an ISO 8601 date and time' },
      { path: 'citations.1', message: 'citation 2 needs a number n (1, 2, …)' },
      { path: 'citations.2', message: 'citation 1 is listed twice' },
    ]);
    expect(frontMatterProblems({ citations: 'none' })).toEqual([{ path: 'citations', message: 'citations must be a list of { n, url, title, source }' }]);
    expect(frontMatterProblems({ title: 'T', beat: 'b', published: '2026-03-01T09:00:00Z', citations: [{ n: '2', url: 'u' }] })).toEqual([]);
  });

  it('reads what it accepts and leaves out what it refuses, as the linter reports it', () => {
    const f = storyFields({ title: '  ', beat: 'ai-policy', status: 'nope', citations: [{ n: '2', url: 7, title: '' }, { n: 0 }] });
    expect(f).toEqual({
      title: undefined,
      dek: undefined,
      beat: 'ai-policy',
      slug: undefined,
      published: undefined,
      status: undefined,
      citations: [{ n: 2, url: '', title: undefined, source: undefined }],
    });
    const text = '---\ntitle: T\nbeat: ai-policy\nstatus: publshed\ncitations:\n  - url: https://example.org\n---\nBody.\n';
    const d = lintStory(parseStory(text)).filter((x) => x.rule === 'meta-invalid');
    expect(d.map((x) => [x.line, x.message])).toEqual([
      [4, 'status "publshed" is not one of draft, review, approved, published'],
      [6, 'citation 1 needs a number n (1, 2, …)'],
    ]);
  });

  it('builds a story file through YAML, so a title or beat with ": " or "#" round-trips to the wire', () => {
    const fields = {
      title: 'Q: what is # in YAML? "quotes" too',
      dek: 'a: b # not a comment',
      beat: 'x: y',
      slug: 'q',
      status: 'review',
      citations: [{ n: 1, url: 'https://e.org/#a: b' }],
    };
    const text = serializeStory(createStory(fields, 'Body.\n'));
    const back = storyFields(parseStory(text));
    expect(back).toMatchObject({ title: fields.title, dek: fields.dek, beat: fields.beat, citations: [{ n: 1, url: 'https://e.org/#a: b' }] });
    const wire = putBody(text, 'review');
    expect(storyPutBodySchema.parse(wire)).toMatchObject({ title: fields.title, beat: 'x: y' });
  });
});
