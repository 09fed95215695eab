import { REFERENCE_KINDS, type ReferenceKind } from '../../catalog/index.js';
import { isValidSlug, slugify } from '../../slug.js';
import { editDistance } from '../../text-util.js';
import type { Fix, LintRule } from '../types.js';

/** `ref-syntax`: something that starts with `{{` and is not a well-formed reference. */
export const refSyntax: LintRule = {
  name: 'ref-syntax',
  severity: 'error',
  description: 'a malformed reference: unknown kind, empty or invalid slug, {{ never closed',
  check(ctx) {
    for (const m of ctx.body.malformed) {
      const at = { line: m.line, column: m.column };
      if (m.reason === 'unclosed') {
        ctx.report({
          message: '"{{" is never closed: a reference is {{kind:slug}} or {{kind:slug|label}} on one line',
          from: m.from,
          to: m.to,
          at,
          fix: { from: m.from, to: m.from, insert: '\\', title: 'Write a literal "{{"' },
        });
        continue;
      }
      const inner = m.text.slice(2, -2);
      const head = inner.split('|')[0]!;
      if (m.reason === 'kind') {
        const colon = head.indexOf(':');
        const kind = colon === -1 ? '' : head.slice(0, colon);
        const slug = colon === -1 ? head.trim() : head.slice(colon + 1);
        const kinds = kindsFor(kind, slug, (k, s) => ctx.catalog.has(k, s));
        const fixes: Fix[] = kinds.map((k) =>
          colon === -1
            ? { from: m.partFrom!, to: m.partTo!, insert: `${k}:${slug}`, title: `Make it {{${k}:${slug}}}` }
            : { from: m.partFrom!, to: m.partTo!, insert: k, title: `Change the kind to "${k}"` },
        );
        ctx.report({
          message:
            colon === -1
              ? `"${m.text}" has no kind: write {{entity:…}}, {{beat:…}} or {{story:…}}`
              : `unknown reference kind "${kind}": use entity, beat or story`,
          from: m.from,
          to: m.to,
          at,
          ...(fixes.length ? { fix: fixes.length === 1 ? fixes[0] : fixes } : {}),
        });
        continue;
      }
      const slug = m.part ?? '';
      const fixed = slugify(slug);
      const fix: Fix | undefined =
        slug && fixed && isValidSlug(fixed) && fixed !== slug
          ? { from: m.partFrom!, to: m.partTo!, insert: fixed, title: `Change the slug to "${fixed}"` }
          : undefined;
      ctx.report({
        message: slug.trim() === '' ? `"${m.text}" has no slug` : `invalid slug "${slug}": lower-case letters and digits joined by single hyphens`,
        from: m.from,
        to: m.to,
        at,
        ...(fix ? { fix } : {}),
      });
    }
  },
};

/** Kinds to offer for a wrong one: those whose catalog has the slug, else the nearest spelling. */
function kindsFor(kind: string, slug: string, has: (k: ReferenceKind, s: string) => boolean): ReferenceKind[] {
  const known = isValidSlug(slug) ? REFERENCE_KINDS.filter((k) => has(k, slug)) : [];
  if (known.length) return known;
  const lower = kind.trim().toLowerCase();
  const near = REFERENCE_KINDS.filter((k) => editDistance(lower, k, 2) <= 2 || (lower.length > 2 && k.startsWith(lower)));
  return near;
}
