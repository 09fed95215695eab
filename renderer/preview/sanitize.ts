import DOMPurify from 'dompurify';
import { holdRemoteImages } from './remote-images.js';

// References the shared renderer made spans (unresolved ones, those inside link text) cannot take
// focus; the preview shows a reference's card on keyboard focus as on hover, so every reference
// becomes focusable. Added after sanitising, to elements DOMPurify already kept.
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node instanceof Element && node.classList.contains('ref') && node.tagName !== 'A') node.setAttribute('tabindex', '0');
});

const CONFIG = { ALLOW_DATA_ATTR: true, FORBID_TAGS: ['style', 'form', 'input'], FORBID_ATTR: ['style'] };

/**
 * The shared renderer's HTML, sanitised again in the page (defence in depth: the renderer's output
 * is already safe by the format's contract), with remote images held back until clicked. Used by
 * the preview and by review mode.
 */
export function sanitizeStoryHtml(html: string): string {
  if (!/<img[\s/>]/i.test(html)) return DOMPurify.sanitize(html, CONFIG);
  // Sanitised into an inert document, where remote images become buttons before anything loads.
  const body = DOMPurify.sanitize(html, { ...CONFIG, RETURN_DOM: true }) as HTMLElement;
  holdRemoteImages(body);
  return body.innerHTML;
}
