import { createRoot } from 'react-dom/client';
import { App } from './app.js';

/** Draws the studio in `root` (the app's code: loaded by main.tsx once the host has been asked). */
export function mount(root: HTMLElement): void {
  createRoot(root).render(<App />);
}
