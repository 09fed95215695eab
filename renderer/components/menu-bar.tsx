import { useEffect, useRef, useState } from 'react';
import { MENU_GROUPS, MENU_TITLES, STUDIO_COMMANDS, formatKey, type CommandId, type MenuGroup } from '../../shared/api/commands.js';

/**
 * The browser host's menu bar (Electron has the native one, built from the same command list):
 * File, Edit, View, Publish, Help, each command with its key. Arrow keys move within and across menus,
 * Escape closes.
 */
export function MenuBar({ run, mac }: { run(id: CommandId): void; mac: boolean }) {
  const [open, setOpen] = useState<MenuGroup | null>(null);
  const bar = useRef<HTMLElement>(null);

  // Clicking or tabbing elsewhere closes the open menu.
  useEffect(() => {
    if (!open) return;
    const away = (e: Event) => {
      if (!bar.current?.contains(e.target as Node)) setOpen(null);
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('focusin', away);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('focusin', away);
    };
  }, [open]);

  // F10, or Alt pressed and released alone, takes the keyboard to the menu bar (as on Windows and
  // Linux desktops) and, pressed again there, back to where it was; Escape goes back too.
  const returnTo = useRef<HTMLElement | null>(null);
  useEffect(() => {
    let altAlone = false;
    const toggleBar = () => {
      const inBar = bar.current?.contains(document.activeElement);
      if (inBar) {
        setOpen(null);
        returnTo.current?.focus();
        return;
      }
      returnTo.current = document.activeElement as HTMLElement | null;
      bar.current?.querySelector<HTMLElement>('[data-menu-button]')?.focus();
    };
    const down = (e: KeyboardEvent) => {
      altAlone = e.key === 'Alt' && !e.ctrlKey && !e.shiftKey && !e.metaKey && !e.repeat;
      if (e.key !== 'F10' || e.ctrlKey || e.altKey || e.shiftKey || e.metaKey || e.defaultPrevented) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      toggleBar();
    };
    const up = (e: KeyboardEvent) => {
      if (e.key !== 'Alt' || !altAlone) return;
      altAlone = false;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      toggleBar();
    };
    const cancel = () => {
      altAlone = false;
    };
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('pointerdown', cancel);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('pointerdown', cancel);
    };
  }, []);

  function onButtonKey(e: React.KeyboardEvent<HTMLElement>, group: MenuGroup) {
    const i = MENU_GROUPS.indexOf(group);
    const focusButton = (g: MenuGroup) => bar.current?.querySelector<HTMLElement>(`[data-menu-button="${g}"]`)?.focus();
    if (e.key === 'ArrowDown') setOpen(group);
    else if (e.key === 'ArrowRight') focusButton(MENU_GROUPS[(i + 1) % MENU_GROUPS.length]!);
    else if (e.key === 'ArrowLeft') focusButton(MENU_GROUPS[(i - 1 + MENU_GROUPS.length) % MENU_GROUPS.length]!);
    else if (e.key === 'Escape' && returnTo.current) {
      returnTo.current.focus();
      returnTo.current = null;
    } else return;
    e.preventDefault();
  }

  // The first item of a menu that opened gets the focus.
  useEffect(() => {
    if (open) bar.current?.querySelector<HTMLElement>(`[data-menu="${open}"] [role=menuitem]`)?.focus();
  }, [open]);

  function onMenuKey(e: React.KeyboardEvent<HTMLElement>, group: MenuGroup) {
    const items = [...(e.currentTarget as HTMLElement).querySelectorAll<HTMLElement>('[role=menuitem]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const i = MENU_GROUPS.indexOf(group);
    if (e.key === 'ArrowDown') items[(at + 1) % items.length]?.focus();
    else if (e.key === 'ArrowUp') items[(at - 1 + items.length) % items.length]?.focus();
    else if (e.key === 'Home') items[0]?.focus();
    else if (e.key === 'End') items[items.length - 1]?.focus();
    else if (e.key === 'ArrowRight') setOpen(MENU_GROUPS[(i + 1) % MENU_GROUPS.length]!);
    else if (e.key === 'ArrowLeft') setOpen(MENU_GROUPS[(i - 1 + MENU_GROUPS.length) % MENU_GROUPS.length]!);
    else if (e.key === 'Escape') {
      setOpen(null);
      bar.current?.querySelector<HTMLElement>(`[data-menu-button="${group}"]`)?.focus();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  return (
    <nav className="menubar" aria-label="Menu" ref={bar}>
      <span className="app-name">Newsdesk Studio</span>
      {MENU_GROUPS.map((group) => (
        <div className="menu" key={group}>
          <button
            type="button"
            data-menu-button={group}
            aria-haspopup="menu"
            aria-expanded={open === group}
            onClick={() => setOpen(open === group ? null : group)}
            onKeyDown={(e) => onButtonKey(e, group)}
          >
            {MENU_TITLES[group]}
          </button>
          {open === group && (
            <ul role="menu" aria-label={MENU_TITLES[group]} data-menu={group} onKeyDown={(e) => onMenuKey(e, group)}>
              {STUDIO_COMMANDS.filter((c) => c.menu === group).map((c) => (
                <li role="none" key={c.id}>
                  <button
                    type="button"
                    role="menuitem"
                    onClick={() => {
                      setOpen(null);
                      run(c.id);
                    }}
                  >
                    <span>{c.label}</span>
                    <kbd>{formatKey(c.key, mac)}</kbd>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ))}
    </nav>
  );
}
