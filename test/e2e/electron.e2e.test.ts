import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../electron/services/paths.js';

/** The Electron binary, when one is installed (electron 45 downloads lazily and throws without one). */
function electronBinary(): string | null {
  const require = createRequire(import.meta.url);
  const probe = spawnSync(
    process.execPath,
    ['-e', `try { process.stdout.write('\\n' + require(${JSON.stringify(require.resolve('electron'))})) } catch { process.exit(3) }`],
    {
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (probe.status !== 0) return null;
  const path = probe.stdout.split('\n').pop()?.trim();
  return path && existsSync(path) ? path : null;
}

const binary = electronBinary();
if (!binary)
  console.warn(
    "[electron smoke] skipped: no Electron binary here (electron 45 downloads it on the first require('electron'), and that failed or is not possible here)",
  );

describe.skipIf(!binary)('Electron smoke test', () => {
  it('opens the studio window with the library listed, window.studio from the preload and no Node in the page', async () => {
    const root = packageRoot();
    const home = mkdtempSync(join(tmpdir(), 'studio-electron-'));
    const app = await _electron.launch({ executablePath: binary!, args: [join(root, 'dist/electron/main.js')], env: { ...process.env, STUDIO_HOME: home } });
    try {
      const win = await app.firstWindow();
      await win.locator('.story-list .story-item').first().waitFor();
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      expect(await win.evaluate(() => typeof window.studio?.listStories)).toBe('function');
      // The native menu replaces the page's menu bar; a menu item's command reaches the page through onCommand.
      expect(await win.locator('.menubar').count()).toBe(0);
      await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('app.shortcuts')?.click());
      await win.getByTestId('shortcuts-dialog').waitFor();
      await win.screenshot({ path: join(root, 'test-results', 'electron.png') });
    } finally {
      await app.close();
      rmSync(home, { recursive: true, force: true });
    }
  });
});
