import { syntaxTree } from '@codemirror/language';
import { Compartment, type EditorState, type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';

/** Where typing stays literal: code, the front matter, URLs and HTML. */
const LITERAL = new Set(['FrontMatter', 'InlineCode', 'FencedCode', 'CodeBlock', 'CodeText', 'CodeMark', 'URL', 'Autolink', 'HTMLTag', 'HTMLBlock', 'Comment']);

/** Whether a position is in literal text: a syntax node above, or inside a reference `{{…` not yet closed. */
export function isLiteralAt(state: EditorState, pos: number): boolean {
  const line = state.doc.lineAt(pos);
  const before = line.text.slice(0, pos - line.from);
  if (before.lastIndexOf('{{') > before.lastIndexOf('}}')) return true;
  // Inline code opened on this line and not yet closed (the parser sees it only once closed).
  if ((before.match(/`/g)?.length ?? 0) % 2 === 1) return true;
  for (let node: ReturnType<ReturnType<typeof syntaxTree>['resolveInner']> | null = syntaxTree(state).resolveInner(pos, -1); node; node = node.parent) {
    if (LITERAL.has(node.name)) return true;
  }
  return false;
}

/** What a typed character becomes after `prev` (the character before it): curly quotes, dashes. */
export function smarten(char: string, prev: string, lineBefore: string): { insert: string; replacePrev: boolean } | null {
  const opening = prev === '' || /[\s([{\u2014\u2013\u201c\u2018-]/.test(prev);
  if (char === '"') return { insert: opening ? '\u201c' : '\u201d', replacePrev: false };
  if (char === "'") return { insert: opening ? '\u2018' : '\u2019', replacePrev: false };
  // `--` becomes an em dash, except at the start of a line (a rule, a list, a fence).
  if (char === '-' && prev === '-' && !/^\s*-+$/.test(lineBefore)) return { insert: '\u2014', replacePrev: true };
  return null;
}

const slot = new Compartment();

const handler = EditorView.inputHandler.of((view, from, to, text) => {
  if (from !== to || text.length !== 1 || !`"'-`.includes(text)) return false;
  if (view.composing || isLiteralAt(view.state, from)) return false;
  const line = view.state.doc.lineAt(from);
  const lineBefore = line.text.slice(0, from - line.from);
  const result = smarten(text, lineBefore.slice(-1), lineBefore);
  if (!result) return false;
  const start = result.replacePrev ? from - 1 : from;
  view.dispatch({
    changes: { from: start, to, insert: result.insert },
    selection: { anchor: start + result.insert.length },
    userEvent: 'input.type',
    scrollIntoView: true,
  });
  return true;
});

/** Smart quotes and dashes as you type (never in code, references, the front matter or URLs). */
export function smartPunctuation(on: boolean): Extension {
  return slot.of(on ? handler : []);
}

export function setSmartPunctuation(view: EditorView, on: boolean): void {
  view.dispatch({ effects: slot.reconfigure(on ? handler : []) });
}
