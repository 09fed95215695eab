import { Document, isMap, isPair, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';
import { jsonEqual } from '../text-util.js';
import type { FrontMatter, SourceSpan, StoryError } from './types.js';

const OPEN_FENCE = /^(\uFEFF?)---[ \t]*(\r?\n|$)/;
const CLOSE_FENCE = /^(?:---|\.\.\.)[ \t]*\r?$/m;

export interface SplitFile {
  /** Everything before the body. */
  head: string;
  /** The YAML between the fences, or null without front matter. */
  yaml: string | null;
  yamlOffset: number;
  bodyOffset: number;
  error?: StoryError;
}

/** Splits a story file into its front matter and its body. */
export function splitFrontMatter(text: string): SplitFile {
  const open = OPEN_FENCE.exec(text);
  if (!open) {
    const bom = text.startsWith('\uFEFF') ? 1 : 0;
    return { head: text.slice(0, bom), yaml: null, yamlOffset: bom, bodyOffset: bom };
  }
  const yamlOffset = open[0].length;
  const rest = text.slice(yamlOffset);
  const close = CLOSE_FENCE.exec(rest);
  if (!close) {
    return {
      head: '',
      yaml: null,
      yamlOffset: 0,
      bodyOffset: 0,
      error: { message: 'the front matter is never closed (no --- line after the opening one)', from: 0, to: yamlOffset },
    };
  }
  const yamlEnd = yamlOffset + close.index;
  let bodyOffset = yamlEnd + close[0].length;
  if (text[bodyOffset] === '\n') bodyOffset += 1;
  return { head: text.slice(0, bodyOffset), yaml: text.slice(yamlOffset, yamlEnd), yamlOffset, bodyOffset };
}

export interface ReadFrontMatter {
  meta: FrontMatter;
  spans: Record<string, SourceSpan>;
  error?: StoryError;
}

/** Turns a file offset into its 1-based line and 0-based column. */
export type Locate = (offset: number) => { line: number; column: number };

/** Reads the YAML front matter into plain data, with the source range of every value (offset by `base`). */
export function readFrontMatter(yaml: string, base: number, locate: Locate): ReadFrontMatter {
  if (yaml.length > FRONT_MATTER_MAX_CHARS) {
    const message = `the front matter is too large: ${Math.ceil(yaml.length / 1024)} KiB (at most ${FRONT_MATTER_MAX_CHARS / 1024} KiB)`;
    return { meta: {}, spans: {}, error: { message, from: base, to: base + yaml.length } };
  }
  // yaml's own duplicate-key check compares each key with every earlier one (quadratic in a map's
  // size): keys are checked here instead, once each, with the key count bounded on the way.
  const doc = parseDocument(yaml, { prettyErrors: false, uniqueKeys: false });
  const err = doc.errors[0] ?? checkKeys(doc.contents);
  if (err) {
    const [from, to] = err.pos;
    const line = 'linePos' in err ? err.linePos?.[0] : undefined;
    const where = line ? ` (front matter line ${line.line}, column ${line.col})` : '';
    const message = 'tooMany' in err ? err.message : `the front matter is not valid YAML: ${firstLine(err.message)}${where}`;
    return { meta: {}, spans: {}, error: { message, from: base + from, to: base + Math.max(to, from) } };
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && (contents.value === null || contents.value === ''))) {
    return { meta: {}, spans: {} };
  }
  if (!isMap(contents)) {
    const range = (contents as YamlNode).range ?? [0, yaml.length];
    return {
      meta: {},
      spans: {},
      error: { message: 'the front matter is not a mapping of keys to values', from: base + range[0], to: base + range[1] },
    };
  }
  let meta: FrontMatter;
  try {
    meta = doc.toJS({ maxAliasCount: 50 }) as FrontMatter;
  } catch (e) {
    return {
      meta: {},
      spans: {},
      error: { message: `the front matter cannot be read: ${firstLine((e as Error).message)}`, from: base, to: base + yaml.length },
    };
  }
  return { meta, spans: collectSpans(contents, yaml, base, locate) };
}

/** The most YAML a story's front matter may hold, in characters, and the most keys (over all its maps). */
export const FRONT_MATTER_MAX_CHARS = 512 * 1024;
export const FRONT_MATTER_MAX_KEYS = 10_000;

interface KeyProblem {
  message: string;
  pos: [number, number];
  tooMany?: true;
}

/**
 * The first repeated key of any map (as yaml's `uniqueKeys` reports it), or too many keys in all:
 * one pass over the nodes, each map's keys in a set. Iterative, so nesting cannot overflow the stack.
 */
