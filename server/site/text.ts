/**
 * Making story text safe in every public output. Titles and deks are the writers' own text: markup,
 * quotes, `</script>` and control characters must reach a reader as text, never as structure.
 */

/** Characters XML 1.0 cannot hold at all, even escaped (and that mean nothing in HTML either). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function withoutControls(text: string): string {
  return text.replace(NOT_XML, '');
}

/** Text for an XML or HTML element or a double- or single-quoted attribute. */
export function escapeMarkup(text: string): string {
  return withoutControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Text for an XML element or attribute: XML's own five entities (every XML reader knows them). */
export function escapeXml(text: string): string {
  return withoutControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * JSON inside a `<script type="application/ld+json">` block: `<`, `>` and `&` as \u escapes, so no
 * `</script>` or `<!--` can end or change the block, and U+2028/2029 escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? withoutControls(v) : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
