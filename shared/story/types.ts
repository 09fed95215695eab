import type { ReferenceKind } from '../catalog/schema.js';

import { STORY_STATUSES, type StoryStatus } from '../protocol/rules.js';

export { STORY_STATUSES, type StoryStatus };

/** The front matter as plain data: every key of the file, known or not. */
export type FrontMatter = Record<string, unknown>;

/** How the text came in: the canonical story file or the plain-text export. */
export type StoryFormat = 'md' | 'text';

/** Where something lies in the source file: offsets, and the 1-based line and 0-based column of `from`. */
export interface SourcePoint {
  offset: number;
  line: number;
  column: number;
}

/** A range of the source file, with the 1-based line and 0-based column of its start. */
export interface SourceSpan {
  from: number;
  to: number;
  line: number;
  column: number;
}

/** Input that cannot be read as a story (front matter that is not YAML or not a mapping, a broken export). */
export interface StoryError {
  message: string;
  from: number;
  to: number;
}

/**
 * A story as read from a file: plain, serialisable data that crosses process boundaries as it is.
 * `parseStory` never throws: input it cannot read sets `error` and still yields a best-effort story.
 */
export interface Story {
  format: StoryFormat;
  meta: FrontMatter;
  body: string;
  /** Where the body starts in the source file. */
  bodyStart: SourcePoint;
  /** The exact source text before the body (BOM, fences, YAML), kept for byte-for-byte round trips. */
  head: string;
  /** The YAML text between the fences as written, or null when the file had no front matter. */
  frontMatter: string | null;
  /** Offset of `frontMatter` within `head`. */
  frontMatterOffset: number;
  /** Source ranges of front-matter values by key path ("title", "citations.0.url"), and "@head" for the whole head. */
  spans: Record<string, SourceSpan>;
  /** What an import wants the person to know (the body came back as one paragraph, a beat name kept as written). */
  notices: string[];
  error?: StoryError;
}

/** A citation as the front matter lists it. */
export interface Citation {
  n: number;
  url: string;
  title?: string;
  source?: string;
}

/** The known front-matter fields, read leniently: a field of the wrong type is left out (and linted). */
export interface StoryFields {
  title?: string;
  dek?: string;
  beat?: string;
  slug?: string;
  published?: string;
  status?: StoryStatus;
  citations: Citation[];
}

/** A reference found in the body, with source offsets of the whole `{{…}}`, its slug and its label. */
export interface ReferenceOccurrence {
  /** 1-based line and 0-based column of `from` in the file. */
  line: number;
  column: number;
  kind: ReferenceKind;
  slug: string;
  label?: string;
  from: number;
  to: number;
  slugFrom: number;
  slugTo: number;
  labelFrom?: number;
  labelTo?: number;
}

/** Something that starts with `{{` and is not a well-formed reference. */
export interface MalformedReference {
  line: number;
  column: number;
  reason: 'unclosed' | 'kind' | 'slug';
  text: string;
  from: number;
  to: number;
  /** Offsets and text of the part at fault (the kind or the slug), when there is one. */
  partFrom?: number;
  partTo?: number;
  part?: string;
}

/** A citation marker in the body. */
export interface CitationOccurrence {
  line: number;
  column: number;
  n: number;
  from: number;
  to: number;
}
