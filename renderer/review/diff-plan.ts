import { diffArrays } from 'diff';

/** A range of characters in a block's text. */
export interface CharRange {
  from: number;
  to: number;
}

/** Words, runs of whitespace and single punctuation marks: the units a changed block is compared in. */
export function tokenize(text: string): string[] {
  return text.match(/\s+|[\p{L}\p{N}\p{M}_]+(?:['’][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}\p{M}_]/gu) ?? [];
}

const isSpace = (t: string) => /^\s+$/.test(t);

/** Past this many token edits a block is marked changed as a whole (a rewrite, not an edit). */
const MAX_TOKEN_EDITS = 1500;

/**
 * The word-level changes between two texts: the character ranges of `a` that were removed and of
 * `b` that were added. Whitespace is compared as "some whitespace", since the rendered text keeps
 * the source's line breaks and re-wrapping a paragraph is not a change. Null when the texts differ
 * too much for a readable word diff.
 */
export function wordDiff(a: string, b: string): { removed: CharRange[]; added: CharRange[] } | null {
  const ta = tokenize(a);
  const tb = tokenize(b);
  const changes = diffArrays(ta, tb, { comparator: (x, y) => x === y || (isSpace(x) && isSpace(y)), maxEditLength: MAX_TOKEN_EDITS });
  if (!changes) return null;
  const removed: CharRange[] = [];
  const added: CharRange[] = [];
  let ia = 0; // token index in a
  let ib = 0;
  let ca = 0; // character offset in a
  let cb = 0;
  const push = (list: CharRange[], from: number, to: number) => {
    const last = list[list.length - 1];
    if (last && last.to === from) last.to = to;
    else if (to > from) list.push({ from, to });
  };
  for (const c of changes) {
    const n = c.count ?? c.value.length;
    if (c.removed) {
      const len = ta.slice(ia, ia + n).join('').length;
      push(removed, ca, ca + len);
      ia += n;
      ca += len;
    } else if (c.added) {
      const len = tb.slice(ib, ib + n).join('').length;
      push(added, cb, cb + len);
      ib += n;
      cb += len;
    } else {
      ca += ta.slice(ia, ia + n).join('').length;
      cb += tb.slice(ib, ib + n).join('').length;
      ia += n;
      ib += n;
    }
  }
  return { removed: tidy(removed, a), added: tidy(added, b) };
}

/**
 * Runs as a reader wants them: two runs with only whitespace between become one ("x y", not "x"
 * and "y"), and a run of whitespace alone is dropped (it says nothing).
 */
function tidy(ranges: CharRange[], text: string): CharRange[] {
  const out: CharRange[] = [];
  for (const r of ranges) {
    if (text.slice(r.from, r.to).trim() === '') continue;
    const last = out[out.length - 1];
    if (last && text.slice(last.to, r.from).trim() === '') last.to = r.to;
    else out.push({ ...r });
  }
  return out;
}

/** One row of a side-by-side review: a block on each side, or on one side only. */
export type BlockRow =
  { type: 'same'; a: number; b: number } | { type: 'changed'; a: number; b: number } | { type: 'removed'; a: number } | { type: 'added'; b: number };

/** What a block is compared by: its markup (without line numbers) and its tag, for pairing. */
export interface BlockKey {
  key: string;
  tag: string;
}

/**
 * Lines up the blocks of two rendered stories: equal blocks side by side, and within a run of
 * changes, removed and added blocks of the same kind paired as "changed" (so they get a word diff);
 * the rest stand alone on their side.
 */
export function planBlocks(a: BlockKey[], b: BlockKey[]): BlockRow[] {
  const changes = diffArrays(
    a.map((x) => x.key),
    b.map((x) => x.key),
  );
  const rows: BlockRow[] = [];
  let ia = 0;
  let ib = 0;
  let removed: number[] = [];
  let added: number[] = [];
  const flush = () => {
    while (removed.length || added.length) {
      const ra = removed[0];
      const rb = added[0];
      if (ra !== undefined && rb !== undefined && a[ra]!.tag === b[rb]!.tag) {
        rows.push({ type: 'changed', a: ra, b: rb });
        removed.shift();
        added.shift();
      } else if (ra !== undefined && (rb === undefined || !added.some((x) => b[x]!.tag === a[ra]!.tag))) {
        rows.push({ type: 'removed', a: ra });
        removed.shift();
      } else {
        rows.push({ type: 'added', b: rb! });
        added.shift();
      }
    }
    removed = [];
    added = [];
  };
  for (const c of changes) {
    const n = c.count ?? c.value.length;
    if (c.removed) for (let i = 0; i < n; i++) removed.push(ia++);
    else if (c.added) for (let i = 0; i < n; i++) added.push(ib++);
    else {
      flush();
      for (let i = 0; i < n; i++) rows.push({ type: 'same', a: ia++, b: ib++ });
    }
  }
  flush();
  return rows;
}
