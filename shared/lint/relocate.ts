import type { SourceSpan, Story } from '../story/types.js';
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

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
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
    return { ...rest, ...range, ...lineColumn(toText, range.from) };
  });
}
