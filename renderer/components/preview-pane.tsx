import { forwardRef, useMemo, useRef, useState } from 'react';
import { IncrementalRender, renderCitationsHtml, storyFields, type CatalogIndex, type Story } from '../../shared/index.js';
import { refInfo, type RefInfo } from '../preview/ref-info.js';
import { useBlockHtml, type PreviewBlock } from '../preview/block-html.js';
import { loadClickedImage, showLoadedImages } from '../preview/remote-images.js';
import { REF_CARD_ID, RefCard } from './ref-card.js';

export interface PreviewPaneProps {
  story: Story | null;
  catalog: CatalogIndex;
  site: string;
  onScroll(): void;
}

/** The reference element an event happened in, if any. */
function refAt(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? (target.closest('.ref[data-kind][data-slug]') as HTMLElement | null) : null;
}

/**
 * Links in the preview never navigate the app: citation links scroll to their source, everything
 * else (references, web links) stays put. Middle clicks too.
 */
export function keepLinksInPlace(e: React.MouseEvent<HTMLElement>) {
  const a = (e.target as Element).closest('a');
  if (!a) return;
  e.preventDefault();
  const href = a.getAttribute('href') ?? '';
  if (e.type === 'click' && href.startsWith('#')) {
    const target = (e.currentTarget as HTMLElement).querySelector(`[id="${CSS.escape(href.slice(1))}"]`);
    target?.scrollIntoView({ block: 'center' });
  }
}

/**
 * The preview: the shared renderer's HTML, sanitised again with DOMPurify, with data-line kept for
 * scroll sync. A reference shows its catalog entry on hover and on keyboard focus.
 */
export const PreviewPane = forwardRef<HTMLDivElement, PreviewPaneProps>(function PreviewPane({ story, catalog, site, onScroll }, ref) {
  // Sanitised and shown block by block: a keystroke replaces the block it changed, not the story.
  // Rendered incrementally too: a keystroke parses and renders again only the blocks it touched.
  const incremental = useMemo(() => new IncrementalRender({ catalog, site }), [catalog, site]);
  // What renderHtml gives, as the body's blocks and then the citations (the last block).
  const blocks = useMemo<PreviewBlock[]>(() => {
    if (!story) return [];
    const body = incremental.renderBlocks(story.body, story.bodyStart.line);
    const citations = renderCitationsHtml(story, incremental.citeCount.keys());
    if (citations) body.push({ html: citations, line: 0 });
    return body;
  }, [story, incremental]);
  const body = useRef<HTMLDivElement>(null);
  // Remote images load only on a click; the addresses clicked stay shown as blocks are patched.
  const loaded = useRef(new Set<string>());
  useBlockHtml(body, blocks, (nodes) => showLoadedImages(nodes, loaded.current));
  const [card, setCard] = useState<{ el: HTMLElement; info: RefInfo; rect: DOMRect } | null>(null);
  const f = story ? storyFields(story) : null;
  const beat = f?.beat ? (catalog.beats.get(f.beat)?.name ?? f.beat) : '';

  function show(el: HTMLElement | null) {
    if (!el || card?.el === el) return;
    card?.el.removeAttribute('aria-describedby');
    el.setAttribute('aria-describedby', REF_CARD_ID);
    setCard({ el, info: refInfo(el.dataset.kind ?? '', el.dataset.slug ?? '', catalog), rect: el.getBoundingClientRect() });
  }
  function hide() {
    card?.el.removeAttribute('aria-describedby');
    setCard(null);
  }

  return (
    <section className="pane preview" aria-label="Preview">
      <div
        className="preview-scroll"
        ref={ref}
        onScroll={() => {
          if (card) hide();
          onScroll();
        }}
        data-testid="preview"
      >
        {story ? (
          <article className="story">
            <header data-line={1}>
              <h1 data-line={story.spans.title?.line ?? 1}>{f?.title ?? 'Untitled story'}</h1>
              {f?.dek && (
                <p className="dek" data-line={story.spans.dek?.line ?? 1}>
                  {f.dek}
                </p>
              )}
              {beat && (
                <p className="story-meta">
                  {beat}
                  {f?.status ? ` · ${f.status}` : ''}
                </p>
              )}
            </header>
            <div
              className="story-body"
              onClick={(e) => {
                if (!loadClickedImage(e.target, loaded.current)) keepLinksInPlace(e);
              }}
              onAuxClick={keepLinksInPlace}
              onMouseOver={(e) => show(refAt(e.target))}
              onMouseOut={(e) => {
                if (card && !card.el.contains(e.relatedTarget as Node | null) && document.activeElement !== card.el) hide();
              }}
              onFocus={(e) => show(refAt(e.target))}
              onBlur={() => card && hide()}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && card) hide();
              }}
              ref={body}
            />
          </article>
        ) : (
          <p className="empty">Open or create a story to see its preview.</p>
        )}
      </div>
      {card && <RefCard info={card.info} rect={card.rect} />}
    </section>
  );
});
