import { useEffect, useRef } from 'react';
import { STUDIO_COMMANDS, matchesKey, type CommandId } from '../../shared/api/commands.js';
import type { StudioApi } from '../../shared/api/contract.js';
import { isMac } from './platform.js';

/**
 * Runs the studio's commands: from their keys anywhere in the window, and from the host's own
 * application menu (`window.studio.onCommand`, Electron only). The keymap listens on the window
 * after everything else: a key that CodeMirror (or any control) handled is `defaultPrevented` and
 * left alone, so the editor's own keys keep working. While a modal dialog is open it has the keyboard.
 */
export function useCommandKeymap(api: StudioApi | null, run: (id: CommandId) => void): void {
  const runRef = useRef(run);
  runRef.current = run;
  useEffect(() => {
    const mac = isMac();
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing || e.repeat) return;
      const command = STUDIO_COMMANDS.find((c) => matchesKey(c.key, e, mac));
      if (!command) return;
      // Not even with a dialog open may Ctrl+S become the browser's "Save page as".
      e.preventDefault();
      if (document.querySelector('dialog[open]')) return;
      runRef.current(command.id);
    };
    window.addEventListener('keydown', onKey);
    const off = api?.onCommand((id) => runRef.current(id));
    return () => {
      window.removeEventListener('keydown', onKey);
      off?.();
    };
  }, [api]);
}
