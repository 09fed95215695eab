import type { Fix, LintRule } from '../types.js';

/** `meta-beat-unknown`: the story's beat is not in the catalog. */
export const metaBeatUnknown: LintRule = {
  name: 'meta-beat-unknown',
  severity: 'error',
  description: 'the beat is not in the catalog',
  check(ctx) {
    const beat = ctx.fields.beat;
    if (beat === undefined || ctx.catalog.beats.has(beat)) return;
    const span = ctx.span('beat');
    // A display name ("Open Source AI") maps to its slug; a typo to the nearest slug.
    const target = ctx.catalog.beatByName(beat)?.slug ?? ctx.catalog.closestSlug('beat', beat);
    const fix: Fix | undefined = target ? { from: span.from, to: span.to, insert: target, title: `Change the beat to "${target}"` } : undefined;
    ctx.report({ message: `the beat "${beat}" is not in the catalog`, from: span.from, to: span.to, at: span, ...(fix ? { fix } : {}) });
  },
};
