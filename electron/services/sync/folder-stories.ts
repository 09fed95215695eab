/** LocalStories over a folder of `<slug>.md` story files, written atomically (the command line's store). */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isValidSlug } from '../../../shared/index.js';
import type { LocalStories } from './engine.js';

export class FolderStories implements LocalStories {
  constructor(readonly dir: string) {}

  private file(slug: string): string {
    if (!isValidSlug(slug)) throw new Error(`not a valid slug: ${slug}`);
    return join(this.dir, `${slug}.md`);
  }

  get(slug: string): string | undefined {
    const f = this.file(slug);
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  }

  put(slug: string, text: string): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = join(this.dir, `.${slug}.${randomBytes(4).toString('hex')}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, this.file(slug));
  }
}
