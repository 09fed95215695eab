import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OWN_SAMPLE_PATH, REFERENCE_PATH, hasReference } from '../reference-sample.js';
import { HEAVY_RULE, LIGHT_RULE, loadCatalog, parseStory, serializeStory, storyFields, toPlainText } from '../../shared/index.js';

const catalog = loadCatalog(readFileSync(new URL('../../resources/catalog.json', import.meta.url), 'utf8'));
const dir = new URL('../../resources/stories/', import.meta.url);
const samples = readdirSync(dir).filter((f) => /\.(md|txt)$/.test(f) && f !== 'README.md');
const reference = hasReference ? readFileSync(REFERENCE_PATH, 'utf8') : '';
const ownCollapsed = readFileSync(OWN_SAMPLE_PATH, 'utf8');

const carried = (text: string) => {
  const f = storyFields(parseStory(text, { catalog }));
  return { title: f.title, beat: f.beat, slug: f.slug, published: f.published };
};

describe('plain-text export (story-format.md §4)', () => {
  it('writes the layout of the spec', () => {
    const story = parseStory('---\ntitle: Hello\nbeat: open-source-ai\nslug: hello-0001\npublished: 2026-01-02T03:04:05.000Z\n---\nOne.\n\nTwo.\n');
    expect(toPlainText(story, catalog)).toBe(
      [
        HEAVY_RULE,
        'AIDRAN STORY',
        HEAVY_RULE,
        'Title: Hello',
        'Beat: Open Source AI',
        'Published: 2026-01-02T03:04:05.000Z',
        'URL: https://aidran.ai/stories/hello-0001',
        LIGHT_RULE,
        'One.',
        '',
        'Two.',
        LIGHT_RULE,
        'Source: AIDRAN — https://aidran.ai',
        'This content is available under https://aidran.ai/terms',
        HEAVY_RULE,
        '',
      ].join('\n'),
    );
    expect(HEAVY_RULE).toHaveLength(64);
    expect(LIGHT_RULE).toHaveLength(64);
  });

  it('reads the collapsed one-line form of our own export, body as one paragraph', () => {
    const s = parseStory(ownCollapsed, { catalog });
    expect(s.format).toBe('text');
    expect(s.meta).toMatchObject({
      title: 'Robot Arms Learn to Ask Before They Grab',
      beat: 'robotics',
      slug: 'robot-arms-learn-ask-before-grab-c3f1',
      published: '2026-05-12T08:15:00.000Z',
    });
    expect(s.body.startsWith('Warehouse operators spent the spring')).toBe(true);
    expect(s.body.endsWith('how many questions a shift can absorb.')).toBe(true);
    expect(s.notices).toEqual(['the line breaks of this export were collapsed: the body came back as one paragraph']);
    const text = toPlainText(parseStory(serializeStory(s), { catalog }), catalog);
    expect(text.replace(/\s+/g, ' ').trim()).toBe(ownCollapsed.replace(/\s+/g, ' ').trim());
  });

  it.skipIf(!hasReference)('reads the collapsed one-line form of the reference sample, body as one paragraph', () => {
    const s = parseStory(reference, { catalog });
    expect(s.format).toBe('text');
    expect(s.body.startsWith("Alibaba's decision")).toBe(true);
    expect(s.body.endsWith("isn't slowing down at all.")).toBe(true);
    expect(s.notices).toEqual(['the line breaks of this export were collapsed: the body came back as one paragraph']);
  });

  it('keeps an unknown beat name and says so', () => {
    const text = toPlainText(parseStory('---\ntitle: T\nbeat: quantum-stuff\n---\nx\n'), catalog).replace('Beat: quantum-stuff', 'Beat: Quantum Stuff');
    const s = parseStory(text, { catalog });
    expect(s.meta.beat).toBe('Quantum Stuff');
    expect(s.notices.join()).toMatch(/"Quantum Stuff" is not in the catalog/);
  });

  it('refuses a broken export with a reason', () => {
    expect(parseStory(`${HEAVY_RULE}\nAIDRAN STORY\n${HEAVY_RULE}\nTitle: x\n`).error?.message).toMatch(/rules \(─\) around the body are missing/);
  });

  it.each(samples)('md → text → md and text → md → text keep every carried field and the body: %s', (file) => {
    const original = readFileSync(new URL(file, dir), 'utf8');
    const story = parseStory(original, { catalog });
    // md → text → md
    const text = toPlainText(story, catalog);
    const md = serializeStory(parseStory(text, { catalog }));
    expect(carried(md)).toEqual({ ...carried(original), slug: carried(text).slug });
    expect(parseStory(md).body.trim()).toBe(story.body.trim());
    // text → md → text
    expect(toPlainText(parseStory(md, { catalog }), catalog)).toBe(text);
  });

  it.skipIf(!hasReference)('the reference sample survives text → md → text (as its multi-line form)', () => {
    const md = serializeStory(parseStory(reference, { catalog }));
    const text = toPlainText(parseStory(md, { catalog }), catalog);
    expect(text.replace(/\s+/g, ' ').trim()).toBe(reference.replace(/\s+/g, ' ').trim());
  });
});
