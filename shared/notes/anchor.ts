/**
 * Anchoring review notes to a story's body, and placing them again after the text changed
 * (publishing-protocol.md: by offsets when the quoted text is still there, else by the quote with its
 * prefix and suffix nearby, else by a fuzzy match of the quote). A note that cannot be placed is
 * reported detached, never dropped: placement never changes an anchor, it only says where it is now.
 */
import search from 'approx-string-match';
import { ANCHOR_CONTEXT, type NoteAnchor } from './schema.js';
import { textMap, type TextMap } from '../text-map.js';
import { commonPrefix, commonSuffix } from '../text-util.js';

/** The anchor of the body's range `from`..`to`, written on story version `revision`. */
export function anchorAt(body: string, from: number, to: number, revision: number): NoteAnchor {
  return {
    exact: body.slice(from, to),
    prefix: body.slice(Math.max(0, from - ANCHOR_CONTEXT), from),
    suffix: body.slice(to, to + ANCHOR_CONTEXT),
    start: from,
    end: to,
    revision,
  };
}

export type PlacedBy = 'offsets' | 'mapped' | 'quote' | 'fuzzy';
export type Placement = { from: number; to: number; by: PlacedBy } | { from: null; to: null; by: 'detached' };

/** How many occurrences of a quote are weighed at most (a note on "the" must not cost a scan per hit). */
const MAX_OCCURRENCES = 500;
/** How far around the expected place a quote, or a fuzzy match of it, is looked for before the whole text. */
const NEAR = 2_000;

/** How well the text around `from`..`to` agrees with the anchor's prefix and suffix (0 to 64 characters). */
function contextScore(body: string, from: number, to: number, anchor: NoteAnchor): number {
  const before = body.slice(Math.max(0, from - anchor.prefix.length), from);
  const after = body.slice(to, to + anchor.suffix.length);
  return commonSuffix(before, anchor.prefix, Math.min(before.length, anchor.prefix.length)) + commonPrefix(after, anchor.suffix);
}

function byQuote(body: string, anchor: NoteAnchor, expected: number): Placement | null {
  const { exact } = anchor;
  /** The best occurrence of the quote inside body[from, to), by its context, then by nearness. */
  const best = (from: number, to: number) => {
    // Searched in a copy of the stretch: an indexOf on the whole body with no hit in the stretch
    // would scan to the body's end before it could say so.
    const text = from === 0 && to >= body.length ? body : body.slice(from, to);
    let found: { from: number; score: number; distance: number } | null = null;
    let seen = 0;
    for (let i = text.indexOf(exact); i !== -1 && seen < MAX_OCCURRENCES; i = text.indexOf(exact, i + 1), seen++) {
      const at = from + i;
      const score = contextScore(body, at, at + exact.length, anchor);
      const distance = Math.abs(at - expected);
      if (!found || score > found.score || (score === found.score && distance < found.distance)) found = { from: at, score, distance };
    }
    return found;
  };
  // Nearby first: the quote where the text around it says it should be; else anywhere.
  const lo = Math.max(0, expected - NEAR);
  const hi = Math.min(body.length, expected + NEAR + exact.length);
  const found = best(lo, hi) ?? (lo === 0 && hi === body.length ? null : best(0, body.length));
  return found ? { from: found.from, to: found.from + exact.length, by: 'quote' } : null;
}

/** Errors a fuzzy match may have: a quarter of the quote; quotes under 8 characters must match exactly. */
function maxErrors(exact: string): number {
  return exact.length < 8 ? 0 : Math.min(256, Math.floor(exact.length / 4));
}

function byFuzzy(body: string, anchor: NoteAnchor, expected: number, map: TextMap | null): Placement | null {
  const k = maxErrors(anchor.exact);
  if (k === 0) return null;
  const pick = (from: number, to: number): Placement | null => {
    const text = body.slice(from, to);
    let best: { start: number; end: number; errors: number; score: number; distance: number } | null = null;
    for (const m of search(text, anchor.exact, k)) {
      const start = from + m.start;
      const end = from + m.end;
      const score = contextScore(body, start, end, anchor);
      const distance = Math.abs(start - expected);
      if (!best || m.errors < best.errors || (m.errors === best.errors && (score > best.score || (score === best.score && distance < best.distance)))) {
        best = { start, end, errors: m.errors, score, distance };
      }
    }
    return best ? { from: best.start, to: best.end, by: 'fuzzy' } : null;
  };
  // With the edit's map, what became of the quoted text lies in the stretch the map gives for it
  // (text moved elsewhere was found by its quote already): only that, and the quote's length
  // either side for a match that reaches into unchanged text, is searched. Fuzzy search costs time
  // in the text searched, and that stretch is the edit's size, not 4,000 characters.
  if (map) {
    const s = map.stretch(anchor.start, anchor.end);
    const reach = anchor.exact.length;
    return pick(Math.max(0, s.from - reach), Math.min(body.length, s.to + reach));
  }
  const reach = anchor.exact.length + NEAR;
  const near = pick(Math.max(0, expected - reach), Math.min(body.length, expected + reach));
  // Without one, around the old place first, then the whole text.
  if (near) return near;
  return expected - reach <= 0 && expected + reach >= body.length ? null : pick(0, body.length);
}

/** Where the quote itself stands in `body`: by its offsets, else by the quote with its prefix and suffix (null: nowhere, not even fuzzily looked for). */
export function placeByQuote(body: string, anchor: NoteAnchor): Placement | null {
  if (body.slice(anchor.start, anchor.end) === anchor.exact) return { from: anchor.start, to: anchor.end, by: 'offsets' };
  return byQuote(body, anchor, Math.min(anchor.start, body.length));
}

function placeOne(body: string, anchor: NoteAnchor, map: TextMap | null): Placement {
  if (!map) return placeByQuote(body, anchor) ?? byFuzzy(body, anchor, Math.min(anchor.start, body.length), null) ?? { from: null, to: null, by: 'detached' };
  const mapped = map.mapRange(anchor.start, anchor.end);
  if (mapped && body.slice(mapped.from, mapped.to) === anchor.exact) return { ...mapped, by: 'mapped' };
  const expected = map.approx(anchor.start);
  return byQuote(body, anchor, expected) ?? byFuzzy(body, anchor, expected, map) ?? { from: null, to: null, by: 'detached' };
}

/**
 * Where each anchor stands in `body` now. With `previous` (the body the anchors' offsets were last
 * true of), unchanged text maps exactly through the edit; without it (a note from another studio,
 * a reopen), the offsets are tried as they are. One placement per anchor, in order.
 */
export function placeAnchors(anchors: readonly NoteAnchor[], body: string, previous?: string): Placement[] {
  const map = previous === undefined ? null : textMap(previous, body);
  return anchors.map((a) => placeOne(body, a, map));
}

/** The anchor as it stands after a placement (a detached one keeps its last known anchor, quote included). */
export function movedAnchor(anchor: NoteAnchor, body: string, placement: Placement, revision = anchor.revision): NoteAnchor {
  return placement.from === null ? anchor : anchorAt(body, placement.from, placement.to, revision);
}
