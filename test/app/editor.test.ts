import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog, lintStory, parseStory } from '../../shared/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { catalogFacet, citationChange, referenceCompletion, storyField } from '../../renderer/editor/index.js';

const catalog = loadCatalog(readFileSync(sampleCatalogPath(), 'utf8'));
const HEAD = '---\ntitle: T\nbeat: open-source-ai\ncitations:\n  - n: 1\n    url: https://example.org/a\n    title: First source\n---\n';

function complete(doc: string, explicit = false): CompletionResult | null {
  const state = EditorState.create({ doc, extensions: [catalogFacet.of(catalog), storyField] });
  return referenceCompletion(new CompletionContext(state, doc.length, explicit)) as CompletionResult | null;
}

describe('reference completion (headless)', () => {
  it('offers the three kinds after {{', () => {
    expect(complete(`${HEAD}Hello {{`)?.options.map((o) => o.label)).toEqual(['entity:', 'beat:', 'story:']);
  });

  it('finds entities by name, alias or slug, with their type', () => {
    const byAlias = complete(`${HEAD}{{entity:altm`)!;
    expect(byAlias.options[0]!.label).toBe('Sam Altman');
    expect(byAlias.options[0]!.detail).toBe('person · sam-altman');
    expect(complete(`${HEAD}{{entity:google-d`)!.options[0]!.label).toBe('Google DeepMind');
    expect(complete(`${HEAD}{{entity:deepmind`)!.options.map((o) => o.label)).toContain('Google DeepMind');
  });

  it('offers beats, stories, labels after | and citation numbers after [', () => {
    expect(complete(`${HEAD}{{beat:open`)!.options.map((o) => o.label)).toContain('Open Source AI');
    expect(complete(`${HEAD}{{story:gemma`)!.options.length).toBeGreaterThan(0);
    expect(complete(`${HEAD}{{entity:sam-altman|`)!.options.map((o) => o.label)).toEqual(['Sam Altman', 'Altman']);
    const cite = complete(`${HEAD}As reported[`)!;
    expect(cite.options.map((o) => o.label)).toEqual(['1']);
    expect(cite.options[0]!.detail).toBe('First source');
  });

  it('stays quiet in plain prose and after an escaped \\{{', () => {
    expect(complete(`${HEAD}Just words`)).toBeNull();
    expect(complete(`${HEAD}\\{{`)).toBeNull();
  });
});

describe('adding a citation from the keyboard (headless)', () => {
  const at = (doc: string, caret: number) => EditorState.create({ doc, selection: { anchor: caret }, extensions: [catalogFacet.of(catalog), storyField] });

  it('puts the next marker at the caret and its entry (URL still empty) in the front matter, in one transaction', () => {
    const doc = `${HEAD}As reported by the agency.\n`;
    const state = at(doc, doc.indexOf(' by'));
    const change = citationChange(state)!;
    expect(change.n).toBe(2);
    const next = state.update(change.spec).state;
    const text = next.doc.toString();
    expect(text).toContain('As reported[2] by the agency.');
    expect(text).toMatch(/citations:\n {2}- n: 1\n {4}url: https:\/\/example\.org\/a\n {4}title: First source\n {2}- n: 2\n {4}url: ""\n---\n/);
    // The caret stands after the marker, ready to type on.
    expect(next.selection.main.head).toBe(text.indexOf('[2]') + 3);
  });

  it('starts a list at 1 in a story without citations, keeps items it cannot read, and refuses the front matter', () => {
    const plain = '---\ntitle: T\n---\nBody.\n';
    const first = at(plain, plain.length - 1);
    const text = first.update(citationChange(first)!.spec).state.doc.toString();
    expect(text).toBe('---\ntitle: T\ncitations:\n  - n: 1\n    url: ""\n---\nBody.[1]\n');
    const odd = '---\ntitle: T\ncitations:\n  - just a note\n  - n: 4\n    url: https://x.org\n---\nBody.\n';
    const withOdd = at(odd, odd.length - 1);
    const change = citationChange(withOdd)!;
    expect(change.n).toBe(5);
    expect(withOdd.update(change.spec).state.doc.toString()).toContain('  - just a note\n');
    expect(citationChange(at(plain, 5))).toBeNull();
    expect(citationChange(at('---\ntitle: [unclosed\n---\nBody.\n', 28))).toBeNull();
  });
});

describe('the story field (headless)', () => {
  it('reads the story as parseStory does after edits in the body, at its start and in the front matter', () => {
    const doc = `${HEAD}First paragraph [1].\n\nSecond {{entity:sam-altman}}.\n`;
    let state = EditorState.create({ doc, extensions: [catalogFacet.of(catalog), storyField] });
    const edits = [
      { from: doc.length - 2, insert: ' more' },
      { from: HEAD.length, insert: 'x' },
      { from: HEAD.length + 5, insert: '\n\n---\n' },
      { from: 4, insert: 'dek: A dek\n' },
      { from: 0, to: 3, insert: '' },
      { from: 0, insert: '---' },
      { from: doc.length, insert: '\n---\ntitle: no\n' },
    ];
    for (const change of edits) {
      state = state.update({ changes: { ...change, from: Math.min(change.from, state.doc.length) } }).state;
      const text = state.doc.toString();
      expect(state.field(storyField).story).toEqual(parseStory(text, { catalog }));
      expect(state.field(storyField).text).toBe(text);
    }
  });

  it('lints as lintStory does when several body edits (told to the linter by the transaction) come between two lints', () => {
    const doc = `${HEAD}First paragraph [1] with {{entity:sam-altman}}.\n\nSecond {{entity:nobody}} [9].\n\nThird.\n`;
    let state = EditorState.create({ doc, extensions: [catalogFacet.of(catalog), storyField] });
    state.field(storyField).lint(catalog);
    const edits = [
      [{ from: doc.length - 4, insert: ' {{entity:' }],
      [
        { from: HEAD.length + 2, insert: 'ab' },
        { from: HEAD.length + 20, to: HEAD.length + 24, insert: '' },
      ],
      [{ from: doc.length - 3, insert: ' [2] {{beat:' }],
      [{ from: HEAD.length, to: HEAD.length + 3, insert: 'Q' }],
    ];
    edits.forEach((changes, i) => {
      state = state.update({
        changes: changes.map((c) => ({ ...c, from: Math.min(c.from, state.doc.length), to: c.to && Math.min(c.to, state.doc.length) })),
      }).state;
      // A lint after every other edit: what the linter was told adds up in between.
      if (i % 2 === 1) expect(state.field(storyField).lint(catalog)).toEqual(lintStory(parseStory(state.doc.toString(), { catalog }), catalog));
    });
    expect(state.field(storyField).lint(catalog)).toEqual(lintStory(parseStory(state.doc.toString(), { catalog }), catalog));
  });
});
