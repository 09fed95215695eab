/**
 * Security battery, wire shapes (issue 15 #4): strict shapes on the wire and bounded JSON. A value
 * nested thousands deep must never be stored (it broke every studio's pull) nor answer 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_MAX_DEPTH, parseJsonBounded } from '../../shared/protocol/index.js';
import { putStory, sampleStory, startServer, type TestServer } from '../server/helpers.js';

const nested = (depth: number, leaf = '1') => '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);

/** A PUT body whose first citation carries an extra key holding a value nested `depth` deep. */
function deepCitationBody(depth: number): string {
  const json = JSON.stringify(sampleStory({ citations: [{ n: 1, url: 'https://example.org/one', title: 'First source', source: 'Example News' }] }));
  return json.replace('"source":"Example News"}', `"source":"Example News","extra":${nested(depth)}}`);
}

describe('bounded JSON', () => {
  it(`takes values nested up to ${JSON_MAX_DEPTH} deep and refuses deeper ones with one line`, () => {
    expect(parseJsonBounded(nested(JSON_MAX_DEPTH - 1))).toMatchObject({ ok: true });
    expect(parseJsonBounded('['.repeat(JSON_MAX_DEPTH) + ']'.repeat(JSON_MAX_DEPTH))).toMatchObject({ ok: true });
    const deep = parseJsonBounded(nested(JSON_MAX_DEPTH + 1));
    expect(deep).toEqual({ ok: false, error: `the JSON nests deeper than ${JSON_MAX_DEPTH} levels` });
    // Brackets inside strings are text, not nesting.
    expect(parseJsonBounded(JSON.stringify({ s: '[[[[{{{{'.repeat(100) + '\\"[' }))).toMatchObject({ ok: true });
    expect(parseJsonBounded('{"a": [1, 2')).toMatchObject({ ok: false, error: expect.stringMatching(/^the JSON does not parse/) });
    expect(parseJsonBounded('"x"'.padEnd(100, ' '), { maxBytes: 50 })).toEqual({ ok: false, error: 'the JSON is 100 bytes, more than 50' });
  });

  it('refuses 10,000 levels at once, without a stack overflow', () => {
    expect(parseJsonBounded('['.repeat(10_000) + ']'.repeat(10_000))).toMatchObject({ ok: false });
    expect(parseJsonBounded('['.repeat(2_000_000))).toMatchObject({ ok: false });
  });
});

describe('strict story PUTs', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses a citation with an unknown key (400), naming it', async () => {
    const body = sampleStory({ citations: [{ n: 1, url: 'https://example.org/one', extra: 'x' } as never] });
    const r = await putStory(s, 'citation-extra-key', body, { token: s.tokens.writer, ifNoneMatch: '*' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/unknown field "extra"/);
  });

  for (const depth of [2_500, 10_000]) {
    it(`refuses a citation with an extra key nested ${depth.toLocaleString('en')} deep (400, never 500), and stores nothing`, async () => {
      const slug = `deep-citation-${depth}`;
      const r = await putStory(s, slug, null, { token: s.tokens.writer, ifNoneMatch: '*', raw: deepCitationBody(depth) });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'bad_request', message: expect.stringContaining(`deeper than ${JSON_MAX_DEPTH}`) });
      expect(await s.store.getStory(slug)).toBeNull();
    });
  }

  it('refuses a deep value in any JSON body, the catalog too (400)', async () => {
    const r = await fetch(`${s.url}/api/v1/catalog/entities/deep-one`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.tokens.editor}`, 'content-type': 'application/json' },
      body: `{"slug":"deep-one","name":"Deep","kind":"org","x":${nested(5_000)}}`,
    });
    expect(r.status).toBe(400);
    const extra = await fetch(`${s.url}/api/v1/catalog/entities/extra-one`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.tokens.editor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Extra', type: 'organization', colour: 'red' }),
    });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { message: string }).message).toMatch(/colour/);
  });
});
