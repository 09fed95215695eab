import type { RefInfo } from '../preview/ref-info.js';

export const REF_CARD_ID = 'ref-card';

/** The card of a reference in the preview: its catalog entry, or that the catalog has none. */
export function RefCard({ info, rect }: { info: RefInfo; rect: DOMRect }) {
  const width = 300;
  const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
  const below = rect.bottom + 6;
  // Above the reference when there is no room below it.
  const top = below + 110 > window.innerHeight ? Math.max(8, rect.top - 116) : below;
  return (
    <div id={REF_CARD_ID} role="tooltip" className={`ref-card ${info.resolved ? '' : 'unresolved'}`} style={{ left, top, width }} data-testid="ref-card">
      <div className="ref-card-kind">{info.kind}</div>
      <div className="ref-card-heading">{info.heading}</div>
      {info.lines.map((l, i) => (
        <div key={i} className="ref-card-line">
          {l}
        </div>
      ))}
    </div>
  );
}
