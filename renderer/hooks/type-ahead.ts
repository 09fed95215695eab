/**
 * What the person types between asking for something and its field being there: Ctrl+Alt+N and
 * straight on with the title, before the new story has come back from the library. Without this
 * the first letters went nowhere ("Ferry delays" became "delays"). Keys are held while it runs, in
 * the capture phase, so none reaches whatever had the keyboard before; Enter ends the first part
 * (the title) and what follows it is the second (the start of the body).
 */
export class TypeAhead {
  private parts: [string, string] = ['', ''];
  private entered = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  private readonly onKey = (e: KeyboardEvent): void => {
    if (e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
    const i = this.entered ? 1 : 0;
    if (e.key.length === 1) this.parts[i] += e.key;
    else if (e.key === 'Backspace') this.parts[i] = this.parts[i].slice(0, -1);
    else if (e.key === 'Enter' && !this.entered) this.entered = true;
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  /** Starts holding keys; gives up by itself after `limitMs` (the answer never came). */
  start(limitMs = 5000): void {
    this.stop();
    this.parts = ['', ''];
    this.entered = false;
    window.addEventListener('keydown', this.onKey, true);
    this.timer = setTimeout(() => this.stop(), limitMs);
  }

  /** Stops holding keys: what was typed, and whether Enter came after the first part. */
  stop(): { first: string; entered: boolean; second: string } {
    window.removeEventListener('keydown', this.onKey, true);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const [first, second] = this.parts;
    this.parts = ['', ''];
    const entered = this.entered;
    this.entered = false;
    return { first, entered, second };
  }
}
