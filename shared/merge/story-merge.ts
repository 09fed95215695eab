import { parseStory, serializeStory, updateMeta, type FrontMatter, type Story } from '../story/index.js';
import { lineIndexAt, lineStarts } from '../text-util.js';
import { diff3Regions } from './regions.js';
import { mergeWords, mergeWordsWithEdits, type ConflictText } from './text-merge.js';
import { blockAt, blockStarts, splitBlocks } from './tokens.js';

/** Who made a change: the person at this studio, the backend's side (the desk), or both alike. */
export type MergeSide = 'local' | 'remote' | 'both';

/** One change that the merge took in, said in words ("the desk changed paragraph 3"). */
export interface MergeChange {
  side: MergeSide;
  kind: 'changed' | 'added' | 'removed';
  /** A front-matter key, or absent for the body. */
  field?: string;
  /** The 1-based paragraph (block) of the merged body it lies in (for a removal: of the base). */
  paragraph?: number;
  /** The 1-based line of the merged text where it lies. */
  line: number;
  /** Offsets in the merged text (empty for a removal). */
  from: number;
  to: number;
  description: string;
}

/** Both sides changed the same thing: where the merged text holds "mine" now, and each choice. */
export interface MergeConflict extends ConflictText {
  field?: string;
  paragraph?: number;
  line: number;
  /** Where `mine` stands in the merged text. */
  from: number;
  to: number;
  /** Mine, then theirs: null where keeping both makes no sense (a front-matter field). */
  both: string | null;
  description: string;
}

export interface StoryMerge {
  /** The merged story file; where there are conflicts, each holds the local side ("mine"). */
  text: string;
  clean: boolean;
  changes: MergeChange[];
  conflicts: MergeConflict[];
  /** One sentence saying what came in from the other side, or what conflicts ("" when nothing). */
  summary: string;
}

export interface MergeOptions {
  /** How the other side is named in descriptions; default "the desk". */
  theirs?: string;
  /** How this side is named; default "you". */
  mine?: string;
}

/** Fields that the backend decides: when both sides changed them, the backend's value stands. */
const BACKEND_FIELDS = new Set(['status', 'published']);
/** Fields of prose, merged word by word when both sides changed them. */
const PROSE_FIELDS = new Set(['title', 'dek']);

const FIELD_NAMES: Record<string, string> = { dek: 'standfirst (dek)', published: 'published date' };
/** Fields the backend keeps for itself (the date it published): told in the changes, not in the summary. */
const BOOKKEEPING = new Set(['published']);
const fieldName = (key: string) => `the ${FIELD_NAMES[key] ?? key}`;

const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

interface FieldOutcome {
  meta: FrontMatter;
  changes: { side: MergeSide; kind: MergeChange['kind']; field: string }[];
  conflicts: { field: string; base: unknown }[];
}

/**
 * The three-way merge of a story: `base` is the text last synced, `local` this studio's, `remote`
 * the backend's. The front matter merges field by field, the body block by block and, where both
 * sides changed the same blocks, word by word (conflicts widened to sentences). Pure: never throws.
 */
