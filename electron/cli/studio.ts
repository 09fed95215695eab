import { Command, CommanderError, Option } from 'commander';
import { hasErrors, lintStory, normalizeSite, renderHtml, serializeStory, toPlainText, type Diagnostic } from '../../shared/index.js';
import { writeFileAtomic } from '../services/atomic-write.js';
import { BadInputError } from '../services/bad-input.js';
import { readStoryFile } from '../services/story-files.js';
import { stripControlChars } from '../../shared/text-util.js';
import { chooseCatalog } from './catalog-choice.js';
import { formatDiagnostic, summarize } from './format-diagnostics.js';
import { addSyncCommands } from './sync-commands.js';

/** Exit codes of `studio`: success, lint errors, bad input. */
export const EXIT = { ok: 0, lintErrors: 1, badInput: 2 } as const;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
};

/** Runs the `studio` command line on `argv` (without node and the script) and resolves to the exit code. */
export async function runStudio(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv as string[], { from: 'user' });
    return program.exitCodeValue;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.badInput;
    }
    if (e instanceof BadInputError) {
      io.stderr(`studio: ${e.file}: ${e.message}\n`);
      return EXIT.badInput;
    }
    // An error may quote a backend's words: no terminal escapes from there.
    io.stderr(`studio: ${stripControlChars((e as Error).message.split('\n')[0]!)}\n`);
    return EXIT.badInput;
  }
}

type Program = Command & { exitCodeValue: number };

function buildProgram(io: CliIo): Program {
  const program = new Command('studio') as Program;
  program.exitCodeValue = EXIT.ok;
  program
    .description('Newsdesk Studio: lint, render and convert stories')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: (t) => io.stderr(t.startsWith('error:') ? `studio: ${t}` : t) })
    .showHelpAfterError(false);

  program
    .command('lint')
    .description('check stories against the catalog; exit 1 when any error')
    .argument('<file...>', 'story files or plain-text exports')
    .option('--catalog <file>', 'catalog JSON (default: the library catalog, else the sample)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (files: string[], opts: { catalog?: string; format: 'text' | 'json' }) => {
      const catalog = await chooseCatalog(opts.catalog);
      const results: { file: string; diagnostics: Diagnostic[] }[] = [];
      let bad = false;
      for (const file of files) {
        try {
          const story = await readStoryFile(file, catalog);
          if (opts.format === 'text') for (const note of story.notices) io.stderr(`studio: ${file}: note: ${note}\n`);
          results.push({ file, diagnostics: lintStory(story, catalog) });
        } catch (e) {
          if (!(e instanceof BadInputError)) throw e;
          io.stderr(`studio: ${e.file}: ${e.message}\n`);
          bad = true;
        }
      }
      if (opts.format === 'json') io.stdout(`${JSON.stringify(results, null, 2)}\n`);
      else {
        for (const r of results) for (const d of r.diagnostics) io.stdout(`${formatDiagnostic(r.file, d)}\n`);
        if (results.length)
          io.stdout(
            `${summarize(
              results.flatMap((r) => r.diagnostics),
              results.length,
            )}\n`,
          );
      }
      program.exitCodeValue = bad ? EXIT.badInput : results.some((r) => hasErrors(r.diagnostics)) ? EXIT.lintErrors : EXIT.ok;
    });

  program
    .command('render')
    .description('render a story as HTML on stdout')
    .argument('<file>', 'a story file or plain-text export')
    .option('--catalog <file>', 'catalog JSON')
    .option('--site <url>', 'the public site reference links point at', 'https://aidran.ai')
    .option('--standalone', 'a whole page with title, dek, beat, body, citations and a stylesheet')
    .action(async (file: string, opts: { catalog?: string; site: string; standalone?: boolean }) => {
      const site = siteOption(opts.site);
      const catalog = await chooseCatalog(opts.catalog);
      const story = await readStoryFile(file, catalog);
      io.stdout(renderHtml(story, { catalog, site, standalone: opts.standalone === true }));
    });

  program
    .command('convert')
    .description('convert a story between the story file, the plain-text export and HTML')
    .argument('<file>', 'a story file or plain-text export')
    .addOption(new Option('--to <format>', 'target format').choices(['md', 'text', 'html']).makeOptionMandatory())
    .option('-o, --output <file>', 'write here (atomically) instead of stdout')
    .option('--catalog <file>', 'catalog JSON')
    .option('--site <url>', 'the public site', 'https://aidran.ai')
    .action(async (file: string, opts: { to: 'md' | 'text' | 'html'; output?: string; catalog?: string; site: string }) => {
      const site = siteOption(opts.site);
      const catalog = await chooseCatalog(opts.catalog);
      const story = await readStoryFile(file, catalog);
      for (const note of story.notices) io.stderr(`studio: ${file}: note: ${note}\n`);
      const out =
        opts.to === 'md'
          ? serializeStory(story)
          : opts.to === 'text'
            ? toPlainText(story, catalog, { site })
            : renderHtml(story, { catalog, site, standalone: true });
      if (opts.output) await writeFileAtomic(opts.output, out);
      else io.stdout(out);
    });

  addSyncCommands(program, io);
  return program;
}

function siteOption(site: string): string {
  try {
    return normalizeSite(site);
  } catch (e) {
    throw new BadInputError('--site', (e as Error).message);
  }
}
