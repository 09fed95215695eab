// Issue 15 #7: a site setting the studio cannot use is refused by the API (the same rule the
// renderer renders with), and one already stored is reported and reset, never handed to the page.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SITE } from '../../shared/index.js';
import { createHandlers, dispatch, settingsFile } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';

let dir: string;
let lib: Library;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-settings-'));
  lib = Library.open(join(dir, 'lib.sqlite'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the site setting', () => {
  it('is refused by the API when the renderer could not use it: not http(s), a query or a fragment', async () => {
    const handlers = createHandlers(lib);
    for (const [site, reason] of [
      ['ftp://files.example.org/', /not an http\(s\) URL/],
      ['https://news.example.org/?utm_source=x', /query or fragment/],
      ['https://news.example.org/#top', /query or fragment/],
      ['javascript:alert(1)', /not an http\(s\) URL/],
      ['news.example.org', /not a URL/],
    ] as const) {
      const r = await dispatch(handlers, 'setSettings', { site });
      expect(r.ok, site).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('bad-input');
        expect(r.error.message).toMatch(/^setSettings: site: /);
        expect(r.error.message).toMatch(reason);
        expect(r.error.message).not.toContain('\n');
      }
    }
    const ok = await dispatch(handlers, 'setSettings', { site: 'https://news.example.org/' });
    expect(ok.ok && (ok.value as { site: string }).site).toBe('https://news.example.org/');
  });

  it('already stored but unusable is reported once and reset to the default, the other settings kept', async () => {
    lib.setSetting('studio', { site: 'ftp://files.example.org/', theme: 'dark', autosaveMs: 400 });
    const handlers = createHandlers(lib);
    const first = await handlers.getSettings({});
    expect(first.site).toBe(DEFAULT_SITE);
    expect(first.theme).toBe('dark');
    expect(first.autosaveMs).toBe(400);
    expect(first.problems).toEqual([`The site setting "ftp://files.example.org/" could not be used (not an http(s) URL): it was reset to ${DEFAULT_SITE}.`]);
    const again = await handlers.getSettings({});
    expect(again.site).toBe(DEFAULT_SITE);
    expect(again.problems).toBeUndefined();
  });

  it('a stored value of the wrong kind anywhere is reset, never thrown at the page', async () => {
    lib.setSetting('studio', { site: 42, theme: 'purple', autosaveMs: 'soon', paneSizes: [1, 2] });
    const s = await createHandlers(lib).getSettings({});
    expect(s).toMatchObject({ site: DEFAULT_SITE, theme: 'system', autosaveMs: 800, paneSizes: [22, 42, 36] });
    expect(s.problems?.length).toBe(4);
  });

  it("in the browser host's settings file (conf, 0600): a file that is not JSON is reported and replaced", () => {
    const libraryPath = join(dir, 'lib.sqlite');
    writeFileSync(join(dir, 'settings.json'), '{"site": "https://news.example.org", oops');
    const store = settingsFile(libraryPath);
    const first = store.get();
    expect(first.site).toBe(DEFAULT_SITE);
    expect(first.problems?.[0]).toMatch(/^The settings file in .* was not readable \(.*\): it was reset to the defaults\.$/);
    store.set({ site: 'https://news.example.org', theme: 'dark' });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toMatchObject({ site: 'https://news.example.org', theme: 'dark' });
    expect(statSync(join(dir, 'settings.json')).mode & 0o777).toBe(0o600);
    expect(settingsFile(libraryPath).get()).toMatchObject({ site: 'https://news.example.org', theme: 'dark' });
  });
});
