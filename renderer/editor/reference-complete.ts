import { startCompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import type { EditorView } from '@codemirror/view';
import { REFERENCE_KINDS, normalizeLabel, storyFields, type CatalogIndex } from '../../shared/index.js';
import { catalogFacet, storyField } from './story-state.js';

/** Inserts `text`, adding `}}` unless the reference is already closed right after the cursor. */
function closeAndInsert(text: string, closing: string) {
  return (view: EditorView, _c: Completion, from: number, to: number) => {
    const closed = view.state.sliceDoc(to, to + closing.length) === closing || (closing === '}}' && view.state.sliceDoc(to, to + 1) === '|');
    const insert = closed ? text : text + closing;
    view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + text.length + (insert === text ? 0 : closing.length) }, userEvent: 'input.complete' });
  };
}

function rank(query: string, values: string[]): number {
  const q = normalizeLabel(query);
  if (!q) return 1;
  let best = 0;
  for (const v of values) {
    const n = normalizeLabel(v);
    if (n === q) best = Math.max(best, 4);
    else if (n.startsWith(q)) best = Math.max(best, 3);
    else if (n.split(' ').some((w) => w.startsWith(q))) best = Math.max(best, 2);
    else if (n.includes(q)) best = Math.max(best, 1);
  }
  return best;
}

function slugOptions(kind: string, query: string, catalog: CatalogIndex): Completion[] {
  const out: Array<Completion & { score: number }> = [];
  if (kind === 'entity') {
    for (const e of catalog.entities.values()) {
      const score = rank(query, [e.name, e.slug, ...(e.aliases ?? [])]);
      if (score) out.push({ label: e.name, detail: `${e.type} · ${e.slug}`, info: e.aliases?.length ? `Also: ${e.aliases.join(', ')}` : undefined, apply: closeAndInsert(e.slug, '}}'), type: 'variable', score });
    }
  } else if (kind === 'beat') {
    for (const b of catalog.beats.values()) {
      const score = rank(query, [b.name, b.slug]);
      if (score) out.push({ label: b.name, detail: `beat · ${b.slug}`, apply: closeAndInsert(b.slug, '}}'), type: 'namespace', score });
    }
  } else {
    for (const s of catalog.stories.values()) {
      const score = rank(query, [s.title, s.slug]);
      if (score) out.push({ label: s.title, detail: `story · ${s.slug}`, apply: closeAndInsert(s.slug, '}}'), type: 'text', score });
    }
  }
  return out.sort((a, b) => b.score - a.score || a.label.localeCompare(b.label)).slice(0, 100).map((o, i) => ({ ...o, boost: 99 - Math.min(i, 198) }));
}

/**
 * Completion inside references and citation markers: kinds after `{{`, catalog items after
 * `{{kind:` (entities by name, alias or slug, with their type), labels after `|`, and citation
 * numbers after `[` from the front matter's citations.
 */
export function referenceCompletion(context: CompletionContext): CompletionResult | null {
  const line = context.state.doc.lineAt(context.pos);
  const before = line.text.slice(0, context.pos - line.from);
  const catalog = context.state.facet(catalogFacet);

  const label = /\{\{entity:([a-z0-9]+(?:-[a-z0-9]+)*)\|([^}|\n]*)$/.exec(before);
  if (label) {
    const entity = catalog.entities.get(label[1]!);
    if (!entity) return null;
    const from = context.pos - label[2]!.length;
    return {
      from,
      options: [entity.name, ...(entity.aliases ?? [])].map((l, i) => ({ label: l, detail: i === 0 ? 'name' : 'alias', apply: closeAndInsert(l, '}}'), boost: 10 - i })),
      validFor: /^[^}|\n]*$/,
    };
  }
  const slug = /\{\{(entity|beat|story):([^|}\n]*)$/.exec(before);
  if (slug) {
    return { from: context.pos - slug[2]!.length, options: slugOptions(slug[1]!, slug[2]!, catalog), filter: false };
  }
  const kind = /\{\{([a-z]*)$/.exec(before);
  if (kind && (context.explicit || before.endsWith('{{') || kind[1]!.length > 0)) {
    if (before.endsWith('\\{{' + kind[1])) return null;
    return {
      from: context.pos - kind[1]!.length,
      options: REFERENCE_KINDS.map((k) => ({
        label: `${k}:`, type: 'keyword', detail: `${k} reference`,
        apply: (view: EditorView, _c: Completion, from: number, to: number) => {
          view.dispatch({ changes: { from, to, insert: `${k}:` }, selection: { anchor: from + k.length + 1 }, userEvent: 'input.complete' });
          queueMicrotask(() => startCompletion(view));
        },
      })),
      validFor: /^[a-z]*$/,
    };
  }
  const cite = /(^|[^\]!\\])\[(\d*)$/.exec(before);
  if (cite) {
    const citations = storyFields(context.state.field(storyField).story).citations;
    if (citations.length === 0) return null;
    return {
      from: context.pos - cite[2]!.length,
      options: citations.map((c) => ({
        label: String(c.n), detail: [c.title, c.source].filter(Boolean).join(' — ') || c.url, type: 'constant',
        apply: closeAndInsert(String(c.n), ']'),
      })),
      validFor: /^\d*$/,
    };
  }
  return null;
}
