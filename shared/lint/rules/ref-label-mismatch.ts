import type { Fix, LintRule } from '../types.js';

/**
 * `ref-label-mismatch`: an entity reference whose label is neither the entity's name nor an alias.
 * The fix points the reference at the entity the label does name, or else uses the entity's name.
 */
export const refLabelMismatch: LintRule = {
  name: 'ref-label-mismatch',
  severity: 'warning',
  description: "an entity reference whose label matches neither the entity's name nor an alias",
  check(ctx) {
    for (const r of ctx.body.references) {
      if (r.kind !== 'entity' || r.label === undefined || r.labelFrom === undefined) continue;
      const entity = ctx.catalog.entities.get(r.slug);
      if (!entity || ctx.catalog.labelMatches(entity, r.label)) continue;
      const named = ctx.catalog.entitiesForLabel(r.label).filter((e) => e.slug !== r.slug);
      const fixes: Fix[] = named.length
        ? named.map((e) => ({ from: r.slugFrom, to: r.slugTo, insert: e.slug, title: `Point to "${e.slug}" (${e.name})` }))
        : [{ from: r.labelFrom!, to: r.labelTo!, insert: entity.name, title: `Use the name "${entity.name}"` }];
      const hint = named.length ? `; it names ${named.map((e) => `"${e.slug}"`).join(' or ')}` : '';
      ctx.report({
        message: `the label "${r.label}" is not a name of ${entity.name} ("${entity.slug}")${hint}`,
        from: r.from,
        to: r.to,
        at: r,
        fix: fixes.length === 1 ? fixes[0]! : fixes,
      });
    }
  },
};
