/**
 * Remote images wait for a click (issue 15 #9). A story's `![…](https://…)` would otherwise be
 * fetched as soon as it is shown: a tracking pixel in a pulled story fires on open, and typing an
 * address requests every prefix of it. The sanitised HTML (an inert document, where nothing loads)
 * has each remote `<img>` replaced by a button naming the image and its host; a click on it shows
 * that one image, and the preview remembers the addresses asked for, so a block patched again
 * shows them at once. Images on the studio's own origin (relative addresses) load as before.
 */

const CLASS = 'remote-image';

/** Whether an image address points off the studio (absolute http(s) or protocol-relative). */
export function isRemoteImage(src: string): boolean {
  return /^\s*(https?:)?\/\//i.test(src);
}

function hostOf(src: string): string {
  try {
    return new URL(src, 'https://invalid.invalid').host;
  } catch {
    return src;
  }
}

/** Replaces every remote `<img>` under `root` with its button (in `root`'s own, inert, document). */
export function holdRemoteImages(root: Element): void {
  const doc = root.ownerDocument;
  for (const img of [...root.querySelectorAll('img[src]')]) {
    const src = img.getAttribute('src') ?? '';
    if (!isRemoteImage(src)) continue;
    const alt = img.getAttribute('alt') ?? '';
    const host = hostOf(src);
    const button = doc.createElement('button');
    button.type = 'button';
    button.className = CLASS;
    button.dataset.src = src;
    button.dataset.alt = alt;
    if (img.hasAttribute('title')) button.title = img.getAttribute('title')!;
    button.setAttribute('aria-label', `Load the image ${alt ? `"${alt}"` : 'without a description'} from ${host}`);
    const what = doc.createElement('span');
    what.className = `${CLASS}-alt`;
    what.textContent = alt || 'Image';
    const where = doc.createElement('span');
    where.className = `${CLASS}-host`;
    where.textContent = `${host} · click to load`;
    button.append(what, where);
    img.replaceWith(button);
  }
}

/** The image a remote-image button stands for, made in the live page (so it loads now). */
function imageFor(button: HTMLElement): HTMLImageElement {
  const img = document.createElement('img');
  img.alt = button.dataset.alt ?? '';
  if (button.title) img.title = button.title;
  img.src = button.dataset.src ?? '';
  return img;
}

/** Shows the images already asked for among these nodes (a block just patched in). */
export function showLoadedImages(nodes: readonly Node[], loaded: ReadonlySet<string>): void {
  if (loaded.size === 0) return;
  for (const node of nodes) {
    if (!(node instanceof Element)) continue;
    for (const b of node.querySelectorAll<HTMLElement>(`button.${CLASS}`)) {
      if (loaded.has(b.dataset.src ?? '')) b.replaceWith(imageFor(b));
    }
  }
}

/** A click on a remote-image button: shows that image and remembers its address. True when it was one. */
export function loadClickedImage(target: EventTarget | null, loaded: Set<string>): boolean {
  const button = target instanceof Element ? target.closest<HTMLElement>(`button.${CLASS}`) : null;
  if (!button) return false;
  loaded.add(button.dataset.src ?? '');
  const img = imageFor(button);
  button.replaceWith(img);
  return true;
}
