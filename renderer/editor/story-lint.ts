import { forEachDiagnostic, linter, setDiagnosticsEffect, type Action, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import type { Extension, Transaction } from '@codemirror/state';
import { keymap, type Command, type EditorView } from '@codemirror/view';
import type { Fix } from '../../shared/index.js';
import { backendDiagnostics, backendDiagnosticsChanged, backendDiagnosticsField } from './backend-lint.js';
import { catalogFacet, storyField } from './story-state.js';

function fixAction(fix: Fix): Action {
  return {
    name: fix.title,
    apply(view: EditorView) {
      const len = view.state.doc.length;
      if (fix.from > len || fix.to > len) return;
      view.dispatch({ changes: { from: fix.from, to: fix.to, insert: fix.insert }, userEvent: 'input.fix' });
    },
  };
}

/**
 * Diagnostics of the shared linter for the document, with each fix as an action, and the
 * publishing backend's findings (marked as its own) when it refused the story.
 */
export function storyDiagnostics(view: EditorView): CmDiagnostic[] {
  const local = localDiagnostics(view);
  // What the local lint says at the same place is said once, by it (issue 11 #4).
  const said = new Set(local.map((d) => `${d.source}\u0000${d.from}\u0000${d.to}`));
  const all = [...local, ...backendDiagnostics(view.state).filter((d) => !said.has(`${d.source!.slice('backend '.length)}\u0000${d.from}\u0000${d.to}`))];
  return all;
}

/**
 * The counts a lint answer in these transactions brings (the last, if several), or null when none
 * carries one. Counted from the answer itself, the one the editor now shows: the story lint's
 * findings wait for spelling's (one answer for both), and an answer the linter drops because the
 * text changed meanwhile must count for nothing, or the bar would say "ready" of findings never shown.
 */
export function lintAnswerCounts(transactions: readonly Transaction[]): ProblemCounts | null {
  let answer: readonly CmDiagnostic[] | null = null;
  for (const tr of transactions) for (const e of tr.effects) if (e.is(setDiagnosticsEffect)) answer = e.value;
  return answer && countOf(answer);
}

function countOf(diagnostics: readonly { severity: string }[]): ProblemCounts {
  const counts = { errors: 0, warnings: 0 };
  for (const d of diagnostics) {
    if (d.severity === 'error') counts.errors++;
    else if (d.severity === 'warning') counts.warnings++;
  }
  return counts;
}

function localDiagnostics(view: EditorView): CmDiagnostic[] {
  const parsed = view.state.field(storyField);
  const len = view.state.doc.length;
  // Linted incrementally, from the body's facts as the editor keeps them.
  return parsed.lint(view.state.facet(catalogFacet)).map((d) => {
    const fixes = d.fix ? (Array.isArray(d.fix) ? d.fix : [d.fix]) : [];
    const from = Math.min(d.from, len);
    return {
      from,
      to: Math.max(from, Math.min(d.to, len)),
      severity: d.severity,
      message: d.message,
      source: d.rule,
      actions: fixes.map(fixAction),
    };
  });
}

/** Applies the first fix of the diagnostic under the cursor (Mod-.). */
export const applyFirstFix: Command = (view) => {
  const pos = view.state.selection.main.head;
  let found: { d: CmDiagnostic; from: number; to: number } | null = null;
  forEachDiagnostic(view.state, (d, from, to) => {
    if (!found && d.actions?.length && from <= pos && pos <= to) found = { d, from, to };
  });
  if (!found) return false;
  const { d, from, to } = found as { d: CmDiagnostic; from: number; to: number };
  d.actions![0]!.apply(view, from, to);
  return true;
};

/**
 * The story linter: shared lintStory, underlines, and a quick-fix key (its gutter comes with the line numbers). It runs again when
 * the text changes, and also when the catalog changes (a pulled catalog) or the backend's findings
 * arrive, neither of which touches the text.
 */
export function storyLint(): Extension {
  return [
    backendDiagnosticsField,
    linter(storyDiagnostics, {
      delay: 250,
      needsRefresh: (u) => u.startState.facet(catalogFacet) !== u.state.facet(catalogFacet) || u.transactions.some(backendDiagnosticsChanged),
    }),
    keymap.of([{ key: 'Mod-.', run: applyFirstFix, preventDefault: true }]),
  ];
}

/** Findings that keep a story from being ready, by severity (spelling's info findings do not count). */
export interface ProblemCounts {
  errors: number;
  warnings: number;
}
