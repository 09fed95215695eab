/** The stylesheet of a standalone page and the public article: readable, print-friendly, both themes. */
export const STORY_STYLESHEET = `
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fdfdfb; --muted: #5f6368; --accent: #0b57d0; --rule: #d9d9d4; --warn: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e6e3; --bg: #17181a; --muted: #a0a4a8; --accent: #8ab4f8; --rule: #3a3c40; --warn: #f28b82; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 1.125rem/1.65 Georgia, "Iowan Old Style", "Times New Roman", serif; }
main, .story { max-width: 42rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1, h2, h3, h4 { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.2; }
h1 { font-size: 2.25rem; margin: 0 0 .5rem; }
.dek { font-size: 1.25rem; color: var(--muted); margin: 0 0 1rem; }
.story-meta { font: .9rem/1.4 system-ui, sans-serif; color: var(--muted); border-bottom: 1px solid var(--rule); padding-bottom: 1rem; margin-bottom: 1.5rem; }
a { color: var(--accent); }
a.ref { text-decoration: none; border-bottom: 1px solid currentColor; }
.ref-unresolved { color: var(--warn); border-bottom: 1px dashed var(--warn); }
sup.cite { font-size: .7em; line-height: 0; }
sup.cite a { text-decoration: none; }
blockquote { margin: 1.5rem 0; padding-left: 1rem; border-left: 3px solid var(--rule); color: var(--muted); }
pre, code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
pre { overflow-x: auto; padding: .75rem 1rem; border: 1px solid var(--rule); border-radius: 4px; }
img { max-width: 100%; height: auto; }
ol.citations { font-size: .95rem; border-top: 1px solid var(--rule); padding-top: 1rem; margin-top: 2.5rem; }
ol.citations li:target { background: color-mix(in srgb, var(--accent) 15%, transparent); }
.cite-missing { color: var(--warn); }
.cite-back { text-decoration: none; }
@media print { body { background: #fff; color: #000; } a { color: #000; } }
`.trim();
