// The words spelling reads (renderer/editor/spell/words.ts), headless: what counts as prose, and
// the per-line cache giving the same answer as reading afresh when lines move or change context.
import { ensureSyntaxTree } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { storyMarkdown } from '../../renderer/editor/front-matter.js';
import { spellWords } from '../../renderer/editor/spell/words.js';

const stateOf = (doc: string) => {
  const state = EditorState.create({ doc, extensions: [storyMarkdown()] });
  ensureSyntaxTree(state, doc.length, 1e9);
  return state;
};
const words = (state: EditorState) => spellWords(state, 0, state.doc.length).map((w) => w.word);
const at = (state: EditorState) => spellWords(state, 0, state.doc.length).map((w) => `${w.word}@${w.from}`);

describe('spelling: the words of the story', () => {
  it('reads prose and reference labels, never addresses, e-mail, code, slugs, acronyms or glued words', () => {
    const doc =
      '---\ntitle: Frnt\n---\nSee https://x.org/abc and www.foo.com, mail a.b@c.de, `inlne code`, {{entity:sam-altman|Altmn}} O’Neil’s NASA t_x x9y\n\n```\nfenced wrods\n```\n\nWorld wrod.\n';
    expect(words(stateOf(doc))).toEqual(['See', 'and', 'mail', 'Altmn', "O'Neil's", 'World', 'wrod']);
  });

  it('answers the same for a line read before, wherever it moved, and rereads a line whose context changed', () => {
    const line = 'Teh quick brown fox jumps over the lazy dog.';
    const first = stateOf(`${line}\n\n${line}\n`);
    const once = ['Teh@0', 'quick@4', 'brown@10', 'fox@16', 'jumps@20', 'over@26', 'the@31', 'lazy@35', 'dog@40'];
    const second = once.map((w) => w.replace(/\d+$/, (n) => String(Number(n) + line.length + 2)));
    expect(at(first)).toEqual([...once, ...second]);
    expect(at(first)).toEqual([...once, ...second]);
    // The same line further down: offsets follow it.
    const moved = stateOf(`Intro here.\n\n${line}\n`);
    expect(spellWords(moved, 0, moved.doc.length)[2]).toEqual({ from: 13, to: 16, word: 'Teh' });
    // The same text inside a fence is code now, though the line's text is one the cache knows.
    expect(words(stateOf(`\`\`\`\n${line}\n\`\`\`\n`))).toEqual([]);
    // Part of a line (a view's edge): only the words inside the range.
    expect(spellWords(first, 4, 15).map((w) => w.word)).toEqual(['quick', 'brown']);
  });
});
