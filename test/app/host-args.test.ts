import { describe, expect, it } from 'vitest';
import { parseHostArgs } from '../../electron/host/args.js';

describe('browser host arguments', () => {
  it('reads --port, --library and --no-open, with the environment as fallback', () => {
    expect(parseHostArgs([])).toEqual({ port: 0, library: null, open: true });
    expect(parseHostArgs(['--port', '8123', '--library', 'x.sqlite', '--no-open'])).toEqual({ port: 8123, library: 'x.sqlite', open: false });
    expect(parseHostArgs(['--port=0'])).toMatchObject({ port: 0 });
    expect(parseHostArgs([], { STUDIO_PORT: '9000', STUDIO_NO_OPEN: '1' })).toEqual({ port: 9000, library: null, open: false });
    expect(parseHostArgs(['--port', '9001'], { STUDIO_PORT: '9000' }).port).toBe(9001);
  });

  it('refuses --port without a value, a port that is not one, and unknown options, in one line', () => {
    const msg = (argv: string[], env = {}) => {
      try {
        parseHostArgs(argv, env);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(msg(['--port'])).toMatch(/--port.*argument missing/);
    expect(msg(['--port', 'abc'])).toBe('--port: "abc" is not a port (0-65535)');
    expect(msg(['--port', '70000'])).toMatch(/not a port/);
    expect(msg(['--port', '-1'])).toMatch(/--port/);
    expect(msg([], { STUDIO_PORT: 'x' })).toBe('STUDIO_PORT: "x" is not a port (0-65535)');
    expect(msg(['--library'])).toMatch(/--library.*argument missing/);
    expect(msg(['--bogus'])).toMatch(/Unknown option '--bogus'/);
    for (const argv of [['--port'], ['--bogus'], ['--port', 'abc']]) expect(msg(argv)).not.toContain('\n');
  });
});
