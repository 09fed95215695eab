/** Between story files and the wire: the one place where a story becomes a PUT body and back. */
import type { Diagnostic } from '../lint/types.js';
import { createStory, parseStory, storyFields, type SourceSpan, type Story } from '../story/index.js';
import { putBodyProblems, type StoryPutBody } from './put-body.js';
import type { PushStatus } from './rules.js';

/** The PUT body of a story file going to `status`. */
export function putBody(text: string, status: PushStatus): StoryPutBody {
  const story = parseStory(text);
  const f = storyFields(story);
  const body: StoryPutBody = {
    title: f.title ?? '',
    beat: f.beat ?? '',
    body: story.body,
    citations: f.citations.map((c) => ({ n: c.n, url: c.url, ...(c.title ? { title: c.title } : {}), ...(c.source ? { source: c.source } : {}) })),
    status,
  };
  if (f.dek) body.dek = f.dek;
  if (f.published) body.published = f.published;
  return body;
}

/**
 * A publication date standing in for the one the backend sets at a first publication, where the
 * studio rebuilds the backend's story file: of the length the backend writes, so that positions
 * in the rebuilt file are the backend's (no rule reads the date itself).
 */
export const FIRST_PUBLICATION = '1970-01-01T00:00:00.000Z';

/**
 * The story file the backend builds from a PUT body (and lints, stores and renders). `published`
 * is the date the backend settled on (the body's, or now for a first publication).
 */
export function storyFromPut(slug: string, body: StoryPutBody, published: string | undefined = body.published): Story {
  return createStory({ title: body.title, dek: body.dek, beat: body.beat, slug, status: body.status, published, citations: body.citations }, body.body);
}

/** The rule name of a finding that the backend would refuse the story as sent (400 or 413). */
export const PUSH_REFUSED_RULE = 'push-refused';

/**
 * Why the backend would refuse this story file as a PUT body going to `status`, as diagnostics at
 * the field at fault (the studio calls it before queuing a push): a 1,001-character title becomes
 * an error on the title, never a bare 400 later. Empty when the body fits the protocol's schema.
 */
export function pushDiagnostics(text: string, status: PushStatus): Diagnostic[] {
  const story = parseStory(text);
  const problems = putBodyProblems(putBody(text, status));
  if (problems.length === 0) return [];
  const fileStart: SourceSpan = story.spans['@head'] ?? { from: 0, to: 0, line: 1, column: 0 };
  return problems.map((p) => {
    const span: SourceSpan =
      p.path === 'body'
        ? { from: story.bodyStart.offset, to: story.bodyStart.offset, line: story.bodyStart.line, column: story.bodyStart.column }
        : (story.spans[p.path] ?? story.spans[p.path.split('.').slice(0, 2).join('.')] ?? story.spans[p.path.split('.')[0]!] ?? fileStart);
    return {
      rule: PUSH_REFUSED_RULE,
      severity: 'error',
      message: p.message,
      line: span.line,
      column: span.column + 1,
      from: span.from,
      to: Math.max(span.from, span.to),
    };
  });
}
