import DOMPurify from 'dompurify';
import { forwardRef, useMemo } from 'react';
import { renderHtml, storyFields, type CatalogIndex, type Story } from '../../shared/index.js';

export interface PreviewPaneProps {
  story: Story | null;
  catalog: CatalogIndex;
  site: string;
  onScroll(): void;
}

/** The preview: the shared renderer's HTML, sanitised again with DOMPurify, with data-line kept for scroll sync. */
export const PreviewPane = forwardRef<HTMLDivElement, PreviewPaneProps>(function PreviewPane({ story, catalog, site, onScroll }, ref) {
  const html = useMemo(() => {
    if (!story) return '';
    const raw = renderHtml(story, { catalog, site });
    return DOMPurify.sanitize(raw, { ALLOW_DATA_ATTR: true, FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style'] });
  }, [story, catalog, site]);
  const f = story ? storyFields(story) : null;
  const beat = f?.beat ? (catalog.beats.get(f.beat)?.name ?? f.beat) : '';

  function onClick(e: React.MouseEvent) {
    const a = (e.target as HTMLElement).closest('a');
    if (!a) return;
    e.preventDefault();
    const href = a.getAttribute('href') ?? '';
    if (href.startsWith('#')) {
      const target = (e.currentTarget as HTMLElement).querySelector(`[id="${CSS.escape(href.slice(1))}"]`);
      target?.scrollIntoView({ block: 'center' });
    }
  }

  return (
    <section className="pane preview" aria-label="Preview">
      <div className="preview-scroll" ref={ref} onScroll={onScroll} data-testid="preview">
        {story ? (
          <article className="story">
            <header data-line={1}>
              <h1 data-line={story.spans.title?.line ?? 1}>{f?.title ?? 'Untitled story'}</h1>
              {f?.dek && <p className="dek" data-line={story.spans.dek?.line ?? 1}>{f.dek}</p>}
              {beat && <p className="story-meta">{beat}{f?.status ? ` · ${f.status}` : ''}</p>}
            </header>
            <div className="story-body" onClick={onClick} dangerouslySetInnerHTML={{ __html: html }} />
          </article>
        ) : (
          <p className="empty">Open or create a story to see its preview.</p>
        )}
      </div>
    </section>
  );
});
