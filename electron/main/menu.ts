import type { MenuItemConstructorOptions } from 'electron';
import { STUDIO_COMMANDS, toAccelerator, type CommandId, type MenuGroup } from '../../shared/api/commands.js';

/** The menu items of one group of the shared command list, each sending its id to the window. */
function commandItems(group: MenuGroup, send: (id: CommandId) => void): MenuItemConstructorOptions[] {
  return STUDIO_COMMANDS.filter((c) => c.menu === group).map((c) => ({
    id: c.id,
    label: c.label,
    accelerator: toAccelerator(c.key),
    // The renderer's own keymap handles the key (in the browser host too, where there is no native
    // menu); registering it here as well would run the command twice on Linux and Windows.
    registerAccelerator: false,
    click: () => send(c.id),
  }));
}

/**
 * The application menu, built from the shared command list (shared/api/commands.ts): File, Edit,
 * View, Publish and Help carry the studio's commands; Edit's clipboard items and View's zoom items are
 * Electron roles; View offers DevTools only when `devTools` (development).
 */
export function menuTemplate(send: (id: CommandId) => void, platform: NodeJS.Platform = process.platform, devTools = false): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const file = commandItems('file', send);
  const settings = file.filter((i) => i.id === 'app.settings');
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        ...file.filter((i) => i.id !== 'app.settings'),
        { type: 'separator' },
        ...settings,
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
        { type: 'separator' },
        ...commandItems('edit', send),
      ],
    },
    {
      label: 'View',
      submenu: [
        ...commandItems('view', send),
        { type: 'separator' },
        // DevTools in development only (guards.ts, menuDevTools).
        { role: 'reload' },
        ...(devTools ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { label: 'Publish', submenu: commandItems('publish', send) },
    { role: 'windowMenu' },
    { role: 'help', submenu: commandItems('help', send) },
  ];
}
