import { diff3Regions } from './regions.js';
import { endsSentence, sentenceHead, sentenceTail, tokenize } from './tokens.js';

/** The most words one word-level merge compares (a block both sides rewrote, longer, is one conflict). */
const MAX_WORDS = 20_000;

/** Both sides changed the same words: the text each has there, and the base's. */
export interface ConflictText {
  mine: string;
  theirs: string;
  base: string;
}

/** A merged text as pieces: text both sides agree on (or only one changed), and conflicts. */
export type MergePiece = { text: string } | { conflict: ConflictText };

/**
 * The word-level three-way merge of `mine` and `theirs`, both derived from `base`. Edits to different
 * words merge; edits to the same words (or an insertion where the other side changed) are a
 * conflict, widened to the whole sentence so that each choice reads as a sentence and already
 * holds the other edits merged around it.
 */
export function mergeWords(base: string, mine: string, theirs: string): MergePiece[] {
  return mergeWordsWithEdits(base, mine, theirs).pieces;
}

/** Where one side's edit lies in a merge without conflicts (offsets in the merged text). */
export interface WordEdit {
  side: 'local' | 'remote' | 'both';
  from: number;
  to: number;
}

/**
 * `mergeWords`, with where each side's clean edits landed in the merged text (the text with "mine"
 * at each conflict: widening a conflict to its sentence moves text between pieces, never changes it).
 */
export function mergeWordsWithEdits(base: string, mine: string, theirs: string): { pieces: MergePiece[]; edits: WordEdit[] } {
  const o = tokenize(base);
  const a = tokenize(mine);
  const b = tokenize(theirs);
  if (Math.max(o.length, a.length, b.length) > MAX_WORDS) {
    // Past this size the word diff would cost more than a person waits: one conflict, both whole.
    return { pieces: [{ conflict: { mine, theirs, base } }], edits: [] };
  }
  const pieces: MergePiece[] = [];
  const text = (t: string) => {
    if (t === '') return;
    const last = pieces[pieces.length - 1];
    if (last && 'text' in last) last.text += t;
    else pieces.push({ text: t });
  };
  const edits: WordEdit[] = [];
  let length = 0;
  const edit = (side: WordEdit['side'], t: string) => {
    edits.push({ side, from: length, to: length + t.length });
    text(t);
    length += t.length;
  };
  let oPos = 0;
  for (const r of diff3Regions(a, o, b)) {
    const same = o.slice(oPos, r.oStart).join('');
    text(same);
    length += same.length;
    const sa = a.slice(r.a[0], r.a[1]).join('');
    const sb = b.slice(r.b[0], r.b[1]).join('');
    if (r.changed === 'a') edit('local', sa);
    else if (r.changed === 'b') edit('remote', sb);
    else if (sa === sb) edit('both', sb);
    else {
      pieces.push({ conflict: { mine: sa, theirs: sb, base: o.slice(r.oStart, r.oEnd).join('') } });
      length += sa.length; // the merged text holds "mine" where there is a conflict
    }
    oPos = r.oEnd;
  }
  text(o.slice(oPos).join(''));
  return { pieces: widenToSentences(pieces), edits };
}

const around = (c: ConflictText, before: string, after: string): ConflictText => ({
  mine: before + c.mine + after,
  theirs: before + c.theirs + after,
  base: before + c.base + after,
});

const joined = (x: ConflictText, between: string, y: ConflictText): ConflictText => ({
  mine: x.mine + between + y.mine,
  theirs: x.theirs + between + y.theirs,
  base: x.base + between + y.base,
});

function widenToSentences(input: MergePiece[]): MergePiece[] {
  const pieces = input.map((p) => ('text' in p ? { text: p.text } : p));
  const out: MergePiece[] = [];
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if ('text' in p) {
      out.push(p);
      continue;
    }
    let c = p.conflict;
    const prev = out[out.length - 1];
    if (prev && 'text' in prev) {
      const tail = sentenceTail(prev.text);
      if (tail !== '') {
        prev.text = prev.text.slice(0, prev.text.length - tail.length);
        c = around(c, tail, '');
        if (prev.text === '') out.pop();
      }
    }
    while (i + 1 < pieces.length && !(endsSentence(c.mine) && endsSentence(c.theirs))) {
      const next = pieces[i + 1]!;
      if ('conflict' in next) {
        c = joined(c, '', next.conflict);
        i++;
        continue;
      }
      const head = sentenceHead(next.text);
      c = around(c, '', head);
      if (head.length < next.text.length) {
        next.text = next.text.slice(head.length);
        break;
      }
      i++;
    }
    // The space after the sentence belongs to neither choice.
    const space = Math.min(c.mine.length - c.mine.trimEnd().length, c.theirs.length - c.theirs.trimEnd().length);
    if (space > 0) {
      const after = c.mine.slice(c.mine.length - space);
      c = { mine: c.mine.slice(0, -space), theirs: c.theirs.slice(0, -space), base: c.base.trimEnd() };
      out.push({ conflict: c });
      const next = pieces[i + 1];
      if (next && 'text' in next) next.text = after + next.text;
      else out.push({ text: after });
    } else out.push({ conflict: c });
  }
  return out;
}

/** A merge's text with each conflict settled by `choose` (by default: mine). */
export function piecesText(pieces: readonly MergePiece[], choose: (c: ConflictText, index: number) => string = (c) => c.mine): string {
  let out = '';
  let n = 0;
  for (const p of pieces) out += 'text' in p ? p.text : choose(p.conflict, n++);
  return out;
}
