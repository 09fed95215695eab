// Issue 10: Electron's context menu shows the studio's spelling suggestions. The main process's
// side, against a fake `electron` module (no Electron binary here): the menu's items, the choice
// sent back one way, and the request checked like a contract call.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { SPELLING_CHOICE_CHANNEL, SPELLING_MENU_CHANNEL } from '../../shared/api/spelling-menu.js';

const fake = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, input: unknown) => Promise<unknown>>(),
  templates: [] as Array<Array<Record<string, unknown>>>,
  popups: [] as unknown[],
  windows: new Map<unknown, unknown>(),
}));
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, input: unknown) => Promise<unknown>) => fake.handlers.set(channel, fn),
    removeHandler: (channel: string) => fake.handlers.delete(channel),
  },
  Menu: {
    buildFromTemplate: (template: Array<Record<string, unknown>>) => {
      fake.templates.push(template);
      return { popup: (options: unknown) => fake.popups.push(options) };
    },
  },
  BrowserWindow: { fromWebContents: (contents: unknown) => fake.windows.get(contents) ?? null },
}));

const { spellingMenuTemplate, showSpellingMenu } = await import('../../electron/main/context-menu.js');
const { registerSpellingMenu } = await import('../../electron/main/ipc.js');

const APP = 'studio://app/';
/** A stand-in for the window's WebContents: what it was sent, and whether it is gone. */
function fakeContents() {
  const sent: unknown[][] = [];
  const mainFrame = { url: `${APP}index.html` };
  return {
    sent,
    mainFrame,
    destroyed: false,
    isDestroyed() {
      return this.destroyed;
    },
    send: (...args: unknown[]) => void sent.push(args),
  };
}
const click = (item: Record<string, unknown> | undefined) => (item!.click as () => void)();

beforeEach(() => {
  fake.handlers.clear();
  fake.templates.length = 0;
  fake.popups.length = 0;
  fake.windows.clear();
});

describe('the spelling context menu in Electron (fake electron)', () => {
  it('lists the studio’s suggestions, "Add to dictionary" and the editing roles', () => {
    const chosen: unknown[] = [];
    const items = spellingMenuTemplate({ word: 'Karpaty', suggestions: ['Karpathy', 'Karate'] }, (c) => chosen.push(c));
    expect(items.map((i) => i.label ?? i.role ?? i.type)).toEqual([
      'Karpathy',
      'Karate',
      'separator',
      'Add “Karpaty” to dictionary',
      'separator',
      'cut',
      'copy',
      'paste',
      'separator',
      'selectAll',
    ]);
    click(items[0] as Record<string, unknown>);
    click(items[3] as Record<string, unknown>);
    expect(chosen).toEqual([
      { word: 'Karpaty', replace: 'Karpathy' },
      { word: 'Karpaty', add: true },
    ]);
    const none = spellingMenuTemplate({ word: 'Zqxw', suggestions: [] }, () => undefined);
    expect(none[0]).toMatchObject({ label: 'No suggestions', enabled: false });
  });

  it('pops the menu up over the window and sends the choice back to that window only, one way', () => {
    const contents = fakeContents();
    const window = { id: 1 };
    fake.windows.set(contents, window);
    showSpellingMenu(contents as never, { word: 'teh', suggestions: ['the', 'ten'] });
    expect(fake.popups).toEqual([{ window }]);
    click(fake.templates[0]!.find((i) => i.label === 'ten'));
    expect(contents.sent).toEqual([[SPELLING_CHOICE_CHANNEL, { word: 'teh', replace: 'ten' }]]);
    // A window closed while its menu was open is sent nothing; contents with no window get no menu.
    contents.destroyed = true;
    click(fake.templates[0]!.find((i) => i.label === 'the'));
    expect(contents.sent).toHaveLength(1);
    showSpellingMenu(fakeContents() as never, { word: 'teh', suggestions: [] });
    expect(fake.popups).toHaveLength(1);
  });

  it('shows a menu only for the studio window’s main frame and a well-formed request', async () => {
    const contents = fakeContents();
    const shown: unknown[][] = [];
    const off = registerSpellingMenu(
      (c, m) => void shown.push([c, m]),
      (c) => c === (contents as never),
      APP,
    );
    const call = (event: unknown, input: unknown) => fake.handlers.get(SPELLING_MENU_CHANNEL)!(event, input);
    const menu = { word: 'teh', suggestions: ['the'] };
    expect(await call({ sender: contents, senderFrame: contents.mainFrame }, menu)).toEqual({ ok: true, value: null });
    expect(shown).toEqual([[contents, menu]]);
    const other = fakeContents();
    for (const event of [
      { sender: other, senderFrame: other.mainFrame },
      { sender: contents, senderFrame: { url: `${APP}index.html` } },
      { sender: contents, senderFrame: null },
    ])
      expect(await call(event, menu)).toMatchObject({ ok: false, error: { code: 'refused' } });
    // The window's own main frame, navigated away from the app.
    contents.mainFrame.url = 'https://evil.example/';
    expect(await call({ sender: contents, senderFrame: contents.mainFrame }, menu)).toMatchObject({ ok: false, error: { code: 'refused' } });
    contents.mainFrame.url = `${APP}index.html`;
    for (const bad of [
      null,
      'teh',
      { word: 'teh' },
      { word: '', suggestions: [] },
      { word: 'teh', suggestions: Array(11).fill('x') },
      { word: 'a\nb', suggestions: [] },
      { word: 'teh', suggestions: [3] },
    ]) {
      expect(await call({ sender: contents, senderFrame: contents.mainFrame }, bad), JSON.stringify(bad)).toMatchObject({
        ok: false,
        error: { code: 'bad-input' },
      });
    }
    expect(shown).toHaveLength(1);
    off();
    expect(fake.handlers.has(SPELLING_MENU_CHANNEL)).toBe(false);
  });
});
