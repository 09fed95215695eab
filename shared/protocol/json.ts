/**
 * JSON with bounds (publishing-protocol.md: no JSON value nests deeper than 32): the one way the
 * backend reads a request body and the studio reads a backend's answer. The nesting is measured by
 * a linear scan before `JSON.parse` runs, so a hostile value costs time in its length, never a
 * stack overflow here or in whatever walks the value later (zod, JSON.stringify, a renderer).
 */

export const JSON_MAX_DEPTH = 32;

export interface JsonBounds {
  /** Deepest nesting of arrays and objects allowed (the top level counts as 1). */
  maxDepth?: number;
  /** Largest text allowed, in UTF-8 bytes (counted as characters up to 3 bytes each when cheaper). */
  maxBytes?: number;
}

export type JsonParse = { ok: true; value: unknown } | { ok: false; error: string };

/** Parses `text` as JSON within the bounds; a refusal says why in one line. */
export function parseJsonBounded(text: string, bounds: JsonBounds = {}): JsonParse {
  const maxDepth = bounds.maxDepth ?? JSON_MAX_DEPTH;
  if (bounds.maxBytes !== undefined && text.length * 3 > bounds.maxBytes) {
    const bytes = utf8Length(text);
    if (bytes > bounds.maxBytes) return { ok: false, error: `the JSON is ${bytes} bytes, more than ${bounds.maxBytes}` };
  }
  if (nestingExceeds(text, maxDepth)) return { ok: false, error: `the JSON nests deeper than ${maxDepth} levels` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return {
      ok: false,
      error: `the JSON does not parse: ${String((e as Error).message)
        .split('\n')[0]!
        .slice(0, 200)}`,
    };
  }
}

/** Whether arrays and objects nest deeper than `max` (brackets inside strings do not count). */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Bytes of a string in UTF-8 (shared/ has neither TextEncoder's types nor Buffer). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
