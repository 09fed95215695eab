/** Whether Mod means Cmd here (macOS), as CodeMirror decides it. */
export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
}
