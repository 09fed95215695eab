/**
 * How a call of the contract crosses between the renderer and a host, defined once for both
 * hosts (Electron IPC and the loopback browser host): the envelope, the channel and path names,
 * the secret's header, the HTTP status of each error code, the one decoder, and the renderer page's
 * Content-Security-Policy. Pure: no Node, no DOM.
 */
// No import of contract.ts: the contract imports the error codes from here.

/** Why a call failed, as it crosses a process boundary. `transport`: the host could not be reached or answered nonsense. */
export const STUDIO_ERROR_CODES = [
  'bad-input',
  'not-found',
  'library',
  'internal',
  'unknown-method',
  'unauthorized',
  'refused',
  'too-large',
  'transport',
] as const;
export type StudioErrorCode = (typeof STUDIO_ERROR_CODES)[number];

/** An error as it crosses a process boundary: a one-line message and a code. */
export interface StudioErrorPayload {
  code: StudioErrorCode;
  message: string;
}

/** What every call answers, over IPC and over HTTP alike. */
export type CallResult = { ok: true; value: unknown } | { ok: false; error: StudioErrorPayload };

/**
 * The browser host's HTTP status for each error code (Electron's IPC carries the envelope alone).
 * `unauthorized`: no or a wrong secret; `refused`: the caller is not the studio's page (a foreign
 * origin or Host, another window or frame).
 */
export const HTTP_STATUS: Record<StudioErrorCode, number> = {
  'bad-input': 400,
  'not-found': 404,
  'unknown-method': 404,
  library: 400,
  unauthorized: 401,
  refused: 403,
  'too-large': 413,
  internal: 500,
  transport: 502,
};

/** The HTTP status a result travels with. */
export function httpStatusOf(result: CallResult): number {
  return result.ok ? 200 : HTTP_STATUS[result.error.code];
}

/** A failed call as the renderer sees it: the host's one-line message and its code. */
export class StudioError extends Error {
  override name = 'StudioError';
  constructor(
    readonly code: StudioErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function isErrorCode(code: unknown): code is StudioErrorCode {
  return typeof code === 'string' && (STUDIO_ERROR_CODES as readonly string[]).includes(code);
}

/**
 * The one decoder of a host's answer: the value of a successful call, or a thrown `StudioError`
 * with the host's code and message. Anything that is not an envelope is a `transport` error
 * (`context` says what answered, e.g. "the studio host answered 502").
 */
export function decodeResult(payload: unknown, context = 'the studio host answered something else than a result'): unknown {
  if (typeof payload !== 'object' || payload === null || typeof (payload as { ok?: unknown }).ok !== 'boolean') {
    throw new StudioError('transport', context);
  }
  const result = payload as { ok: boolean; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (result.ok) return result.value;
  const code = isErrorCode(result.error?.code) ? result.error.code : 'internal';
  const message = typeof result.error?.message === 'string' ? result.error.message : 'unknown error';
  throw new StudioError(code, message);
}

/** A failed call's envelope. */
export function failure(code: StudioErrorCode, message: string): CallResult {
  return { ok: false, error: { code, message } };
}

/** The header every browser-host API call carries the per-launch secret in. */
export const SECRET_HEADER = 'x-studio-secret';

/**
 * Where the browser page exchanges the one-time code of the address it was opened on for the secret
 * (POST `{ code }` → `{ secret }`): the address a browser is launched with carries only a code that
 * works once and expires, never the secret itself.
 */
export const SESSION_PATH = '/api/session';

/** The browser host's path of a method (always POST, JSON in and out). */
export function apiPath(method: string): string {
  return `/api/${method}`;
}

/** The IPC channel name for a method. */
export function ipcChannel(method: string): string {
  return `studio:${method}`;
}

/** Electron's one-way channel of a host event (see `STUDIO_EVENTS`). */
export function eventChannel(event: string): string {
  return `studio:event:${event}`;
}

/** The browser host's stream of host events (GET with the secret; `text/event-stream`). */
export const EVENTS_PATH = '/api/events';

/** One host event as a server-sent event (the payload is JSON, so it holds no newline). */
export function encodeServerEvent(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** A server-sent event as read back: its name and its parsed data. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/**
 * Reads a `text/event-stream` as it arrives in chunks: `push` returns the events the chunk
 * completed (comments and unparsable data are skipped). Buffers at most one event's text.
 */
export class ServerEventDecoder {
  private buffer = '';

  push(chunk: string): ServerEvent[] {
    this.buffer += chunk;
    const events: ServerEvent[] = [];
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length === 0) continue;
      try {
        events.push({ event, data: JSON.parse(data.join('\n')) });
      } catch {
        // not ours: skipped
      }
    }
    return events;
  }
}

/** The one-way channel on which Electron's main process sends a menu command's id to the window. */
export const COMMAND_CHANNEL = 'studio:command';

/** The Content-Security-Policy of the renderer page (CodeMirror inserts style elements, hence inline styles). */
export const RENDERER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