export function mergeStories(base: string, local: string, remote: string, options: MergeOptions = {}): StoryMerge {
  const names: Record<MergeSide, string> = { local: options.mine ?? 'you', remote: options.theirs ?? 'the desk', both: 'both sides' };
  if (local === remote || remote === base) return trivial(local, base, local, names);
  if (local === base) return trivial(remote, base, local, names);
  const [sb, sl, sr] = [parseStory(base), parseStory(local), parseStory(remote)];
  const head = mergeHead(sb, sl, sr);
  const body = mergeBody(sb.body, sl.body, sr.body);
  const headText = head.text;
  const text = headText + body.text;
  const lines = lineOf(text);
  const merged = parseStory(text);
  const changes: MergeChange[] = [];
  const conflicts: MergeConflict[] = [];
  for (const c of head.changes) {
    const span = merged.spans[c.field];
    const from = span?.from ?? 0;
    const to = span?.to ?? 0;
    changes.push({ ...c, line: lines(from), from, to, description: `${names[c.side]} ${verb(c.side, c.kind)} ${fieldName(c.field)}` });
  }
  for (const c of head.conflicts) conflicts.push(c);
  const starts = blockStarts(body.text);
  const baseStarts = blockStarts(sb.body);
  for (const c of body.changes) {
    const removed = c.kind === 'removed';
    const paragraph = removed ? blockAt(baseStarts, c.baseFrom) : blockAt(starts, c.from);
    const from = headText.length + c.from;
    const to = headText.length + c.to;
    const what = c.kind === 'added' ? `added paragraph ${paragraph}` : `${verb(c.side, c.kind)} paragraph ${paragraph}`;
    changes.push({
      side: c.side,
      kind: c.kind,
      paragraph,
      line: lines(from),
      from,
      to,
      description: `${names[c.side]} ${what}${removed ? ' (of the last synced text)' : ''}`,
    });
  }
  coalesce(changes);
  for (const c of body.conflicts) {
    const paragraph = blockAt(starts, c.from);
    const from = headText.length + c.from;
    conflicts.push({
      ...c.conflict,
      paragraph,
      line: lines(from),
      from,
      to: from + c.conflict.mine.length,
      both: joinBoth(c.conflict.mine, c.conflict.theirs),
      description: `${names.local} and ${names.remote} both changed paragraph ${paragraph}`,
    });
  }
  for (const c of conflicts) if (c.field) c.description = `${names.local} and ${names.remote} both changed ${fieldName(c.field)}`;
  conflicts.sort((x, y) => x.from - y.from);
  return { text, clean: conflicts.length === 0, changes, conflicts, summary: summarize(changes, conflicts, names) };

  function mergeHead(b: Story, l: Story, r: Story) {
    if (b.error || l.error || r.error || b.format !== 'md' || l.format !== 'md' || r.format !== 'md') {
      // Front matter that cannot be read merges as one piece: whichever side changed it.
      if (l.head === r.head || r.head === b.head) return { text: l.head, changes: [], conflicts: [] as MergeConflict[] };
      if (l.head === b.head) return { text: r.head, changes: [{ side: 'remote' as const, kind: 'changed' as const, field: '@head' }], conflicts: [] };
      return {
        text: l.head,
        changes: [],
        conflicts: [{ field: '@head', mine: l.head, theirs: r.head, base: b.head, both: null, from: 0, to: l.head.length, line: 1, description: '' }],
      };
    }
    const outcome = mergeFields(b.meta, l.meta, r.meta);
    const text = serializeStory({ ...updateMeta(l, patchOf(l.meta, outcome.meta)), body: '' });
    const story = parseStory(text);
    const fieldConflicts: MergeConflict[] = [];
    for (const c of outcome.conflicts) {
      const mine = story.spans[c.field];
      const theirs = r.spans[c.field];
      const baseSpan = b.spans[c.field];
      if (!mine || !theirs) continue;
      fieldConflicts.push({
        field: c.field,
        from: mine.from,
        to: mine.to,
        line: mine.line,
        both: null,
        description: '',
        mine: text.slice(mine.from, mine.to),
        theirs: remote.slice(theirs.from, theirs.to),
        base: baseSpan ? base.slice(baseSpan.from, baseSpan.to) : '',
      });
    }
    return { text, changes: outcome.changes, conflicts: fieldConflicts };
  }
}

/** One side alone changed the story (or both alike): what the other side brings in, if anything. */
function trivial(text: string, base: string, local: string, names: Record<MergeSide, string>): StoryMerge {
  const changes = text === local ? [] : describeOneSide(base, text, names.remote);
  return { text, clean: true, changes, conflicts: [], summary: summarize(changes, [], names) };
}

/** The changes from `base` to `text`, all the other side's. */
function describeOneSide(base: string, text: string, who: string): MergeChange[] {
  const sb = parseStory(base);
  const st = parseStory(text);
  const changes: MergeChange[] = [];
  const lines = lineOf(text);
  if (!sb.error && !st.error) {
    const keys = new Set([...Object.keys(sb.meta), ...Object.keys(st.meta)]);
    for (const k of keys) {
      if (same(sb.meta[k], st.meta[k])) continue;
      const kind = sb.meta[k] === undefined ? 'added' : st.meta[k] === undefined ? 'removed' : 'changed';
      const span = st.spans[k];
      changes.push({
        side: 'remote',
        kind,
        field: k,
        line: lines(span?.from ?? 0),
        from: span?.from ?? 0,
        to: span?.to ?? 0,
        description: `${who} ${verb('remote', kind)} ${fieldName(k)}`,
      });
    }
  } else if (sb.head !== st.head) {
    changes.push({ side: 'remote', kind: 'changed', field: '@head', line: 1, from: 0, to: st.head.length, description: `${who} changed the front matter` });
  }
  const body = mergeBody(sb.body, sb.body, st.body);
  const starts = blockStarts(body.text);
  const baseStarts = blockStarts(sb.body);
  const offset = text.length - st.body.length;
  for (const c of body.changes) {
    const paragraph = c.kind === 'removed' ? blockAt(baseStarts, c.baseFrom) : blockAt(starts, c.from);
    const what = c.kind === 'added' ? `added paragraph ${paragraph}` : `${verb('remote', c.kind)} paragraph ${paragraph}`;
    changes.push({
      side: 'remote',
      kind: c.kind,
      paragraph,
      line: lines(offset + c.from),
      from: offset + c.from,
      to: offset + c.to,
      description: `${who} ${what}${c.kind === 'removed' ? ' (of the last synced text)' : ''}`,
    });
  }
  coalesce(changes);
  return changes;
}

