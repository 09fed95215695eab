import type { StudioEventName } from '../shared/api/contract.js';
import { EVENTS_PATH, SECRET_HEADER, ServerEventDecoder } from '../shared/api/transport.js';

/** Longest wait between two attempts to reopen the stream (the host restarting, a laptop waking). */
const MAX_RETRY_MS = 10_000;

/**
 * The browser host's events (`GET /api/events`, server-sent events) as subscriptions: one stream
 * per page, opened by the first listener and closed with the last, reopened with a growing pause
 * when it breaks. It is read with fetch rather than EventSource, which cannot send the secret's header.
 */
export function hostEventStream(secret: string | Promise<string>, base = '') {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let controller: AbortController | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const count = () => [...listeners.values()].reduce((n, set) => n + set.size, 0);

  const open = async (mine: AbortController) => {
    try {
      const res = await fetch(`${base}${EVENTS_PATH}`, { headers: { [SECRET_HEADER]: await secret, accept: 'text/event-stream' }, signal: mine.signal });
      if (!res.ok || !res.body) throw new Error(`answered ${res.status}`);
      failures = 0;
      const decoder = new ServerEventDecoder();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const { event, data } of decoder.push(value)) for (const fn of listeners.get(event) ?? []) fn(data);
      }
    } catch {
      // broken or refused: tried again below, unless the page closed it
    }
    if (controller !== mine) return;
    controller = null;
    if (count() > 0) retry = setTimeout(start, Math.min(MAX_RETRY_MS, 500 * 2 ** failures++));
  };
  const start = () => {
    retry = undefined;
    if (controller || count() === 0) return;
    controller = new AbortController();
    void open(controller);
  };

  return {
    subscribe(event: StudioEventName, listener: (payload: unknown) => void): () => void {
      if (typeof listener !== 'function') throw new TypeError(`a listener of ${event} must be a function`);
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      // A function may subscribe twice: each subscription is its own entry.
      const entry = (payload: unknown) => listener(payload);
      set.add(entry);
      start();
      return () => {
        set.delete(entry);
        if (count() > 0) return;
        clearTimeout(retry);
        controller?.abort();
        controller = null;
      };
    },
  };
}
