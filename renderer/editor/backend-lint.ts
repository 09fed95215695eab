import type { Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { StateEffect, StateField, type EditorState } from '@codemirror/state';
import type { Diagnostic } from '../../shared/index.js';

/**
 * The publishing backend's findings on the open story (a 422 `invalid_story`), as the sync service
 * placed them on the story's text. They are shown beside the local lint through the same
 * @codemirror/lint source, each message marked as the backend's, and move with the text as the
 * person edits (until the story's sync state is read again).
 */
export const BACKEND_PREFIX = 'Backend: ';

/** Replaces the backend's findings (an empty list clears them). */
export const setBackendDiagnostics = StateEffect.define<readonly Diagnostic[]>();

interface Placed {
  from: number;
  to: number;
  d: Diagnostic;
}

export const backendDiagnosticsField = StateField.define<readonly Placed[]>({
  create: () => [],
  update(value, tr) {
    let next = value;
    if (tr.docChanged && next.length) {
      next = next.map((p) => {
        const from = tr.changes.mapPos(p.from, 1);
        return { ...p, from, to: Math.max(from, tr.changes.mapPos(p.to, -1)) };
      });
    }
    for (const e of tr.effects) {
      if (!e.is(setBackendDiagnostics)) continue;
      const len = tr.state.doc.length;
      next = e.value.map((d) => {
        // Placed on the saved text: clamp in case the editor holds a few unsaved characters more or less.
        const from = Math.max(0, Math.min(d.from, len));
        return { from, to: Math.max(from, Math.min(d.to, len)), d };
      });
    }
    return next;
  },
});

/** The backend's findings as CodeMirror diagnostics (no fixes: the backend sends none). */
export function backendDiagnostics(state: EditorState): CmDiagnostic[] {
  return (
    state.field(backendDiagnosticsField, false)?.map(({ from, to, d }) => ({
      from,
      to,
      severity: d.severity,
      message: `${BACKEND_PREFIX}${d.message}`,
      source: `backend ${d.rule}`,
    })) ?? []
  );
}

/** Whether a transaction replaced the backend's findings (the linter then runs again at once). */
export function backendDiagnosticsChanged(tr: { effects: readonly StateEffect<unknown>[] }): boolean {
  return tr.effects.some((e) => e.is(setBackendDiagnostics));
}
