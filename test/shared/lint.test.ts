import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OWN_SAMPLE_PATH, REFERENCE_PATH, hasReference } from '../reference-sample.js';
import { lintStory, loadCatalog, parseStory, readBodyFacts, type Diagnostic, type Fix } from '../../shared/index.js';

const catalog = loadCatalog(readFileSync(new URL('../../resources/catalog.json', import.meta.url), 'utf8'));
const small = loadCatalog(readFileSync(new URL('../fixtures/shared/catalog-small.json', import.meta.url), 'utf8'));
const head = '---\ntitle: T\nbeat: ai-policy\n---\n';

function lint(text: string, c = small): Diagnostic[] {
  return lintStory(parseStory(text, { catalog: c }), c);
}
function applyFix(text: string, fix: Fix): string {
  return text.slice(0, fix.from) + fix.insert + text.slice(fix.to);
}
const fixes = (d: Diagnostic): Fix[] => (d.fix ? (Array.isArray(d.fix) ? d.fix : [d.fix]) : []);

describe.skipIf(!hasReference)('the reference sample', () => {
  const text = hasReference ? readFileSync(REFERENCE_PATH, 'utf8') : '';
  const story = parseStory(text, { catalog });
  const diagnostics = lintStory(story, catalog);

  it('says its body came back as one paragraph', () => {
    expect(story.notices.join('\n')).toMatch(/one paragraph/);
    expect(story.meta).toMatchObject({
      title: 'The Open-Source Moat Drained Overnight and the Builders Barely Noticed',
      beat: 'open-source-ai',
      slug: 'open-source-moat-drained-overnight-builders-a920',
      published: '2026-04-06T09:26:16.988Z',
    });
  });

  it('finds the three mislabelled entities, each fixed to the right one, and the citation with no source: nothing else', () => {
    expect(diagnostics.map((d) => d.rule)).toEqual(['ref-label-mismatch', 'citation-missing', 'ref-label-mismatch', 'ref-label-mismatch']);
    const labels = diagnostics.filter((d) => d.rule === 'ref-label-mismatch');
    expect(labels.map((d) => text.slice(d.from, d.to))).toEqual([
      '{{entity:deepseek|Qwen}}',
      '{{entity:github|Hacker News}}',
      '{{entity:sam-altman|Andrej Karpathy}}',
    ]);
    expect(labels.map((d) => applyFix(text.slice(0, d.to), fixes(d)[0]!).slice(d.from))).toEqual([
      '{{entity:qwen|Qwen}}',
      '{{entity:hacker-news|Hacker News}}',
      '{{entity:andrej-karpathy|Andrej Karpathy}}',
    ]);
    const cite = diagnostics.find((d) => d.rule === 'citation-missing')!;
    expect(text.slice(cite.from, cite.to)).toBe('[¹]');
    expect(cite.line).toBe(1);
    expect(cite.column).toBe(cite.from + 1);
  });
});

describe('our collapsed export with the same kinds of mistakes', () => {
  const text = readFileSync(OWN_SAMPLE_PATH, 'utf8');
  const story = parseStory(text, { catalog });
  const diagnostics = lintStory(story, catalog);

  it('finds the three mislabelled entities, each fixed to the entity the label names, and the citation with no source', () => {
    expect(story.notices.join('\n')).toMatch(/one paragraph/);
    expect(diagnostics.map((d) => d.rule)).toEqual(['ref-label-mismatch', 'ref-label-mismatch', 'ref-label-mismatch', 'citation-missing']);
    const labels = diagnostics.filter((d) => d.rule === 'ref-label-mismatch');
    expect(labels.map((d) => applyFix(text.slice(0, d.to), fixes(d)[0]!).slice(d.from))).toEqual([
      '{{entity:jensen-huang|Jensen Huang}}',
      '{{entity:anthropic|Anthropic}}',
      '{{entity:yann-lecun|Yann LeCun}}',
    ]);
    expect(text.slice(diagnostics[3]!.from, diagnostics[3]!.to)).toBe('[²]');
  });
});

