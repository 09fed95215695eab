import { useEffect, useState } from 'react';
import { STORY_STATUSES, deriveSlug, slugProblem, type Catalog, type CatalogIndex, type FrontMatter, type Story } from '../../shared/index.js';
import { CitationsEditor } from './citations-editor.js';

export interface MetaFormProps {
  story: Story;
  catalog: Catalog;
  catalogIndex: CatalogIndex;
  /** Applies a change to the front matter (through the shared core; `undefined` removes a key). */
  onPatch(patch: FrontMatter): void;
  /** The title field (a new story puts the caret there). */
  titleRef?: React.Ref<HTMLInputElement>;
  /** Enter in the title: on to the body. */
  onTitleDone?(): void;
  /** A citation just added at the caret (its number): the details open with its URL field focused. */
  askCitation?: { n: number } | null;
  /** Enter in a citation's field: back to the editor. */
  onCitationDone?(): void;
}

/** A front-matter value as typed, for an input: strings as they are, numbers and dates as text. */
const raw = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
/** An empty field removes its key rather than writing an empty value. */
const orRemove = (v: string): string | undefined => (v === '' ? undefined : v);

/**
 * The front matter as a form, kept in step with the YAML: every field shows the parsed text's value
 * (so typing in the YAML updates it), and every edit goes back through the shared `updateMeta` and
 * `serializeStory`. Read-only while the front matter cannot be read.
 */
export function MetaForm({ story, catalog, catalogIndex, onPatch, titleRef, onTitleDone, askCitation, onCitationDone }: MetaFormProps) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (askCitation) setOpen(true);
  }, [askCitation]);
  const meta = story.meta;
  const title = raw(meta.title);
  const beat = raw(meta.beat);
  const status = raw(meta.status);
  const slug = raw(meta.slug);
  const problem = slug ? slugProblem(slug) : null;
  const broken = !!story.error;

  return (
    <form className="meta-form" aria-label="Front matter" onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={broken}>
        <div className="meta-row">
          <input
            ref={titleRef}
            aria-label="Title"
            className="title-input"
            value={title}
            placeholder="Title"
            onChange={(e) => onPatch({ title: orRemove(e.currentTarget.value) })}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' || !onTitleDone || e.isComposing) return;
              e.preventDefault();
              onTitleDone();
            }}
          />
          <select aria-label="Status" value={status} onChange={(e) => onPatch({ status: orRemove(e.currentTarget.value) })}>
            {!status && <option value="">No status</option>}
            {status && !(STORY_STATUSES as readonly string[]).includes(status) && <option value={status}>{status} (unknown)</option>}
            {STORY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <select aria-label="Beat" value={beat} onChange={(e) => onPatch({ beat: orRemove(e.currentTarget.value) })}>
            <option value="">No beat</option>
            {beat && !catalogIndex.beats.has(beat) && <option value={beat}>{beat} (unknown)</option>}
            {catalog.beats.map((b) => (
              <option key={b.slug} value={b.slug}>
                {b.name}
              </option>
            ))}
          </select>
          <button type="button" aria-expanded={open} aria-controls="meta-details" onClick={() => setOpen(!open)} title="Dek, slug and citations">
            {open ? 'Less ▴' : 'More ▾'}
          </button>
        </div>
        {open && (
          <div className="meta-details" id="meta-details">
            <label className="field">
              <span>Dek</span>
              <textarea
                aria-label="Dek"
                rows={2}
                value={raw(meta.dek)}
                placeholder="Standfirst shown under the title"
                onChange={(e) => onPatch({ dek: orRemove(e.currentTarget.value) })}
              />
            </label>
            <div className="field">
              <label htmlFor="meta-slug">Slug</label>
              <div className="slug-row">
                <input
                  id="meta-slug"
                  aria-label="Slug"
                  value={slug}
                  placeholder="derived from the title when empty"
                  spellcheck={false}
                  aria-invalid={!!problem}
                  aria-describedby={problem ? 'meta-slug-problem' : undefined}
                  onChange={(e) => onPatch({ slug: orRemove(e.currentTarget.value) })}
                />
                <button type="button" disabled={!title.trim()} onClick={() => onPatch({ slug: deriveSlug(title) })}>
                  Derive
                </button>
              </div>
              {problem && (
                <span id="meta-slug-problem" className="field-problem">
                  {problem}
                </span>
              )}
            </div>
            <CitationsEditor value={meta.citations} onChange={(citations) => onPatch({ citations })} focus={askCitation} onDone={onCitationDone} />
          </div>
        )}
      </fieldset>
      {broken && (
        <p className="field-problem" role="status">
          The front matter cannot be read ({story.error!.message}): fix it in the text.
        </p>
      )}
    </form>
  );
}
