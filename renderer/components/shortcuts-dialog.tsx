import { useState } from 'react';
import { MENU_GROUPS, MENU_TITLES, STUDIO_COMMANDS, formatKey } from '../../shared/api/commands.js';
import { EDITOR_KEYS } from '../editor/editor-keys.js';
import { Modal } from './modal.js';

interface Row {
  id: string;
  label: string;
  key: string;
}

/** Every command's key (from the shared command list) and the editor's own keys; type to find one. */
export function ShortcutsDialog({ onClose, mac }: { onClose(): void; mac: boolean }) {
  const [query, setQuery] = useState('');
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = (r: Row) => words.every((w) => `${r.label} ${formatKey(r.key, mac)}`.toLowerCase().includes(w));
  const groups: Array<{ title: string; rows: Row[] }> = [
    ...MENU_GROUPS.map((group) => ({ title: MENU_TITLES[group], rows: STUDIO_COMMANDS.filter((c) => c.menu === group) })),
    { title: 'In the editor', rows: EDITOR_KEYS.map((k) => ({ id: k.key, label: k.label, key: k.key })) },
  ]
    .map((g) => ({ ...g, rows: g.rows.filter(matches) }))
    .filter((g) => g.rows.length > 0);
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="shortcuts" testId="shortcuts-dialog">
      <input
        type="text"
        role="searchbox"
        className="shortcut-filter"
        aria-label="Find a shortcut"
        placeholder="Find a shortcut…"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
      />
      <div className="shortcut-groups">
        {groups.map((g) => (
          <table key={g.title} className="shortcut-table">
            <caption>{g.title}</caption>
            <tbody>
              {g.rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.label}</th>
                  <td>
                    <kbd>{formatKey(r.key, mac)}</kbd>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
        {groups.length === 0 && <p className="empty">No shortcut matches “{query}”.</p>}
      </div>
    </Modal>
  );
}
