import { useId, useState } from 'react';
import { STUDIO_COMMANDS, formatKey, type CommandId } from '../../shared/api/commands.js';
import { Modal } from './modal.js';

/** Every command by name (but those `hidden`: not possible now): type to filter, arrows to choose, Enter to run. */
export function CommandPalette({ run, onClose, mac, hidden }: { run(id: CommandId): void; onClose(): void; mac: boolean; hidden?: ReadonlySet<CommandId> }) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = STUDIO_COMMANDS.filter((c) => !hidden?.has(c.id) && words.every((w) => `${c.label} ${c.menu}`.toLowerCase().includes(w)));
  const current = Math.min(active, Math.max(0, matches.length - 1));

  function choose(id: CommandId) {
    onClose();
    run(id);
  }

  return (
    <Modal title="Commands" onClose={onClose} className="palette" testId="command-palette">
      <input
        type="text"
        role="combobox"
        aria-label="Command"
        aria-expanded="true"
        aria-controls={listId}
        aria-activedescendant={matches[current] ? `${listId}-${current}` : undefined}
        placeholder="Type a command…"
        autoFocus
        value={query}
        onChange={(e) => {
          setQuery(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((current + 1) % Math.max(1, matches.length));
          else if (e.key === 'ArrowUp') setActive((current - 1 + matches.length) % Math.max(1, matches.length));
          else if (e.key === 'Enter' && matches[current]) choose(matches[current].id);
          else return;
          e.preventDefault();
        }}
      />
      <ul role="listbox" id={listId} aria-label="Commands" className="palette-list">
        {matches.map((c, i) => (
          <li
            key={c.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === current}
            onPointerDown={(e) => e.preventDefault()}
            onClick={() => choose(c.id)}
          >
            <span>{c.label}</span>
            <kbd>{formatKey(c.key, mac)}</kbd>
          </li>
        ))}
        {matches.length === 0 && <li className="empty">No command matches</li>}
      </ul>
    </Modal>
  );
}
