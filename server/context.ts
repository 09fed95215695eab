import type { SiteInfo } from './site/index.js';
import type { StoryChecker } from './story-checker.js';
import type { PublishingStore } from './store/store.js';

/** What the route plugins share. */
export interface ServerContext {
  store: PublishingStore;
  /** Builds and lints PUT stories against the catalog (on the event loop or in workers). */
  checker: StoryChecker;
  /** The public site (no trailing slash) that story URLs and reference links point at. */
  site(): string;
  /** The site's name and description (the public pages' header, footer, feeds). */
  siteInfo: SiteInfo;
}

/** A JSON answer as it goes on the wire (and, for idempotent requests, as it is kept for replays). */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): WireResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(value) };
}
