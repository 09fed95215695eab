import { describe, expect, it } from 'vitest';
import { MAX_IMPORT_CHARS, decodeImportFile } from '../../renderer/import/read-import-file.js';

const bytes = (s: string, enc: BufferEncoding = 'utf8') => new Uint8Array(Buffer.from(s, enc));

describe('reading an imported file in the page', () => {
  it('reads UTF-8 text, dropping a byte-order mark', () => {
    expect(decodeImportFile('a.md', bytes('\uFEFF---\ntitle: Café\n---\nHi\n'))).toEqual({ ok: true, name: 'a.md', text: '---\ntitle: Café\n---\nHi\n' });
  });

  it('refuses binary files, other encodings, empty and huge files with one line naming the file', () => {
    expect(decodeImportFile('p.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1]))).toMatchObject({
      ok: false,
      error: 'p.png: not a text file (it holds binary data); import .md or .txt stories',
    });
    expect(decodeImportFile('l.txt', bytes('Caf\xe9', 'latin1'))).toMatchObject({
      ok: false,
      error: 'l.txt: not UTF-8 text; save it as UTF-8 and import it again',
    });
    expect(decodeImportFile('u16.txt', bytes('title', 'utf16le'))).toMatchObject({ ok: false, error: expect.stringMatching(/^u16\.txt: not a text file/) });
    expect(decodeImportFile('e.md', bytes(' \n'))).toMatchObject({ ok: false, error: 'e.md: the file is empty' });
    expect(decodeImportFile('big.md', bytes('x'.repeat(MAX_IMPORT_CHARS + 1)))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^big\.md: too large \(5,000,001 characters; at most 5,000,000\)$/),
    });
  });
});
