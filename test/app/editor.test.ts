import { CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { EditorState } from '@codemirror/state';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../shared/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { catalogFacet, referenceCompletion, storyField } from '../../renderer/editor/index.js';

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
