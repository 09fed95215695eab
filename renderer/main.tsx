import { startStudio } from './start-studio.js';
import './styles.css';

// The host is asked for what the first screen needs (settings, catalog, the story open last) before
// the app's code is loaded: its answers arrive while Preact and the editor, most of the page's code,
// are fetched and compiled, not after (issue 13's cold start).
startStudio();
const root = document.getElementById('root')!;
import('./mount.js').then(
  ({ mount }) => mount(root),
  (e: Error) => {
    root.textContent = `Newsdesk Studio could not load its code (${e.message}); reload the page.`;
  },
);
