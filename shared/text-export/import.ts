import type { CatalogIndex } from '../catalog/index.js';
import { isValidSlug } from '../slug.js';
import { lineIndexAt, lineStarts } from '../text-util.js';
import type { FrontMatter, SourceSpan, Story } from '../story/types.js';

const HEAVY = /═{8,}/g;
const LIGHT = /─{8,}/g;

/**
 * Reads a plain-text export, in the multi-line form or the form with every line break collapsed
 * into a space. The beat's display name maps back to its slug through the catalog.
 */
export function parsePlainText(text: string, catalog?: CatalogIndex): Story {
  const heavy = [...text.matchAll(HEAVY)];
  const light = [...text.matchAll(LIGHT)];
  const starts = lineStarts(text);
  const point = (offset: number) => {
    const i = lineIndexAt(starts, offset);
    return { offset, line: i + 1, column: offset - starts[i]! };
  };
  const fail = (message: string): Story => ({
    format: 'text',
    meta: {},
    body: '',
    bodyStart: point(0),
    head: '',
    frontMatter: null,
    frontMatterOffset: 0,
    spans: {},
    notices: [],
    error: { message, from: 0, to: Math.min(text.length, 64) },
  });
  if (heavy.length < 2) return fail('not a story export: the title rules (═) are missing');
  const headerStart = heavy[1]!.index + heavy[1]![0].length;
  const lightAfter = light.filter((m) => m.index >= headerStart);
  if (lightAfter.length < 2) return fail('not a story export: the rules (─) around the body are missing');
  const open = lightAfter[0]!;
  const close = lightAfter[lightAfter.length - 1]!;
  const headerEnd = open.index;

  const meta: FrontMatter = {};
  const span = (from: number, to: number): SourceSpan => {
    const p = point(from);
    return { from, to, line: p.line, column: p.column };
  };
  const spans: Record<string, SourceSpan> = { '@head': span(0, open.index + open[0].length) };
  const notices: string[] = [];
  const fields = readHeader(text, headerStart, headerEnd);
  const set = (key: string, field: Field | undefined, value = field?.value) => {
    if (!field || !value) return;
    meta[key] = value;
    spans[key] = span(field.from, field.to);
  };
  set('title', fields.Title);
  const beat = fields.Beat;
  if (beat && beat.value) {
    const known = catalog?.beatByName(beat.value);
    if (known) set('beat', beat, known.slug);
    else if (catalog?.beats.has(beat.value)) set('beat', beat);
    else {
      set('beat', beat);
      notices.push(
        catalog
          ? `the beat "${beat.value}" is not in the catalog; it is kept as written`
          : `the beat "${beat.value}" was kept as written: no catalog to map it to a slug`,
      );
    }
  }
  const url = fields.URL;
  if (url && url.value) {
    const m = /\/stories\/([^/?#\s]+)\/?$/.exec(url.value);
    if (m) {
      // Kept even when it breaks the slug rule: the linter then says so, and nothing is lost.
      const slugFrom = url.from + url.value.lastIndexOf(m[1]!);
      meta.slug = m[1];
      spans.slug = span(slugFrom, slugFrom + m[1]!.length);
      if (!isValidSlug(m[1]!)) notices.push(`the slug "${m[1]}" in the URL breaks the slug rule; it is kept as written`);
    } else notices.push(`the URL "${url.value}" does not end in /stories/SLUG; the slug was left out`);
  }
  set('published', fields.Published);

  // The body: between the rule that closes the header and the last rule before the footer.
  let bodyFrom = open.index + open[0].length;
  let bodyTo = close.index;
  const collapsed = !text.slice(headerStart, bodyTo).includes('\n');
  if (collapsed) {
    while (bodyFrom < bodyTo && /\s/.test(text[bodyFrom]!)) bodyFrom++;
    while (bodyTo > bodyFrom && /\s/.test(text[bodyTo - 1]!)) bodyTo--;
    if (bodyTo > bodyFrom) notices.push('the line breaks of this export were collapsed: the body came back as one paragraph');
  } else {
    if (text[bodyFrom] === '\r') bodyFrom++;
    if (text[bodyFrom] === '\n') bodyFrom++;
    while (bodyTo > bodyFrom && (text[bodyTo - 1] === '\n' || text[bodyTo - 1] === '\r')) bodyTo--;
  }
  return {
    format: 'text',
    meta,
    body: text.slice(bodyFrom, bodyTo),
    bodyStart: point(bodyFrom),
    head: '',
    frontMatter: null,
    frontMatterOffset: 0,
    spans,
    notices,
  };
}

interface Field {
  value: string;
  from: number;
  to: number;
}

const KEYS = ['Title', 'Beat', 'Published', 'URL'] as const;

/** Header fields by key. In the collapsed form they follow one another on one line. */
function readHeader(text: string, from: number, to: number): Partial<Record<(typeof KEYS)[number], Field>> {
  const out: Partial<Record<(typeof KEYS)[number], Field>> = {};
  const header = text.slice(from, to);
  const trimmedField = (start: number, end: number): Field => {
    while (start < end && /\s/.test(text[start]!)) start++;
    while (end > start && /\s/.test(text[end - 1]!)) end--;
    return { value: text.slice(start, end), from: start, to: end };
  };
  if (header.trim().includes('\n')) {
    let offset = from;
    for (const line of header.split('\n')) {
      const m = /^\s*(Title|Beat|Published|URL):/.exec(line);
      if (m) out[m[1] as (typeof KEYS)[number]] = trimmedField(offset + m[0].length, offset + line.length);
      offset += line.length + 1;
    }
    return out;
  }
  // Collapsed: find each label from the right, so that a title may itself contain a colon.
  let end = to;
  for (const key of [...KEYS].reverse()) {
    const label = `${key}:`;
    const at = key === 'Title' ? text.indexOf(label, from) : text.lastIndexOf(` ${label}`, end - 1);
    if (at === -1 || at < from || at >= end) continue;
    const valueStart = key === 'Title' ? at + label.length : at + label.length + 1;
    out[key] = trimmedField(valueStart, end);
    end = at;
  }
  return out;
}
