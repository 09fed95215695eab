import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_NAME, SAMPLE_PATH } from '../reference-sample.js';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli/studio.js');
// The reference sample beside this checkout, or our own story with the same four problems.
const reference = SAMPLE_PATH;
const stories = join(root, 'resources/stories');
let tmp: string;

function studio(...args: string[]) {
  // An empty STUDIO_HOME: no library, so the bundled sample catalog is the default.
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, STUDIO_HOME: join(tmp, 'home') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli/studio.js is missing: run `npm run build` (npm install does it)');
  tmp = mkdtempSync(join(tmpdir(), 'studio-cli-'));
  mkdirSync(join(tmp, 'home'));
  writeFileSync(join(tmp, 'latin1.md'), Buffer.from([0x74, 0x69, 0x74, 0x6c, 0xe9, 0x0a]));
  writeFileSync(join(tmp, 'binary.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
  writeFileSync(join(tmp, 'bad-yaml.md'), '---\ntitle: [oops\n---\nbody\n');
  writeFileSync(join(tmp, 'bad-catalog.json'), JSON.stringify({ entities: [{ slug: 'x', name: 'X', type: 'robot' }] }));
  writeFileSync(join(tmp, 'clean.md'), '---\ntitle: Clean\nbeat: ai-policy\n---\nThe {{entity:eu|EU}} met.\n');
});

describe('studio lint', () => {
  it(`finds the four problems of ${SAMPLE_NAME} (3 mislabelled references, 1 citation without a source), exit 1`, () => {
    const r = studio('lint', reference);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.filter((l) => l.includes('ref-label-mismatch'))).toHaveLength(3);
    expect(lines.filter((l) => l.includes('citation-missing'))).toHaveLength(1);
    expect(lines[4]).toBe('1 error, 3 warnings in 1 file');
    expect(r.stderr).toMatch(/note: .*one paragraph/);
  });

  it('--format json prints one array of { file, diagnostics }', () => {
    const r = studio('lint', reference, join(tmp, 'clean.md'), '--format', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      file: string;
      diagnostics: { rule: string; severity: string; line: number; column: number; from: number; to: number; message: string }[];
    }[];
    expect(json.map((x) => x.file)).toEqual([reference, join(tmp, 'clean.md')]);
    expect(json[0]!.diagnostics.map((d) => d.rule).sort()).toEqual(['citation-missing', 'ref-label-mismatch', 'ref-label-mismatch', 'ref-label-mismatch']);
    expect(Object.keys(json[0]!.diagnostics[0]!).sort()).toEqual(['column', 'fix', 'from', 'line', 'message', 'rule', 'severity', 'to']);
    expect(json[1]!.diagnostics).toEqual([]);
    expect(r.stderr).toBe('');
  });

  it('exit 0 on clean stories, and every clean sample is clean', () => {
    const r = studio('lint', join(tmp, 'clean.md'), join(stories, 'gemma-4-dropped.md'), join(stories, 'exported-sample.txt'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('uses --catalog when given', () => {
    writeFileSync(join(tmp, 'tiny-catalog.json'), JSON.stringify({ beats: [{ slug: 'ai-policy', name: 'AI Policy' }] }));
    const r = studio('lint', join(tmp, 'clean.md'), '--catalog', join(tmp, 'tiny-catalog.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ref-unknown');
  });
});

describe('bad input: exit 2, one line naming the file and the reason, nothing written', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['lint', join(tmp, 'nope.md')], /^studio: .*nope\.md: no such file\n$/],
    ['a directory', () => ['lint', tmp], /^studio: .*: is a directory, not a file\n$/],
    ['a file that is not UTF-8', () => ['render', join(tmp, 'latin1.md')], /^studio: .*latin1\.md: is not UTF-8 text\n$/],
    ['a binary file', () => ['render', join(tmp, 'binary.md')], /^studio: .*binary\.md: is a binary file/],
    [
      'unparsable front matter',
      () => ['convert', join(tmp, 'bad-yaml.md'), '--to', 'text'],
      /^studio: .*bad-yaml\.md: not a story: the front matter is not valid YAML/,
    ],
    [
      'a catalog that does not validate',
      () => ['lint', join(tmp, 'clean.md'), '--catalog', join(tmp, 'bad-catalog.json')],
      /^studio: .*bad-catalog\.json: not a valid catalog: entities\[0\] \(slug "x"\): type: must be one of/,
    ],
    ['a bad --site', () => ['render', join(tmp, 'clean.md'), '--site', 'ftp://x'], /^studio: --site: the site "ftp:\/\/x" is not an http\(s\) URL\n$/],
    ['an unknown --to', () => ['convert', join(tmp, 'clean.md'), '--to', 'pdf'], /^studio: error: option '--to <format>' argument 'pdf' is invalid/],
  ];
  it.each(cases)('%s', (_, args, message) => {
    const r = studio(...args());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('convert -o of bad input leaves no file and no temporary file', () => {
    const out = join(tmp, 'out-bad', 'x.txt');
    mkdirSync(join(tmp, 'out-bad'));
    const r = studio('convert', join(tmp, 'bad-yaml.md'), '--to', 'text', '-o', out);
    expect(r.code).toBe(2);
    expect(readdirSync(join(tmp, 'out-bad'))).toEqual([]);
  });
});

describe('studio render and convert', () => {
  it('render prints the body HTML; --standalone a whole page; --site moves the links', () => {
    const r = studio('render', join(tmp, 'clean.md'), '--site', 'https://news.example.org');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      '<p data-line="5">The <a class="ref ref-entity" href="https://news.example.org/entities/eu" data-kind="entity" data-slug="eu">EU</a> met.</p>\n',
    );
    const page = studio('render', join(tmp, 'clean.md'), '--standalone');
    expect(page.stdout).toMatch(/^<!doctype html>[\s\S]*<h1 data-line="2">Clean<\/h1>[\s\S]*<\/html>\n$/);
  });

  it('convert -o writes atomically, and md ↔ text round trips through files', () => {
    const txt = join(tmp, 'round.txt');
    const md = join(tmp, 'round.md');
    expect(studio('convert', join(stories, 'gemma-4-dropped.md'), '--to', 'text', '-o', txt).code).toBe(0);
    expect(studio('convert', txt, '--to', 'md', '-o', md).code).toBe(0);
    expect(studio('convert', md, '--to', 'text').stdout).toBe(readFileSync(txt, 'utf8'));
    expect(readFileSync(md, 'utf8')).toMatch(/^---\ntitle: Gemma 4 Dropped/);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const html = studio('convert', txt, '--to', 'html');
    expect(html.stdout).toContain('<!doctype html>');
  });
});

describe('convert -o onto what is not a regular file (issue 15 #14)', () => {
  const convertTo = (out: string) => studio('convert', join(tmp, 'clean.md'), '--to', 'text', '-o', out);
  const refused = (r: ReturnType<typeof studio>, out: string, what: RegExp) => {
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(out);
    expect(lines[0]).toMatch(what);
  };

  it('refuses a symbolic link, replacing neither the link nor its target', () => {
    const dir = mkdtempSync(join(tmp, 'link-'));
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'keep me\n');
    const link = join(dir, 'link.txt');
    symlinkSync(target, link);
    refused(convertTo(link), link, /symbolic link/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir).sort()).toEqual(['link.txt', 'target.txt']);
  });

  it('refuses a FIFO without opening it, and leaves it a FIFO', () => {
    const dir = mkdtempSync(join(tmp, 'fifo-'));
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    refused(convertTo(fifo), fifo, /not a regular file/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a device node (made with mknod, as root), and leaves it one', () => {
    const dir = mkdtempSync(join(tmp, 'dev-'));
    const dev = join(dir, 'null');
    execFileSync('mknod', [dev, 'c', '1', '3']);
    refused(convertTo(dev), dev, /not a regular file/);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(['null']);
  });

  it('refuses a folder', () => {
    const dir = mkdtempSync(join(tmp, 'dir-'));
    refused(convertTo(dir), dir, /directory/);
  });

  it("keeps an existing file's mode: 0600 stays 0600, 0640 stays 0640", () => {
    for (const mode of [0o600, 0o640]) {
      const out = join(mkdtempSync(join(tmp, 'mode-')), 'out.txt');
      writeFileSync(out, 'old\n');
      chmodSync(out, mode);
      expect(convertTo(out).code).toBe(0);
      expect(statSync(out).mode & 0o7777).toBe(mode);
      expect(readFileSync(out, 'utf8')).toBe(studio('convert', join(tmp, 'clean.md'), '--to', 'text').stdout);
    }
  });
});

describe('the package', () => {
  it('exposes the story core as newsdesk-studio/shared and the CLI through npx', () => {
    const r = spawnSync(
      process.execPath,
      [
        '-e',
        "import('newsdesk-studio/shared').then((m) => console.log(['parseStory','serializeStory','renderHtml','renderMarkdown','lintStory','toPlainText','deriveSlug','loadCatalog'].map((k) => typeof m[k]).join(',')))",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe(Array(8).fill('function').join(','));
    const npx = spawnSync('npx', ['--no-install', 'studio', 'lint', reference, '--format', 'json'], { cwd: root, encoding: 'utf8' });
    expect(npx.status).toBe(1);
    expect(JSON.parse(npx.stdout)[0].diagnostics).toHaveLength(4);
  });
});
