/**
 * How a call of the contract crosses between the renderer and a host, defined once for both
 * hosts (Electron IPC and the loopback browser host): the envelope, the secret's header, the
 * HTTP status of each error code, the one decoder, and the renderer page's Content-Security-Policy.
 * Pure: no Node, no DOM.
 */

/** The header every browser-host API call carries the per-launch secret in. */
export const SECRET_HEADER = 'x-studio-secret';

/** The Content-Security-Policy of the renderer page (CodeMirror inserts style elements, hence inline styles). */
export const RENDERER_CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data: https:",
  "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');