/** Several edits of one side in one paragraph are one change to tell about. */
function coalesce(changes: MergeChange[]): void {
  for (let i = changes.length - 1; i > 0; i--) {
    const [prev, cur] = [changes[i - 1]!, changes[i]!];
    if (prev.paragraph !== undefined && prev.paragraph === cur.paragraph && prev.side === cur.side && prev.kind === cur.kind) {
      prev.to = Math.max(prev.to, cur.to);
      changes.splice(i, 1);
    }
  }
}

const verb = (_side: MergeSide, kind: MergeChange['kind']) => (kind === 'changed' ? 'changed' : kind === 'added' ? 'set' : 'removed');

function patchOf(before: FrontMatter, after: FrontMatter): FrontMatter {
  const patch: FrontMatter = {};
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) if (!same(before[k], after[k])) patch[k] = after[k];
  return patch;
}

function mergeFields(b: FrontMatter, l: FrontMatter, r: FrontMatter): FieldOutcome {
  const meta: FrontMatter = {};
  const out: FieldOutcome = { meta, changes: [], conflicts: [] };
  const keys = [...new Set([...Object.keys(l), ...Object.keys(r), ...Object.keys(b)])];
  for (const key of keys) {
    const [vb, vl, vr] = [b[key], l[key], r[key]];
    const kind: MergeChange['kind'] = vb === undefined ? 'added' : 'changed';
    let value: unknown = vl;
    if (same(vl, vr)) {
      if (!same(vl, vb)) out.changes.push({ side: 'both', kind: vl === undefined ? 'removed' : kind, field: key });
    } else if (same(vl, vb)) {
      value = vr;
      out.changes.push({ side: 'remote', kind: vr === undefined ? 'removed' : kind, field: key });
    } else if (same(vr, vb)) {
      out.changes.push({ side: 'local', kind: vl === undefined ? 'removed' : kind, field: key });
    } else if (vl === undefined || vr === undefined) {
      // Removed on one side, changed on the other: the change is kept, nothing typed is lost.
      value = vl ?? vr;
      out.changes.push({ side: vl === undefined ? 'remote' : 'local', kind: 'changed', field: key });
    } else if (BACKEND_FIELDS.has(key)) {
      value = vr;
      out.changes.push({ side: 'remote', kind, field: key });
    } else if (PROSE_FIELDS.has(key) && typeof vl === 'string' && typeof vr === 'string' && typeof vb === 'string') {
      const pieces = mergeWords(vb, vl, vr);
      if (pieces.every((p) => 'text' in p)) {
        value = pieces.map((p) => ('text' in p ? p.text : '')).join('');
        out.changes.push({ side: 'both', kind: 'changed', field: key });
      } else out.conflicts.push({ field: key, base: vb });
    } else if (key === 'citations' && Array.isArray(vl) && Array.isArray(vr)) {
      const merged = mergeCitations(Array.isArray(vb) ? vb : [], vl, vr);
      if (merged) {
        value = merged;
        out.changes.push({ side: 'both', kind: 'changed', field: key });
      } else out.conflicts.push({ field: key, base: vb });
    } else out.conflicts.push({ field: key, base: vb });
    if (value !== undefined) meta[key] = value;
  }
  return out;
}

/** Citations merged one by one, matched by their number; null when both changed the same one. */
function mergeCitations(b: unknown[], l: unknown[], r: unknown[]): unknown[] | null {
  const num = (c: unknown) => (typeof c === 'object' && c !== null ? String((c as { n?: unknown }).n) : '');
  const byN = (list: unknown[]) => new Map(list.map((c) => [num(c), c]));
  const [mb, ml, mr] = [byN(b), byN(l), byN(r)];
  if (mb.size !== b.length || ml.size !== l.length || mr.size !== r.length) return null;
  const out: unknown[] = [];
  const order = [...new Set([...ml.keys(), ...mr.keys()])];
  for (const n of order) {
    const [cb, cl, cr] = [mb.get(n), ml.get(n), mr.get(n)];
    if (same(cl, cr) || same(cr, cb)) {
      if (cl !== undefined) out.push(cl);
    } else if (same(cl, cb)) {
      if (cr !== undefined) out.push(cr);
    } else return null;
  }
  // A citation both kept unchanged but one side removed goes; the order follows the numbers.
  return out.sort((x, y) => Number(num(x)) - Number(num(y)));
}

