import type { LintRule } from '../types.js';

/** `meta-missing`: no title or no beat (both are needed to publish). */
export const metaMissing: LintRule = {
  name: 'meta-missing',
  severity: 'error',
  description: 'no title or no beat',
  check(ctx) {
    for (const key of ['title', 'beat'] as const) {
      if (ctx.fields[key] !== undefined) continue;
      const span = ctx.span(key in ctx.story.meta ? key : '@head');
      const to = key in ctx.story.meta ? span.to : Math.min(span.to, span.from + 3);
      ctx.report({ message: `the story has no ${key}: add "${key}:" to the front matter`, from: span.from, to, at: span });
    }
  },
};
