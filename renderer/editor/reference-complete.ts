import { CompletionContext, completionStatus, startCompletion, type Completion, type CompletionResult } from '@codemirror/autocomplete';
import type { EditorView } from '@codemirror/view';
import { REFERENCE_KINDS, storyFields, type Beat, type CatalogIndex, type CatalogStory, type Entity, type ReferenceKind } from '../../shared/index.js';
import { catalogFacet, storyField } from './story-state.js';

/**
 * Inserts `text` and leaves the caret after the reference's closing: `closing` is added unless it
 * already follows (auto-closed brackets, or a label and its `}}` after a slug), and then skipped,
 * so that typing on never lands inside the braces.
 */
function closeAndInsert(text: string, closing: string) {
  return (view: EditorView, _c: Completion, from: number, to: number) => {
    const after = view.state.sliceDoc(to, Math.min(view.state.doc.lineAt(to).to, to + 500));
    let skip = after.startsWith(closing) ? closing.length : -1;
    if (skip < 0 && closing === '}}' && after.startsWith('|')) {
      const end = after.indexOf('}}');
      if (end >= 0 && !after.slice(0, end).includes('{{')) skip = end + 2;
    }
    const insert = skip >= 0 ? text : text + closing;
    const anchor = from + text.length + (skip >= 0 ? skip : closing.length);
    view.dispatch({ changes: { from, to, insert }, selection: { anchor }, userEvent: 'input.complete' });
  };
}

/**
 * The catalog items for `{{kind:<query>`: the catalog's own label search (built once per catalog,
 * so a keystroke costs time in the matches, not in 100,000 entities), best 100, in its order.
 */
function slugOptions(kind: ReferenceKind, query: string, catalog: CatalogIndex): Completion[] {
  return catalog.search(kind, query, 100).map(({ item }, i): Completion => {
    const boost = 99 - i;
    if (kind === 'entity') {
      const e = item as Entity;
      return {
        label: e.name,
        detail: `${e.type} · ${e.slug}`,
        info: e.aliases?.length ? `Also: ${e.aliases.join(', ')}` : undefined,
        apply: closeAndInsert(e.slug, '}}'),
        type: 'variable',
        boost,
      };
    }
    if (kind === 'beat') {
      const b = item as Beat;
      return { label: b.name, detail: `beat · ${b.slug}`, apply: closeAndInsert(b.slug, '}}'), type: 'namespace', boost };
    }
    const s = item as CatalogStory;
    return { label: s.title, detail: `story · ${s.slug}`, apply: closeAndInsert(s.slug, '}}'), type: 'text', boost };
  });
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

  // The slug is whatever stands before `|`: the catalog decides whether it is one (no second slug rule here).
  const label = /\{\{entity:([^|}\s]+)\|([^}|\n]*)$/.exec(before);
  if (label) {
    const entity = catalog.entities.get(label[1]!);
    if (!entity) return null;
    const from = context.pos - label[2]!.length;
    return {
      from,
      options: [entity.name, ...(entity.aliases ?? [])].map((l, i) => ({
        label: l,
        detail: i === 0 ? 'name' : 'alias',
        apply: closeAndInsert(l, '}}'),
        boost: 10 - i,
      })),
      validFor: /^[^}|\n]*$/,
    };
  }
  const slug = /\{\{(entity|beat|story):([^|}\n]*)$/.exec(before);
  if (slug) {
    return { from: context.pos - slug[2]!.length, options: slugOptions(slug[1] as ReferenceKind, slug[2]!, catalog), filter: false };
  }
  const kind = /\{\{([a-z]*)$/.exec(before);
  if (kind && (context.explicit || before.endsWith('{{') || kind[1]!.length > 0)) {
    if (before.endsWith('\\{{' + kind[1])) return null;
    return {
      from: context.pos - kind[1]!.length,
      options: REFERENCE_KINDS.map((k) => ({
        label: `${k}:`,
        type: 'keyword',
        detail: `${k} reference`,
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
        label: String(c.n),
        detail: [c.title, c.source].filter(Boolean).join(' — ') || c.url,
        type: 'constant',
        apply: closeAndInsert(String(c.n), ']'),
      })),
      validFor: /^\d*$/,
    };
  }
  return null;
}

/**
 * Enter while the completion is still catching up with the last letters typed (`{{entity:eu` and
 * Enter at once): CodeMirror re-queries after a debounce, and with no current result its Enter is a
 * new line inside the reference. Our source is synchronous, so ask it now and take what the writer
 * would have been offered: the catalog's best match, or the first option the typed text begins.
 */
export function acceptPendingReference(view: EditorView): boolean {
  const { state } = view;
  if (state.readOnly || completionStatus(state) !== 'pending' || !state.selection.main.empty) return false;
  const pos = state.selection.main.head;
  const result = referenceCompletion(new CompletionContext(state, pos, false, view));
  if (!result) return false;
  const typed = state.sliceDoc(result.from, pos).toLowerCase();
  const option = result.filter === false ? result.options[0] : result.options.find((o) => o.label.toLowerCase().startsWith(typed));
  if (!option || typeof option.apply !== 'function') return false;
  option.apply(view, option, result.from, pos);
  return true;
}
