import { readFile, stat } from 'node:fs/promises';
import { loadCatalog, parseStory, type CatalogIndex, type Story } from '../../shared/index.js';
import { BadInputError } from './bad-input.js';

/** Reads a file as UTF-8 text, refusing folders, binary files and invalid UTF-8 with a one-line reason. */
export async function readTextFile(file: string): Promise<string> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BadInputError(file, code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : `cannot read (${code})`);
  }
  if (info.isDirectory()) throw new BadInputError(file, 'is a directory, not a file');
  if (!info.isFile()) throw new BadInputError(file, 'is not a regular file');
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new BadInputError(file, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return decodeText(file, bytes);
}

/** Decodes bytes as UTF-8, refusing binary data and invalid UTF-8. */
export function decodeText(file: string, bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new BadInputError(file, 'is a binary file (it holds NUL bytes), not a story');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadInputError(file, 'is not UTF-8 text');
  }
}

/** Reads a story file or a plain-text export; input that is not a story is bad input. */
export async function readStoryFile(file: string, catalog?: CatalogIndex): Promise<Story> {
  const text = await readTextFile(file);
  const story = parseStory(text, { catalog });
  if (story.error) throw new BadInputError(file, `not a story: ${story.error.message}`);
  return story;
}

/** Reads and validates a catalog file. */
export async function readCatalogFile(file: string): Promise<CatalogIndex> {
  const text = await readTextFile(file);
  try {
    return loadCatalog(text);
  } catch (e) {
    throw new BadInputError(file, `not a valid catalog: ${(e as Error).message}`);
  }
}
