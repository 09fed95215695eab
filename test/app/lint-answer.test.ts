import { setDiagnosticsEffect, type Diagnostic } from '@codemirror/lint';
import { EditorState, StateEffect } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { lintAnswerCounts } from '../../renderer/editor/story-lint.js';

const finding = (severity: Diagnostic['severity'], from = 0): Diagnostic => ({ from, to: from + 1, severity, message: `a ${severity}` });
const other = StateEffect.define<number>();

describe('the readiness counts come from the linter’s answer only', () => {
  const state = EditorState.create({ doc: 'One paragraph of a story.' });

  it('counts errors and warnings of the answer, not spelling’s info findings', () => {
    const tr = state.update({ effects: setDiagnosticsEffect.of([finding('error'), finding('warning', 3), finding('info', 5), finding('error', 8)]) });
    expect(lintAnswerCounts([tr])).toEqual({ errors: 2, warnings: 1 });
    expect(lintAnswerCounts([state.update({ effects: setDiagnosticsEffect.of([finding('info')]) })])).toEqual({ errors: 0, warnings: 0 });
  });

  it('is null for transactions that carry other effects or none (a lint run whose answer was dropped counts for nothing)', () => {
    expect(lintAnswerCounts([state.update({ effects: other.of(1) })])).toBeNull();
    expect(lintAnswerCounts([state.update({ changes: { from: 0, insert: 'X' } })])).toBeNull();
    expect(lintAnswerCounts([])).toBeNull();
  });

  it('takes the last answer when one update holds two', () => {
    const first = state.update({ effects: setDiagnosticsEffect.of([finding('error')]) });
    const second = first.state.update({ effects: [other.of(2), setDiagnosticsEffect.of([finding('warning')])] });
    expect(lintAnswerCounts([first, second])).toEqual({ errors: 0, warnings: 1 });
  });
});