describe('lint rules (story-format.md §6)', () => {
  it('ref-syntax: unknown kind, invalid or empty slug, unclosed — each with line and column', () => {
    const text = `${head}A {{person:sam-altman}} B {{entity:Sam Altman}} C {{entity:}}\nD {{entity:eu and {{entity:eu}}\n`;
    const d = lint(text).filter((x) => x.rule === 'ref-syntax');
    expect(d.map((x) => text.slice(x.from, x.from + 12))).toEqual(['{{person:sam', '{{entity:Sam', '{{entity:}}\n', '{{entity:eu ']);
    expect(d.map((x) => [x.line, x.column])).toEqual([
      [5, 3],
      [5, 27],
      [5, 51],
      [6, 3],
    ]);
    expect(applyFix(text, fixes(d[0]!)[0]!)).toContain('{{entity:sam-altman}}');
    expect(applyFix(text, fixes(d[1]!)[0]!)).toContain('{{entity:sam-altman}}');
    expect(applyFix(text, fixes(d[3]!)[0]!)).toContain('D \\{{entity:eu and');
    // The well-formed reference after the unclosed one is still read.
    expect(lint(text).some((x) => x.rule === 'ref-unknown')).toBe(false);
  });

  it('ref-unknown offers the closest known slug', () => {
    const text = `${head}{{entity:open-ai}} and {{entity:zzzzzz}}\n`;
    const d = lint(text).filter((x) => x.rule === 'ref-unknown');
    expect(d).toHaveLength(2);
    expect(applyFix(text, fixes(d[0]!)[0]!)).toContain('{{entity:openai}}');
    expect(d[1]!.fix).toBeUndefined();
  });

  it('ref-label-mismatch ignores case, spacing, punctuation and a possessive', () => {
    const ok = `${head}{{entity:sam-altman|altman's}} {{entity:eu|e.u.}} {{entity:sam-altman|SAM  ALTMAN}}\n`;
    expect(lint(ok)).toEqual([]);
    const text = `${head}{{entity:eu|Brussels}}\n`;
    const [d] = lint(text);
    expect(d!.rule).toBe('ref-label-mismatch');
    expect(d!.severity).toBe('warning');
    expect(applyFix(text, fixes(d!)[0]!)).toContain('{{entity:eu|European Union}}');
  });

  it('no label rule for beats and stories', () => {
    expect(lint(`${head}{{beat:ai-policy|the policy conversation}} {{story:gemma-4-dropped-b766|that piece}}\n`)).toEqual([]);
  });

  it('citation-missing, citation-unused, citation-url', () => {
    const text = '---\ntitle: T\nbeat: ai-policy\ncitations:\n  - n: 1\n    url: ftp://x.org/a\n  - n: 2\n    url: https://x.org/b\n---\nA[¹] B[3]\n';
    const d = lint(text);
    expect(d.map((x) => [x.rule, x.severity, text.slice(x.from, x.to)])).toEqual([
      ['citation-url', 'error', 'ftp://x.org/a'],
      ['citation-unused', 'warning', 'n: 2\n    url: https://x.org/b'],
      ['citation-missing', 'error', '[3]'],
    ]);
  });

  it('markers inside code and links are not citations', () => {
    expect(lint(`${head}\`[1]\` and [1](https://x.org)\n`)).toEqual([]);
  });

  it('meta-missing, meta-beat-unknown (with a fix from the display name), slug-invalid', () => {
    expect(lint('Body only\n').map((d) => d.rule)).toEqual(['meta-missing', 'meta-missing']);
    const text = '---\ntitle: T\nbeat: AI Policy\nslug: Bad_Slug!\n---\nx\n';
    const d = lint(text);
    expect(d.map((x) => x.rule)).toEqual(['meta-beat-unknown', 'slug-invalid']);
    expect(applyFix(text, fixes(d[0]!)[0]!)).toContain('beat: ai-policy');
    expect(applyFix(text, fixes(d[1]!)[0]!)).toContain('slug: bad-slug');
    expect([d[0]!.line, d[0]!.column]).toEqual([3, 7]);
  });

  it('meta-invalid and front-matter report values of the wrong shape and unreadable YAML', () => {
    expect(lint('---\ntitle: T\nbeat: ai-policy\nstatus: publshed\npublished: yesterday\n---\n').map((d) => d.rule)).toEqual(['meta-invalid', 'meta-invalid']);
    const d = lint('---\ntitle: [oops\n---\nbody {{entity:nobody}}\n');
    expect(d.map((x) => x.rule)).toEqual(['front-matter', 'ref-unknown']);
  });

  it('every sample story lints as its README says: clean ones clean, showcases break their rules', () => {
    const dir = new URL('../../resources/stories/', import.meta.url);
    const files = [
      'gemma-4-dropped.md',
      'brussels-reopens-ai-act.md',
      'twelve-signals-chip-export-fight.md',
      'newsrooms-teaching-their-cms.md',
      'warehouse-robots-ask-for-help.md',
      'exported-sample.txt',
    ];
    for (const f of files) {
      const d = lintStory(parseStory(readFileSync(new URL(f, dir), 'utf8'), { catalog }), catalog);
      expect(d, f).toEqual([]);
    }
    const broken = new Set<string>();
    for (const f of ['lint-showcase-references.md', 'lint-showcase-citations.md', 'lint-showcase-metadata.md']) {
      for (const x of lintStory(parseStory(readFileSync(new URL(f, dir), 'utf8')), catalog)) broken.add(x.rule);
    }
    expect([...broken].sort()).toEqual([
      'citation-missing',
      'citation-unused',
      'citation-url',
      'meta-beat-unknown',
      'meta-missing',
      'ref-label-mismatch',
      'ref-syntax',
      'ref-unknown',
      'slug-invalid',
    ]);
  });
});

