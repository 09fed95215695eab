import type { SourceSpan, Story } from '../story/types.js';
import { textMap } from '../text-map.js';
import { commonPrefix, lineIndexAt, lineStarts } from '../text-util.js';
import type { Diagnostic } from './types.js';

/** The front-matter key path whose value holds `offset` (the narrowest span), if any. */
function keyAt(story: Story, offset: number): string | undefined {
  let best: { key: string; size: number } | undefined;
  for (const [key, span] of Object.entries(story.spans)) {
    if (key === '@head' || offset < span.from || offset > span.to) continue;
    const size = span.to - span.from;
    if (!best || size < best.size) best = { key, size };
  }
  return best?.key;
}

/** Line and column (1-based) of offsets in `text`: its line starts found once, then a binary search each. */
function lineColumns(text: string): (offset: number) => { line: number; column: number } {
  const starts = lineStarts(text);
  return (offset) => {
    const i = lineIndexAt(starts, offset);
    return { line: i + 1, column: offset - starts[i]! + 1 };
  };
}

/**
 * Moves diagnostics found in one file of a story to another file of the same story (the same body,
 * front matter written differently, or the story file and its plain-text export): what the publishing backend reports against the file it built
 * lands on the same words of the writer's file. Body findings shift with the body; front-matter
 * findings move to the same key, or to the top of the file. Fixes are dropped, since their offsets
 * belonged to the other file.
 */
export function relocateDiagnostics(diagnostics: readonly Diagnostic[], from: Story, to: Story, toText: string): Diagnostic[] {
  const shift = to.bodyStart.offset - from.bodyStart.offset;
  const end = toText.length;
  // The bodies agree up to here (a plain-text export's lacks the story file's last newline).
  const same = from.body === to.body ? from.body.length : commonPrefix(from.body, to.body);
  const lineColumn = lineColumns(toText);
  return diagnostics.map((d) => {
    let range: { from: number; to: number };
    if (d.from >= from.bodyStart.offset && d.to - from.bodyStart.offset <= same) {
      range = { from: d.from + shift, to: d.to + shift };
    } else {
      const key = keyAt(from, d.from);
      const span: SourceSpan | undefined = key ? to.spans[key] : undefined;
      range = span ? { from: span.from, to: span.to } : { from: 0, to: Math.min(end, Math.max(0, to.bodyStart.offset - 1)) };
    }
    range = { from: Math.min(Math.max(0, range.from), end), to: Math.min(Math.max(0, range.to), end) };
    const { fix: _fix, ...rest } = d;
    return { ...rest, ...range, ...lineColumn(range.from) };
  });
}

/**
 * The backend's findings on the text that was sent, carried onto the text as it is now (issue 11
 * #4): a finding whose words no edit touched moves with them; one whose words an edit touched can
 * no longer be placed and is `stale` (shown once, apart: "from the backend, before your last
 * edit"), never drawn on other lines; one the local lint also makes at the same place is dropped,
 * so that nothing is said twice.
 */
export function carryFindings(
  findings: readonly Diagnostic[],
  sentText: string,
  currentText: string,
  local: readonly Diagnostic[] = [],
): { placed: Diagnostic[]; stale: Diagnostic[] } {
  const map = sentText === currentText ? null : textMap(sentText, currentText);
  const placed: Diagnostic[] = [];
  const stale: Diagnostic[] = [];
  const said = new Set(local.map((d) => `${d.rule}\u0000${d.from}\u0000${d.to}`));
  const lineColumn = lineColumns(currentText);
  for (const d of findings) {
    const range = map ? map.mapRange(d.from, d.to) : { from: d.from, to: d.to };
    if (!range) {
      stale.push(d);
      continue;
    }
    if (said.has(`${d.rule}\u0000${range.from}\u0000${range.to}`)) continue;
    placed.push({ ...d, ...range, ...lineColumn(range.from) });
  }
  return { placed, stale };
}
