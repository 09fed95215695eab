/**
 * Security battery, page renders (issue 15 #3): a public story page is rendered on the event loop,
 * so it must not be rendered again for catalog changes that cannot change it. A publication
 * elsewhere on the site leaves the page (and its ETag) alone; a change to an item the page names —
 * an entity renamed, a referenced story published or withdrawn — renders it again at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogFingerprint, CatalogIndex, parseStory, recordCatalogReads, renderHtml } from '../../shared/index.js';
import { api, putStory, sampleStory, startServer, type TestServer } from '../server/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

const putEntity = async (slug: string, name: string) => {
  const r = await api(s, `/api/v1/catalog/entities/${slug}`, s.tokens.editor, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, type: 'organization' }),
  });
  expect(r.status, await r.clone().text()).toBeLessThan(300);
};
const publish = async (slug: string, over: Record<string, unknown> = {}) => {
  const r = await putStory(s, slug, sampleStory({ status: 'published', ...over }), { token: s.tokens.publisher, ifNoneMatch: '*' });
  expect(r.status, await r.clone().text()).toBe(201);
  return r.headers.get('etag')!;
};
const page = async (slug: string, etag?: string) => {
  const r = await fetch(`${s.url}/stories/${slug}`, etag ? { headers: { 'if-none-match': etag } } : {});
  return { status: r.status, etag: r.headers.get('etag'), html: await r.text() };
};

describe('a public page is rendered again only when what it shows changes', () => {
  it('an unrelated publication keeps the page (304); a rename and a withdrawal of what it names render it again', async () => {
    const tag = Date.now().toString(36);
    await putEntity(`acme-${tag}`, 'Acme Robotics');
    const laterVersion = await publish(`later-${tag}`, { title: 'The follow-up story' });
    const body = `{{entity:acme-${tag}}} shipped, and {{story:later-${tag}|the follow-up}} explains why[1].\n`;
    await publish(`main-${tag}`, { body, citations: [{ n: 1, url: 'https://example.org/one' }] });

    const first = await page(`main-${tag}`);
    expect(first.status).toBe(200);
    expect(first.html).toContain('>Acme Robotics</a>');
    expect(first.html).toMatch(new RegExp(`<a class="ref ref-story" href="[^"]*/stories/later-${tag}"`));

    // Another story published (the catalog's version moves) and another entity added: nothing this
    // page shows changed, so the page is the one already made, ETag and all.
    await publish(`other-${tag}`, { title: 'Something else entirely' });
    await putEntity(`bystander-${tag}`, 'Bystander Ltd');
    expect((await page(`main-${tag}`, first.etag!)).status).toBe(304);
    expect((await page(`main-${tag}`)).etag).toBe(first.etag);

    // The entity it names is renamed: the page says so at the next request.
    await putEntity(`acme-${tag}`, 'Acme Robotics Group');
    const renamed = await page(`main-${tag}`, first.etag!);
    expect(renamed.status).toBe(200);
    expect(renamed.html).toContain('>Acme Robotics Group</a>');
    expect(renamed.html).not.toContain('>Acme Robotics</a>');

    // The story it names is withdrawn: the reference is no longer a link.
    const withdrawn = await api(s, `/api/v1/stories/later-${tag}`, s.tokens.publisher, { method: 'DELETE', headers: { 'if-match': laterVersion } });
    expect(withdrawn.status, await withdrawn.clone().text()).toBe(200);
    const unlinked = await page(`main-${tag}`, renamed.etag!);
    expect(unlinked.status).toBe(200);
    expect(unlinked.html).toContain(`class="ref ref-unresolved" data-kind="story" data-slug="later-${tag}"`);
  });
});

describe('catalogFingerprint over what a render read', () => {
  const catalog = (entityName: string, beats = [{ slug: 'ai', name: 'AI' }], extra: { slug: string; name: string }[] = []) =>
    new CatalogIndex({
      entities: [{ slug: 'eu', name: entityName, type: 'organization' }, ...extra.map((e) => ({ ...e, type: 'organization' as const }))],
      beats,
      stories: [],
    });
  const story = parseStory('---\ntitle: T\nbeat: ai\n---\n{{entity:eu}} and {{entity:nobody}} and {{entity:eu|the Union}}.\n');

  it('notes each referenced item once, the missing ones too, and the same render as without the recording', () => {
    const index = catalog('European Union');
    const { index: view, reads } = recordCatalogReads(index);
    expect(renderHtml(story, { catalog: view, standalone: true })).toBe(renderHtml(story, { catalog: index, standalone: true }));
    expect([...reads.keys()].sort()).toEqual(['entity:eu', 'entity:nobody']);
  });

  it('moves with a read name, an item appearing, or any beat; not with an item the story does not name', () => {
    const { index: view, reads } = recordCatalogReads(catalog('European Union'));
    renderHtml(story, { catalog: view });
    const base = catalogFingerprint(catalog('European Union'), reads);
    expect(catalogFingerprint(catalog('European Union', undefined, [{ slug: 'unrelated', name: 'U' }]), reads)).toBe(base);
    expect(catalogFingerprint(catalog('The EU'), reads)).not.toBe(base);
    expect(catalogFingerprint(catalog('European Union', undefined, [{ slug: 'nobody', name: 'Now Someone' }]), reads)).not.toBe(base);
    expect(catalogFingerprint(catalog('European Union', [{ slug: 'ai', name: 'Artificial intelligence' }]), reads)).not.toBe(base);
    expect(catalogFingerprint(catalog('European Union', [...[{ slug: 'ai', name: 'AI' }], { slug: 'new', name: 'New' }]), reads)).not.toBe(base);
  });
});
