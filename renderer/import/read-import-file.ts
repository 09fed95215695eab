/** The most text one imported file may hold (the contract's limit for `importText`). */
export const MAX_IMPORT_CHARS = 5_000_000;

export type DecodedFile = { ok: true; name: string; text: string } | { ok: false; name: string; error: string };

/**
 * A dropped or picked file's bytes as text, or the one-line reason it is refused. Decoded here with
 * a strict UTF-8 decoder rather than `File.text()`, which silently turns bad bytes into U+FFFD and
 * would import a mangled story. A NUL byte means binary (an image, a .docx, UTF-16 text).
 */
export function decodeImportFile(name: string, bytes: Uint8Array): DecodedFile {
  if (bytes.includes(0)) return { ok: false, name, error: `${name}: not a text file (it holds binary data); import .md or .txt stories` };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, name, error: `${name}: not UTF-8 text; save it as UTF-8 and import it again` };
  }
  if (text.length > MAX_IMPORT_CHARS) {
    return { ok: false, name, error: `${name}: too large (${text.length.toLocaleString('en')} characters; at most ${MAX_IMPORT_CHARS.toLocaleString('en')})` };
  }
  if (text.trim() === '') return { ok: false, name, error: `${name}: the file is empty` };
  return { ok: true, name, text };
}
