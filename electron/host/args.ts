import { parseArgs } from 'node:util';

/** What the browser host was asked for on its command line (and in its environment). */
export interface HostArgs {
  port: number;
  library: string | null;
  open: boolean;
}

/** A command-line mistake: one line naming the option and the reason (the host exits 2). */
export class HostArgsError extends Error {
  override name = 'HostArgsError';
}

const USAGE = 'usage: studio-host [--port N] [--library FILE] [--no-open]';

/**
 * The browser host's arguments, by `util.parseArgs`: `--port N` (0–65535; `STUDIO_PORT` otherwise,
 * else any free port), `--library FILE`, `--no-open` (or `STUDIO_NO_OPEN=1`). An option without its
 * value, a port that is not a number and an unknown option are errors, never NaN or ignored.
 */
export function parseHostArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): HostArgs {
  let values: { port?: string; library?: string; 'no-open'?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, library: { type: 'string' }, 'no-open': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new HostArgsError(`${(e as Error).message.split('\n')[0]} (${USAGE})`);
  }
  const portText = values.port ?? env.STUDIO_PORT;
  const from = values.port !== undefined ? '--port' : 'STUDIO_PORT';
  let port = 0;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new HostArgsError(`${from}: "${portText}" is not a port (0-65535)`);
    port = Number(portText);
  }
  if (values.library !== undefined && values.library.trim() === '') throw new HostArgsError('--library: the file name is empty');
  return { port, library: values.library ?? null, open: !values['no-open'] && env.STUDIO_NO_OPEN !== '1' };
}
