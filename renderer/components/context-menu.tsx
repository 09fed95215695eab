import { useLayoutEffect, useRef, type KeyboardEvent } from 'react';

/** One entry of an in-page context menu. */
export interface ContextMenuItem {
  label: string;
  onSelect(): void;
}

export interface ContextMenuProps {
  /** Where the pointer was (viewport coordinates); the menu is kept inside the window. */
  x: number;
  y: number;
  /** What the menu is about, for assistive technology ("Spelling of “wrold”"). */
  label: string;
  items: readonly ContextMenuItem[];
  /** Closed without a choice (Escape, a click elsewhere, focus gone): `refocus` when the keyboard should go back to the editor. */
  onClose(refocus: boolean): void;
}

/**
 * The studio's own context menu, for what the page knows better than the browser's menu (a
 * selection's "Add note…", a misspelt word's suggestions in the browser host). Opens with the
 * first item focused; Up/Down/Home/End move, Enter or a click chooses, Escape closes.
 */
export function ContextMenu({ x, y, label, items, onClose }: ContextMenuProps) {
  const ref = useRef<HTMLDivElement>(null);

  // While it is open, the editor's hover cards (a misspelt word's own card says what the menu
  // offers) stay hidden rather than lie over it.
  useLayoutEffect(() => {
    document.body.classList.add('has-context-menu');
    return () => document.body.classList.remove('has-context-menu');
  }, []);

  // Kept inside the window: a right-click near the bottom or right edge opens it upwards or leftwards.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const r = el.getBoundingClientRect();
    el.style.left = `${Math.max(0, Math.min(x, window.innerWidth - r.width - 4))}px`;
    el.style.top = `${Math.max(0, Math.min(y, window.innerHeight - r.height - 4))}px`;
    el.querySelector<HTMLButtonElement>('button')?.focus();
  }, [x, y, items]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const go = (i: number) => buttons[(i + buttons.length) % buttons.length]?.focus();
    if (e.key === 'Escape') onClose(true);
    else if (e.key === 'ArrowDown') go(at + 1);
    else if (e.key === 'ArrowUp') go(at - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(buttons.length - 1);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      aria-label={label}
      data-testid="context-menu"
      style={{ left: x, top: y }}
      onKeyDown={onKeyDown}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) onClose(false);
      }}
    >
      {items.map((item) => (
        <button key={item.label} type="button" role="menuitem" tabIndex={-1} onClick={() => item.onSelect()}>
          {item.label}
        </button>
      ))}
    </div>
  );
}
