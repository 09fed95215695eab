import { options } from 'preact';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';

// Effects run as soon as the render that scheduled them is done, before the next key or click is
// handled, as React runs a keystroke's. Preact's default, after the next frame, let a key typed at
// once act on the screen as it was: End in the just-opened note panel went to the last note, and
// then the panel's opening effect took the keyboard back to the first (docs/decisions.md, Preact).
options.requestAnimationFrame = (flush) => queueMicrotask(flush);

/** Draws the studio in `root` (the app's code: loaded by main.tsx once the host has been asked). */
export function mount(root: HTMLElement): void {
  createRoot(root).render(<App />);
}
