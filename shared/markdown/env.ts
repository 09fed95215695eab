import type { Token } from 'markdown-it';
import type { CatalogIndex, ReferenceKind } from '../catalog/index.js';

/** A reference or malformed `{{…}}` as the inline rule saw it, in offsets of its block's inline content. */
export interface RawReference {
  block: Token;
  from: number;
  to: number;
  kind?: ReferenceKind;
  slug?: string;
  label?: string;
  slugFrom?: number;
  slugTo?: number;
  labelFrom?: number;
  labelTo?: number;
  malformed?: { reason: 'unclosed' | 'kind' | 'slug'; partFrom?: number; partTo?: number };
}

export interface RawCitation {
  block: Token;
  from: number;
  to: number;
  n: number;
}

/** What the parse of a body found, when asked to collect it (the linter asks; the preview does not). */
export interface BodyFacts {
  references: RawReference[];
  citations: RawCitation[];
}

/** Per-document data handed to markdown-it through `env`, never kept in module state. */
export interface StoryEnv {
  catalog: CatalogIndex;
  site: string;
  /** The file line of the body's first line, so that data-line counts lines of the whole file. */
  lineOffset: number;
  collect?: BodyFacts;
  /** The block whose inline content is being parsed (set by the inline core rule). */
  block?: Token;
  /** How many markers of each citation were rendered so far (the first gets the plain id). */
  citeCount?: Map<number, number>;
  /** markdown-it keeps its own per-document data (link reference definitions) here too. */
  [key: string | symbol]: unknown;
}
