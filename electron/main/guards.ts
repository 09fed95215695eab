import { shell, type Session, type WebContents } from 'electron';

/**
 * Whether a link may be handed to the system's browser: an absolute http(s) URL, as written and as
 * the URL parser reads it, with a host and without credentials. Anything else (javascript:, file:,
 * smb:, a custom scheme, `https:host`) stays closed.
 */
export function isSafeExternalUrl(url: string): boolean {
  if (!/^https?:\/\//i.test(url)) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '' && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

/** Whether `url` is a page of the app itself (`studio://app/…`), by the URL parser, not by prefix. */
function isAppUrl(url: string, appOrigin: string): boolean {
  try {
    const app = new URL(appOrigin);
    const target = new URL(url);
    return target.protocol === app.protocol && target.host === app.host;
  } catch {
    return false;
  }
}

type Preventable = { preventDefault(): void; url?: string };

/**
 * The guards of every web contents: no navigation, redirect or frame navigation away from the app,
 * no webview, no new window; an http(s) link asked to open in a new window goes to the system's
 * browser instead (`isSafeExternalUrl`).
 */
export function guardContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, appOrigin: string): void {
  const stayInApp = (event: Preventable, url?: unknown) => {
    // will-frame-navigate passes one details object with the url; the others pass it second.
    const target = typeof url === 'string' ? url : event.url;
    if (typeof target !== 'string' || !isAppUrl(target, appOrigin)) event.preventDefault();
  };
  const on = contents.on.bind(contents) as (name: string, listener: (event: Preventable, ...args: unknown[]) => void) => unknown;
  on('will-navigate', stayInApp);
  on('will-redirect', stayInApp);
  on('will-frame-navigate', stayInApp);
  on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(new URL(url).href);
    return { action: 'deny' };
  });
}

/** Denies every permission the page could ask for or be checked for (camera, notifications, HID…): the studio needs none. */
export function denyPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** DevTools only in development (an unpackaged app), never in a packaged one, whatever the environment says. */
export function menuDevTools(app: { isPackaged: boolean; env?: Record<string, string | undefined> }): boolean {
  return !app.isPackaged;
}
