import type { SyncProgress } from '../services/sync/index.js';

const WIDTH = 24;

/**
 * A progress bar on one terminal line, redrawn in place (`\r`); messages print above it. Only for
 * terminals: piped output gets plain lines instead (see sync-commands.ts).
 */
export function progressLine(write: (text: string) => void) {
  let shown = '';
  const draw = (line: string) => {
    write(`\r${line}${' '.repeat(Math.max(0, shown.length - line.length))}`);
    shown = line;
  };
  return {
    update(p: SyncProgress): void {
      if (p.total === null || p.total === 0) return draw(`${p.phase} ${p.done}…`);
      const filled = Math.round((WIDTH * Math.min(p.done, p.total)) / p.total);
      draw(`${p.phase} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${p.done}/${p.total}`);
    },
    message(line: string): void {
      const bar = shown;
      this.clear();
      write(`${line}\n`);
      if (bar) draw(bar);
    },
    clear(): void {
      if (!shown) return;
      write(`\r${' '.repeat(shown.length)}\r`);
      shown = '';
    },
  };
}
