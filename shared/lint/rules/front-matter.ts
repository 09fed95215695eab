import type { LintRule } from '../types.js';

/** `front-matter`: front matter that could not be read (not YAML, not a mapping, never closed). */
export const frontMatter: LintRule = {
  name: 'front-matter',
  severity: 'error',
  description: 'front matter that is not YAML, not a mapping, or never closed',
  check(ctx) {
    const e = ctx.story.error;
    if (!e) return;
    const span = ctx.span('@head');
    ctx.report({ message: e.message, from: e.from, to: e.to, at: e.from === span.from ? span : ctx.locate(e.from) });
  },
};
