import { indexCatalog, type Catalog, type CatalogIndex } from '../catalog/index.js';
import { storyFields } from '../story/fields.js';
import type { SourceSpan, Story, StoryFields } from '../story/types.js';
import { lineIndexAt, lineStarts } from '../text-util.js';
import { readBodyFacts, type BodyFacts } from './body-facts.js';
import { LINT_RULES } from './registry.js';
import type { Diagnostic, LintContext, LintRule } from './types.js';

export interface LintOptions {
  /** Only these rules (by name); all when left out. */
  rules?: readonly string[];
  /** What the body holds, when already known (the incremental linter's); read from the story otherwise. */
  body?: BodyFacts;
  /** The story's fields, when already read (the incremental linter's, once per front matter). */
  fields?: StoryFields;
}

/**
 * Every diagnostic of a story against a catalog, in file order. Linear in the story: the catalog is
 * indexed once (and kept for the next lint of the same catalog object).
 */
export function lintStory(story: Story, catalog?: Catalog | CatalogIndex, options: LintOptions = {}): Diagnostic[] {
  const index = indexCatalog(catalog);
  const diagnostics: Diagnostic[] = [];
  let headStarts: number[] | undefined;
  const locate = (offset: number) => {
    headStarts ??= lineStarts(story.head);
    const i = lineIndexAt(headStarts, offset);
    return { line: i + 1, column: offset - headStarts[i]! };
  };
  const fileStart: SourceSpan = story.spans['@head'] ?? { from: 0, to: 0, line: 1, column: 0 };
  let rule: LintRule = LINT_RULES[0]!;
  const ctx: LintContext = {
    story,
    fields: options.fields ?? storyFields(story),
    body: options.body ?? readBodyFacts(story),
    catalog: index,
    span: (path) => story.spans[path] ?? fileStart,
    locate,
    report: (d) => {
      diagnostics.push({
        rule: rule.name,
        severity: rule.severity,
        message: d.message,
        line: d.at.line,
        column: d.at.column + 1,
        from: d.from,
        to: Math.max(d.from, d.to),
        ...(d.fix ? { fix: d.fix } : {}),
      });
    },
  };
  for (const r of LINT_RULES) {
    if (options.rules && !options.rules.includes(r.name)) continue;
    // A story whose front matter could not be read has no fields to judge: only say why.
    if (story.error && r.name !== 'front-matter' && !r.name.startsWith('ref-') && !r.name.startsWith('citation-missing')) continue;
    rule = r;
    r.check(ctx);
  }
  return diagnostics.sort((a, b) => a.from - b.from || a.to - b.to);
}

/** Whether any diagnostic is an error (what refuses a story on publishing and fails `studio lint`). */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