interface BodyChange {
  side: MergeSide;
  kind: MergeChange['kind'];
  /** Offsets in the merged body, and where it was in the base's. */
  from: number;
  to: number;
  baseFrom: number;
}

/** The body merged block by block; blocks both sides changed merge word by word. */
function mergeBody(base: string, local: string, remote: string) {
  const [o, a, b] = [splitBlocks(base), splitBlocks(local), splitBlocks(remote)];
  const changes: BodyChange[] = [];
  const conflicts: { from: number; conflict: ConflictText }[] = [];
  let text = a.lead;
  const baseOffsets: number[] = [];
  {
    let off = o.lead.length;
    const seps = [...base.slice(o.lead.length).matchAll(/\n(?:[ \t]*\n)+/g)];
    for (let i = 0; i < o.blocks.length; i++) {
      baseOffsets.push(off);
      off += o.blocks[i]!.length + (seps[i]?.[0].length ?? 0);
    }
    baseOffsets.push(off);
  }
  const emitBlocks = (blocks: string[]) => {
    for (const block of blocks) text += (text.length > a.lead.length ? '\n\n' : '') + block;
  };
  const emitText = (t: string) => {
    if (t !== '') text += (text.length > a.lead.length ? '\n\n' : '') + t;
  };
  let oPos = 0;
  for (const r of diff3Regions(a.blocks, o.blocks, b.blocks, false)) {
    emitBlocks(o.blocks.slice(oPos, r.oStart));
    const la = a.blocks.slice(r.a[0], r.a[1]);
    const lb = b.blocks.slice(r.b[0], r.b[1]);
    const baseFrom = baseOffsets[r.oStart]!;
    const kind: MergeChange['kind'] = r.oStart === r.oEnd ? 'added' : 'changed';
    const record = (side: MergeSide, blocks: string[]) => {
      const from = text.length + (text.length > a.lead.length && blocks.length ? 2 : 0);
      emitBlocks(blocks);
      changes.push({ side, kind: blocks.length === 0 ? 'removed' : kind, from: blocks.length ? from : text.length, to: text.length, baseFrom });
    };
    if (r.changed === 'a') record('local', la);
    else if (r.changed === 'b') record('remote', lb);
    else if (same(la, lb)) record('both', la);
    else {
      const ob = o.blocks.slice(r.oStart, r.oEnd);
      const { pieces, edits } = mergeWordsWithEdits(ob.join('\n\n'), la.join('\n\n'), lb.join('\n\n'));
      const start = text.length + (text.length > a.lead.length ? 2 : 0);
      let merged = '';
      for (const p of pieces) {
        if ('conflict' in p) conflicts.push({ from: start + merged.length, conflict: p.conflict });
        merged += 'text' in p ? p.text : p.conflict.mine;
      }
      emitText(merged);
      // Both sides changed these blocks: each side's clean edits, where they landed.
      for (const e of edits) changes.push({ side: e.side, kind: 'changed', from: start + e.from, to: start + e.to, baseFrom });
    }
    oPos = r.oEnd;
  }
  emitBlocks(o.blocks.slice(oPos));
  text += a.trail;
  return { text, changes, conflicts };
}

function joinBoth(mine: string, theirs: string): string {
  const sep = mine.includes('\n\n') || theirs.includes('\n\n') ? '\n\n' : /\s$/.test(mine) ? '' : ' ';
  return mine + sep + theirs;
}

function lineOf(text: string): (offset: number) => number {
  const starts = lineStarts(text);
  return (offset) => lineIndexAt(starts, offset) + 1;
}

function summarize(changes: MergeChange[], conflicts: MergeConflict[], names: Record<MergeSide, string>): string {
  const incoming = changes
    .filter((c) => c.side === 'remote' && !(c.field && BOOKKEEPING.has(c.field)))
    .map((c) => c.description.slice(names.remote.length + 1));
  const parts: string[] = [];
  if (incoming.length) parts.push(`${capital(names.remote)} ${list(unique(incoming))}.`);
  if (conflicts.length)
    parts.push(
      `${conflicts.length === 1 ? 'One change conflicts' : `${conflicts.length} changes conflict`}: ${list(conflicts.map((c) => c.description.replace(/^.*both changed /, '')))}.`,
    );
  return parts.join(' ');
}

const unique = (xs: string[]) => [...new Set(xs)];
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  const shown = items.length > 4 ? [...items.slice(0, 3), `${items.length - 3} more`] : items;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
