import { diffIndices } from 'node-diff3';

/** A stretch of the base where one side or both changed it, with the range each side has there. */
export interface Region {
  oStart: number;
  oEnd: number;
  a: [number, number];
  b: [number, number];
  changed: 'a' | 'b' | 'both';
}

interface Hunk {
  side: 'a' | 'b';
  oStart: number;
  oEnd: number;
  sStart: number;
  sEnd: number;
}

/**
 * The regions of a three-way comparison of token lists (`a` and `b` both derived from `o`).
 * `touching`: hunks that only touch are one region too (for words: an insertion right where the
 * other side changed a word cannot be ordered without asking); without it (for blocks: a changed
 * paragraph beside the other side's is no conflict) only overlaps and insertions at one point are.
 */
export function diff3Regions<T>(a: readonly T[], o: readonly T[], b: readonly T[], touching = true): Region[] {
  const hunks: Hunk[] = [];
  const add = (side: 'a' | 'b', other: readonly T[]) => {
    // The common start and end are left out of the diff: node-diff3's Hunt–McIlroy LCS grows with
    // the matching pairs (every space matches every space), and an edit leaves most of a text alone.
    let p = 0;
    while (p < o.length && p < other.length && o[p] === other[p]) p++;
    let q = 0;
    while (q < o.length - p && q < other.length - p && o[o.length - 1 - q] === other[other.length - 1 - q]) q++;
    for (const h of diffIndices(o.slice(p, o.length - q), other.slice(p, other.length - q))) {
      hunks.push({ side, oStart: p + h.buffer1[0], oEnd: p + h.buffer1[0] + h.buffer1[1], sStart: p + h.buffer2[0], sEnd: p + h.buffer2[0] + h.buffer2[1] });
    }
  };
  add('a', a);
  add('b', b);
  hunks.sort((x, y) => x.oStart - y.oStart || (x.side < y.side ? -1 : 1));
  const regions: Region[] = [];
  // Where each side stands against the base: index in the side = index in the base + delta.
  const delta = { a: 0, b: 0 };
  for (let i = 0; i < hunks.length;) {
    const group = [hunks[i]!];
    let oStart = hunks[i]!.oStart;
    let oEnd = hunks[i]!.oEnd;
    const joins = (h: Hunk) => (touching ? h.oStart <= oEnd : h.oStart < oEnd || (h.oStart === h.oEnd && h.oStart === oStart && oStart === oEnd));
    for (i++; i < hunks.length && joins(hunks[i]!); i++) {
      group.push(hunks[i]!);
      oEnd = Math.max(oEnd, hunks[i]!.oEnd);
    }
    oStart = Math.min(...group.map((h) => h.oStart));
    const range = (side: 'a' | 'b'): [number, number] => {
      const own = group.filter((h) => h.side === side);
      if (own.length === 0) return [oStart + delta[side], oEnd + delta[side]];
      const first = own[0]!;
      const last = own[own.length - 1]!;
      return [first.sStart - (first.oStart - oStart), last.sEnd + (oEnd - last.oEnd)];
    };
    const ra = range('a');
    const rb = range('b');
    delta.a = ra[1] - oEnd;
    delta.b = rb[1] - oEnd;
    const sides = new Set(group.map((h) => h.side));
    regions.push({ oStart, oEnd, a: ra, b: rb, changed: sides.size === 2 ? 'both' : group[0]!.side });
  }
  return regions;
}
