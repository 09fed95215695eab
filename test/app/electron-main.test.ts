// Issue 15 #15: the Electron main process's guards, run against a fake `electron` module (no
// Electron binary here): permissions denied by default, navigation, redirects and frame navigation
// kept to the app, windows denied with only http(s) links opened outside (checked by a URL parser),
// DevTools only in development, and the fuses in the packaging config.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { packageRoot } from '../../electron/services/paths.js';

const opened = vi.hoisted(() => [] as string[]);
vi.mock('electron', () => ({ shell: { openExternal: async (url: string) => void opened.push(url) } }));

const { guardContents, denyPermissions, isSafeExternalUrl, menuDevTools } = await import('../../electron/main/guards.js');
const { menuTemplate } = await import('../../electron/main/menu.js');

const APP = 'studio://app/';

/** A stand-in for WebContents: the events the guards listen to, and the window-open handler. */
function fakeContents() {
  const contents = new EventEmitter() as EventEmitter & {
    setWindowOpenHandler(fn: (d: { url: string }) => { action: string }): void;
    openHandler?: (d: { url: string }) => { action: string };
  };
  contents.setWindowOpenHandler = (fn) => (contents.openHandler = fn);
  return contents;
}
/** Emits `name` with a preventable event; answers whether a guard prevented it. */
function prevented(contents: EventEmitter, name: string, ...args: unknown[]): boolean {
  let stopped = false;
  contents.emit(name, { preventDefault: () => (stopped = true) }, ...args);
  return stopped;
}

beforeEach(() => {
  opened.length = 0;
});

describe('the Electron main process guards (fake electron)', () => {
  it('denies every permission request and check by default', () => {
    let request: ((wc: unknown, permission: string, cb: (ok: boolean) => void, details: unknown) => void) | undefined;
    let check: ((wc: unknown, permission: string, origin: string, details: unknown) => boolean) | undefined;
    denyPermissions({ setPermissionRequestHandler: (fn) => (request = fn as never), setPermissionCheckHandler: (fn) => (check = fn as never) });
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'hid', 'serial']) {
      let answer: boolean | undefined;
      request!({}, permission, (ok) => (answer = ok), { requestingUrl: `${APP}index.html` });
      expect(answer, permission).toBe(false);
      expect(check!({}, permission, APP, {}), permission).toBe(false);
    }
  });

  it('keeps navigation, redirects and frame navigation inside the app', () => {
    const contents = fakeContents();
    guardContents(contents as never, APP);
    for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
      expect(prevented(contents, event, 'https://evil.example/'), event).toBe(true);
      expect(prevented(contents, event, 'studio://app.evil.example/'), event).toBe(true);
      expect(prevented(contents, event, 'file:///etc/passwd'), event).toBe(true);
      expect(prevented(contents, event, `${APP}index.html`), event).toBe(false);
    }
    // Electron 28+ passes will-frame-navigate's details as one object.
    let stopped = false;
    contents.emit('will-frame-navigate', { url: 'https://evil.example/', preventDefault: () => (stopped = true) });
    expect(stopped).toBe(true);
    expect(prevented(contents, 'will-attach-webview')).toBe(true);
  });

  it('denies new windows and opens only well-formed http(s) links outside, checked by a URL parser', async () => {
    const contents = fakeContents();
    guardContents(contents as never, APP);
    for (const url of [
      'https://news.example.org/a',
      'http://news.example.org/b',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https:evil',
      'HTTPS://NEWS.EXAMPLE.ORG/c',
      'smb://host/share',
      'https://user:pw@evil.example/',
    ]) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    await Promise.resolve();
    expect(opened).toEqual(['https://news.example.org/a', 'http://news.example.org/b', 'https://news.example.org/c']);
    expect(isSafeExternalUrl('https://news.example.org/x')).toBe(true);
    expect(isSafeExternalUrl('https://\u0000evil')).toBe(false);
    expect(isSafeExternalUrl('not a url')).toBe(false);
  });

  it('offers DevTools in development only', () => {
    const items = (dev: boolean) => JSON.stringify(menuTemplate(() => undefined, 'linux', dev));
    expect(items(true)).toContain('toggleDevTools');
    expect(items(false)).not.toContain('toggleDevTools');
    expect(menuDevTools({ isPackaged: true, env: {} })).toBe(false);
    expect(menuDevTools({ isPackaged: false, env: {} })).toBe(true);
    expect(menuDevTools({ isPackaged: true, env: { STUDIO_DEVTOOLS: '1' } })).toBe(false);
  });

  it('packages with the fuses set: no RunAsNode, cookies encrypted, the asar checked', () => {
    const config = parse(readFileSync(join(packageRoot(), 'electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, boolean> };
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
    });
  });
});
