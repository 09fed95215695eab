import { MENU_GROUPS, MENU_TITLES, STUDIO_COMMANDS, formatKey } from '../../shared/api/commands.js';
import { EDITOR_KEYS } from '../editor/editor-keys.js';
import { Modal } from './modal.js';

/** Every command's key (from the shared command list) and the editor's own keys. */
export function ShortcutsDialog({ onClose, mac }: { onClose(): void; mac: boolean }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} className="shortcuts" testId="shortcuts-dialog">
      <div className="shortcut-groups">
        {MENU_GROUPS.map((group) => (
          <table key={group} className="shortcut-table">
            <caption>{MENU_TITLES[group]}</caption>
            <tbody>
              {STUDIO_COMMANDS.filter((c) => c.menu === group).map((c) => (
                <tr key={c.id}><th scope="row">{c.label}</th><td><kbd>{formatKey(c.key, mac)}</kbd></td></tr>
              ))}
            </tbody>
          </table>
        ))}
        <table className="shortcut-table">
          <caption>In the editor</caption>
          <tbody>
            {EDITOR_KEYS.map((k) => (
              <tr key={k.key}><th scope="row">{k.label}</th><td><kbd>{formatKey(k.key, mac)}</kbd></td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </Modal>
  );
}
