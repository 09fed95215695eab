/**
 * The check before sending (issue 11 #3): what the backend would find in a story going to a
 * status, found here first, with the library's copy of the backend's catalog, and placed on the
 * writer's own text. The app's Submit / Approve / Publish and `studio publish` run it: errors stop
 * the action (unless the person sends anyway), warnings are shown and do not.
 */
import { indexCatalog, type CatalogIndex } from '../catalog/index.js';
import type { Catalog } from '../catalog/schema.js';
import { lintStory, relocateDiagnostics, type Diagnostic } from '../lint/index.js';
import { parseStory } from '../story/index.js';
import { capDiagnostics } from './diagnostics.js';
import type { PushStatus } from './rules.js';
import { FIRST_PUBLICATION, pushDiagnostics, putBody, storyFromPut } from './wire-story.js';

export interface SendCheck {
  /** What stops the action: the protocol's limits broken, or the backend's lint errors (at most DIAGNOSTICS_MAX). */
  errors: Diagnostic[];
  /** Shown, never blocking. */
  warnings: Diagnostic[];
  /** How many findings there were in all (the lists are capped as a 422's are). */
  total: number;
}

/**
 * The backend's check of the PUT body this story file makes, going to `status` under `slug`:
 * first the protocol's limits (a 1,001-character title is a finding on the title, never a bare
 * 400 later), then the same lint over the same story file the backend builds, with `catalog`.
 * Positions are the writer's text's.
 */
export function checkBeforeSending(text: string, slug: string, status: PushStatus, catalogIn: Catalog | CatalogIndex | undefined): SendCheck {
  const catalog = indexCatalog(catalogIn);
  const limits = pushDiagnostics(text, status);
  if (limits.length) return split(limits);
  const sent = putBody(text, status);
  const built = storyFromPut(slug, sent, sent.published ?? (status === 'published' ? FIRST_PUBLICATION : undefined));
  const found = capDiagnostics(lintStory(built, catalog));
  const placed = relocateDiagnostics(found.diagnostics, built, parseStory(text, { catalog }), text);
  return { ...split(placed), total: found.diagnosticsTotal };
}

function split(all: readonly Diagnostic[]): SendCheck {
  return { errors: all.filter((d) => d.severity === 'error'), warnings: all.filter((d) => d.severity !== 'error'), total: all.length };
}