function checkKeys(root: unknown): KeyProblem | undefined {
  const stack: unknown[] = [root];
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (++count > FRONT_MATTER_MAX_KEYS) {
          const message = `the front matter has more than ${FRONT_MATTER_MAX_KEYS.toLocaleString('en')} keys`;
          return { message, pos: (root as YamlNode).range ? [(root as YamlNode).range![0], (root as YamlNode).range![1]] : [0, 0], tooMany: true };
        }
        const key = pair.key;
        if (isScalar(key)) {
          if (seen.has(key.value)) {
            const at = key.range?.[0] ?? 0;
            return { message: 'Map keys must be unique', pos: [at, at + 1] };
          }
          seen.add(key.value);
        } else if (key) stack.push(key);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isPair(node)) {
      stack.push(node.key, node.value);
    }
  }
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

function collectSpans(map: import('yaml').YAMLMap, yaml: string, base: number, locate: Locate): Record<string, SourceSpan> {
  const spans: Record<string, SourceSpan> = {};
  const put = (path: string, node: unknown, fallback: unknown) => {
    const range = (node as YamlNode | null)?.range ?? (fallback as YamlNode | null)?.range;
    if (!range) return;
    let end = range[1];
    // A block node's range runs to the next line; a diagnostic should end with the value.
    while (end > range[0] && /\s/.test(yaml[end - 1]!)) end--;
    spans[path] = { from: base + range[0], to: base + end, ...locate(base + range[0]) };
  };
  for (const pair of map.items) {
    if (!isPair(pair) || !isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    put(key, pair.value, pair.key);
    put(`@key:${key}`, pair.key, pair.key);
    if (isSeq(pair.value)) {
      pair.value.items.forEach((item, i) => {
        put(`${key}.${i}`, item, pair.key);
        if (isMap(item)) {
          for (const p of item.items) if (isPair(p) && isScalar(p.key)) put(`${key}.${i}.${String(p.key.value)}`, p.value, p.key);
        }
      });
    }
  }
  return spans;
}

/** The order in which a new front matter lists the known keys; others follow as they come. */
const KEY_ORDER = ['title', 'dek', 'beat', 'slug', 'published', 'status', 'citations'];

const TO_STRING = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * YAML for `meta`. Given the original YAML, only what changed is rewritten, so key order, comments
 * and formatting of everything else stay as written.
 */
export function writeFrontMatter(meta: FrontMatter, original: string | null): string {
  if (original !== null) {
    const doc = parseDocument(original, { uniqueKeys: false });
    if (doc.errors.length === 0 && (isMap(doc.contents) || doc.contents === null || isScalar(doc.contents))) {
      const before = (isMap(doc.contents) ? doc.toJS() : {}) as FrontMatter;
      if (jsonEqual(before, meta)) return original;
      if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as never;
      applyChanges(doc, before, meta);
      return doc.toString(TO_STRING);
    }
  }
  const ordered: FrontMatter = {};
  for (const key of KEY_ORDER) if (key in meta && meta[key] !== undefined) ordered[key] = meta[key];
  for (const [key, value] of Object.entries(meta)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
  if (Object.keys(ordered).length === 0) return '';
  return new Document(ordered).toString(TO_STRING);
}

function applyChanges(doc: Document, before: FrontMatter, after: FrontMatter): void {
  for (const key of Object.keys(before)) if (!(key in after) || after[key] === undefined) doc.delete(key);
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined || jsonEqual(before[key], value)) continue;
    const old = before[key];
    // Change list items one by one, so that comments on the untouched ones survive.
    if (Array.isArray(old) && Array.isArray(value) && old.length === value.length) {
      value.forEach((item, i) => {
        if (jsonEqual(old[i], item)) return;
        const oldItem = old[i];
        if (isPlainObject(oldItem) && isPlainObject(item)) {
          for (const k of Object.keys(oldItem)) if (!(k in item)) doc.deleteIn([key, i, k]);
          for (const [k, v] of Object.entries(item)) if (!jsonEqual(oldItem[k], v)) doc.setIn([key, i, k], freshScalar(doc, v));
        } else {
          doc.setIn([key, i], item);
        }
      });
    } else {
      doc.set(key, freshScalar(doc, value));
    }
  }
}

/**
 * A changed string as a new node, so that yaml picks its style afresh: set on the old node, a
 * value that needed quotes for a moment (a title typed up to "What " with its trailing space)
 * would keep them for good. Other values are set as they are.
 */
function freshScalar(doc: Document, value: unknown): unknown {
  return typeof value === 'string' ? doc.createNode(value) : value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
