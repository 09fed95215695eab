import type { CatalogIndex } from '../catalog/index.js';
import type { BodyFacts } from '../lint/body-facts.js';
import type { SourceSpan, Story, StoryFields } from '../story/types.js';

export type Severity = 'error' | 'warning' | 'info';

/** A text change that mends a diagnostic: replace `from`..`to` (file offsets) with `insert`. */
export interface Fix {
  from: number;
  to: number;
  insert: string;
  title: string;
}

/** One finding of the linter (story-format.md §6). `line` and `column` are 1-based. */
export interface Diagnostic {
  rule: string;
  severity: Severity;
  message: string;
  line: number;
  column: number;
  from: number;
  to: number;
  fix?: Fix | Fix[];
}

/** What a rule sees: the story, its fields, what its body holds, and the indexed catalog. */
export interface LintContext {
  story: Story;
  fields: StoryFields;
  body: BodyFacts;
  catalog: CatalogIndex;
  /** Where a front-matter value lies; the head (or the file start) when the key is absent. */
  span(path: string): SourceSpan;
  /** Line and column of an offset in the head (front matter). */
  locate(offset: number): { line: number; column: number };
  /** Adds a finding of the running rule; `at` is the 1-based line and 0-based column of `from`. */
  report(d: { message: string; from: number; to: number; at: { line: number; column: number }; fix?: Fix | Fix[] }): void;
}

/** A lint rule: its name and severity, and what it checks. */
export interface LintRule {
  name: string;
  severity: Severity;
  /** What the rule is for, one line (shown by `studio lint --rules` and in docs). */
  description: string;
  check(ctx: LintContext): void;
}
