/**
 * Where the unchanged stretches of a text went after an edit: old offsets mapped to new ones (review
 * notes follow the text with it, and so do the backend's findings on a story edited since). Paragraphs
 * that the two texts share (node-diff3's LCS, after trimming the common head and tail so that a small
 * edit costs only its own lines) map exactly; a changed stretch of lines keeps its unchanged head and
 * tail, so that a note beside an edit in the same paragraph still maps exactly. Only text that an
 * edit touched has no mapping, and is found again by its quote.
 */
import { diffIndices } from 'node-diff3';
import { commonPrefix, commonSuffix } from './text-util.js';

interface Run {
  oldFrom: number;
  oldTo: number;
  newFrom: number;
}

export interface TextMap {
  /** The new range of an old range that lies wholly in unchanged text, or null. */
  mapRange(from: number, to: number): { from: number; to: number } | null;
  /** The new offset nearest to where an old offset went (exact in unchanged text, estimated elsewhere). */
  approx(offset: number): number;
  /**
   * Where the text of an old range is in the new text: from where its start went (or, when the
   * start was in changed text, the end of the unchanged text before it) to where its end went (or
   * the start of the unchanged text after it). Whatever became of that text lies in there.
   */
  stretch(from: number, to: number): { from: number; to: number };
}

/**
 * Appends a run (runs come in order): an empty one is dropped, and one that carries on the last
 * with the same shift joins it, so that a range across a unit boundary inside unchanged text maps.
 */
function addRun(runs: Run[], oldFrom: number, oldTo: number, newFrom: number): void {
  if (oldTo <= oldFrom) return;
  const last = runs[runs.length - 1];
  if (last && last.oldTo === oldFrom && last.newFrom - last.oldFrom === newFrom - oldFrom) last.oldTo = oldTo;
  else runs.push({ oldFrom, oldTo, newFrom });
}

/**
 * Where each unit starts: a paragraph with the blank lines after it (or a line, inside runs of
 * single-spaced lines). Units are nearly all distinct, which keeps the LCS fast: blank lines as units
 * of their own would make most of them alike.
 */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    let next = i + 1;
    while (text.charCodeAt(next) === 10) next++;
    if (next < text.length) starts.push(next);
    i = next - 1;
  }
  return starts;
}

function lines(text: string, starts: number[]): string[] {
  return starts.map((s, i) => text.slice(s, i + 1 < starts.length ? starts[i + 1] : text.length));
}

/**
 * The unchanged head and tail of a changed stretch, as runs (appended in order): a paragraph edited
 * in one place keeps the rest of its text mapped exactly. (Text between two edits of the same
 * paragraph is left to the quote search; a word-level LCS here costs more than it saves.)
 */
function edgeRuns(runs: Run[], oldText: string, oldFrom: number, oldTo: number, newText: string, newFrom: number, newTo: number): void {
  let head = 0;
  while (oldFrom + head < oldTo && newFrom + head < newTo && oldText.charCodeAt(oldFrom + head) === newText.charCodeAt(newFrom + head)) head++;
  let tail = 0;
  while (oldTo - tail > oldFrom + head && newTo - tail > newFrom + head && oldText.charCodeAt(oldTo - 1 - tail) === newText.charCodeAt(newTo - 1 - tail))
    tail++;
  if (head > 0) addRun(runs, oldFrom, oldFrom + head, newFrom);
  if (tail > 0) addRun(runs, oldTo - tail, oldTo, newTo - tail);
}

/**
 * The runs of the changed middle, `oldText[oldFrom, oldTo)` against `newText[oldFrom, newTo)` (both
 * start at the same offset: everything before is the same, and everything after): whole units that
 * both hold, by node-diff3's LCS, and the unchanged head and tail of each changed stretch. The
 * middle starts and ends at the first and last difference, so its first and last units differ
 * (and may be parts of paragraphs).
 */
function middleRuns(runs: Run[], oldText: string, oldFrom: number, oldTo: number, newText: string, newTo: number): void {
  const oldMid = oldText.slice(oldFrom, oldTo);
  const newMid = newText.slice(oldFrom, newTo);
  const oldStarts = lineStarts(oldMid);
  const newStarts = lineStarts(newMid);
  const offA = (i: number) => oldFrom + (i < oldStarts.length ? oldStarts[i]! : oldMid.length);
  const offB = (i: number) => oldFrom + (i < newStarts.length ? newStarts[i]! : newMid.length);
  const push = (ia: number, ib: number, n: number) => {
    if (n > 0) addRun(runs, offA(ia), offA(ia + n), offB(ib));
  };
  const a = lines(oldMid, oldStarts);
  const b = lines(newMid, newStarts);
  let ia = 0;
  let ib = 0;
  for (const d of diffIndices(a, b)) {
    const [a0, aLen] = d.buffer1;
    const [b0, bLen] = d.buffer2;
    push(ia, ib, a0 - ia);
    if (aLen > 0 && bLen > 0) edgeRuns(runs, oldText, offA(a0), offA(a0 + aLen), newText, offB(b0), offB(b0 + bLen));
    ia = a0 + aLen;
    ib = b0 + bLen;
  }
  push(ia, ib, a.length - ia);
}

export function textMap(oldText: string, newText: string): TextMap {
  const runs: Run[] = [];
  if (oldText === newText) {
    runs.push({ oldFrom: 0, oldTo: oldText.length, newFrom: 0 });
  } else {
    // The texts' common head and tail, by character (compared a slice at a time), before anything
    // is split: they map as they are (the smallest edit), and only the stretch between them is cut
    // into units for the LCS (without this, every paragraph of both texts was copied out on every
    // save, and the garbage grew faster than the text).
    const from = commonPrefix(oldText, newText);
    const tail = commonSuffix(oldText, newText, Math.min(oldText.length, newText.length) - from);
    const oldTo = oldText.length - tail;
    const newTo = newText.length - tail;
    addRun(runs, 0, from, 0);
    middleRuns(runs, oldText, from, oldTo, newText, newTo);
    addRun(runs, oldTo, oldText.length, newTo);
  }

  const find = (offset: number): number => {
    // The last run starting at or before offset.
    let lo = 0;
    let hi = runs.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (runs[mid]!.oldFrom <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };

  return {
    mapRange(from, to) {
      const i = find(from);
      const run = i >= 0 ? runs[i]! : undefined;
      if (!run || to > run.oldTo) return null;
      const shift = run.newFrom - run.oldFrom;
      return { from: from + shift, to: to + shift };
    },
    stretch(from, to) {
      const i = find(from);
      const before = i >= 0 ? runs[i]! : undefined;
      const left = !before ? 0 : from < before.oldTo ? from + before.newFrom - before.oldFrom : before.newFrom + before.oldTo - before.oldFrom;
      // The run holding the end, or else the first run after it.
      const j = find(to - 1);
      const holding = j >= 0 && to <= runs[j]!.oldTo && to > runs[j]!.oldFrom ? runs[j] : undefined;
      const after = runs[j + 1];
      const right = holding ? to + holding.newFrom - holding.oldFrom : after ? after.newFrom : newText.length;
      return { from: Math.min(left, right), to: Math.max(left, right) };
    },
    approx(offset) {
      const i = find(offset);
      const run = i >= 0 ? runs[i]! : undefined;
      if (!run) return Math.min(offset, newText.length);
      const shift = run.newFrom - run.oldFrom;
      return Math.max(0, Math.min(newText.length, Math.min(offset, run.oldTo) + shift));
    },
  };
}