describe('body facts', () => {
  const text = `${head}About {{entity:sam-altman|Altman}}[1] and {{nope}}.\n`;

  it('are read once per story object: lintStory and a later reader share them, frozen', () => {
    const story = parseStory(text, { catalog: small });
    const first = readBodyFacts(story);
    expect(readBodyFacts(story)).toBe(first);
    expect(lintStory(story, small)).toEqual(lint(text));
    expect(readBodyFacts(story)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.references) && Object.isFrozen(first.citations) && Object.isFrozen(first.malformed)).toBe(true);
    expect(first.references.map((r) => r.slug)).toEqual(['sam-altman']);
    expect(first.malformed).toHaveLength(1);
    // Another story object with the same text: facts equal, read for it.
    const twin = parseStory(text, { catalog: small });
    expect(readBodyFacts(twin)).not.toBe(first);
    expect(readBodyFacts(twin)).toEqual(first);
  });

  it('are read again when the story object now holds another body or starts it elsewhere', () => {
    const story = parseStory(text, { catalog: small });
    const first = readBodyFacts(story);
    story.body = 'Only {{entity:openai}} now.\n';
    const second = readBodyFacts(story);
    expect(second.references.map((r) => r.slug)).toEqual(['openai']);
    expect(second.citations).toEqual([]);
    story.bodyStart = { ...story.bodyStart, offset: story.bodyStart.offset + 10, line: story.bodyStart.line + 1 };
    const third = readBodyFacts(story);
    expect(third).not.toBe(second);
    expect(third.references[0]!.from).toBe(second.references[0]!.from + 10);
    expect(third.references[0]!.line).toBe(second.references[0]!.line + 1);
    expect(first.references.map((r) => r.slug)).toEqual(['sam-altman']);
  });
});
