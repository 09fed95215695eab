import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';
import { writeFileAtomicSync } from './atomic-write.js';

export interface CachedRun {
  /** Whether V8 took the compiled code from the cache (false on a first start, or after Node or the bundle changed). */
  accepted: boolean;
  /** Writes the cache now, with what V8 has compiled so far (the start's functions too). */
  save(): void;
}

/**
 * Runs a CommonJS bundle with V8's code cache kept in `cacheFile`. Compiling the host's 2.4 MB
 * bundle was a quarter of its start (≈ 110 ms of ≈ 400, issue 13); from the cache V8 skips the
 * parse and reuses every function the last start compiled. Node 22's `module.enableCompileCache()`
 * does this for ES modules too, but Node 20 has nothing for them, so the host is built as CommonJS
 * and run through `vm.Script`'s `cachedData`, which both have.
 *
 * V8 checks a cache against its own version and flags and the source's length, not its text, so
 * the file starts with a key of the bundle's hash and Node's version (≈ 3 ms for 2.4 MB): a rebuilt
 * bundle never runs the last build's code. A cache that does not match (another build, another
 * Node, a damaged file) costs only the check: the bundle compiles as if there were none.
 */
export function runWithCodeCache(bundle: string, cacheFile: string): CachedRun {
  const source = readFileSync(bundle, 'utf8');
  const key = Buffer.from(`${createHash('sha1').update(source).digest('hex')}:${process.version}\n`);
  let cachedData: Buffer | undefined;
  try {
    const file = readFileSync(cacheFile);
    if (file.subarray(0, key.length).equals(key)) cachedData = file.subarray(key.length);
  } catch {
    // no cache yet: the first start compiles everything
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  const mod = new Module(bundle);
  mod.filename = bundle;
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
  return {
    accepted,
    save() {
      try {
        writeFileAtomicSync(cacheFile, Buffer.concat([key, script.createCachedData()]));
      } catch {
        // A folder the user may not write (an installed package): the host starts as it did without.
      }
    },
  };
}

/**
 * Runs a bundle from its code cache, and writes the cache when there was none (or it did not
 * match): 3 s into the run (the functions a start and a first page use are compiled by then), or
 * as the process exits if that comes first; after that only when the bundle, Node or its flags
 * changed. A run that exits with 2 or more is not kept: that is bad input or a start that failed,
 * which did none of its work, and a cache of it would be taken from then on. 1 is a run that did
 * its work and found problems (`studio lint` with errors, a sync that needs attention).
 * The browser host's and the CLI's launchers (`dist/host/main.js`, `dist/cli/studio.js`) are this
 * call.
 */
export function launchWithCodeCache(bundle: string): void {
  const run = runWithCodeCache(bundle, `${bundle}.cache`);
  if (run.accepted) return;
  let saved = false;
  const save = () => {
    if (saved) return;
    saved = true;
    run.save();
  };
  setTimeout(save, 3000).unref();
  process.once('exit', (code) => code <= 1 && save());
}
