import DOMPurify from 'dompurify';

// References the shared renderer made spans (unresolved ones, those inside link text) cannot take
// focus; the preview shows a reference's card on keyboard focus as on hover, so every reference
// becomes focusable. Added after sanitising, to elements DOMPurify already kept.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node instanceof Element && node.classList.contains('ref') && node.tagName !== 'A') node.setAttribute('tabindex', '0');
});

const CONFIG = { ALLOW_DATA_ATTR: true, FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style'] };

/**
 * The shared renderer's HTML, sanitised again in the page (defence in depth: the renderer's output
 * is already safe by the format's contract). Used by the preview and by review mode.
 */
export function sanitizeStoryHtml(html: string): string {
  return DOMPurify.sanitize(html, CONFIG);
}
