import Conf from 'conf';
import { dirname } from 'node:path';
import { settingsSchema, type LoadedSettings, type Settings } from '../../shared/api/contract.js';
import { DEFAULT_SITE, siteProblem } from '../../shared/index.js';
import type { Library } from './library/library.js';

/** What the handlers read and change; `get` reports unusable stored values once (`problems`). */
export interface SettingsStore {
  get(): LoadedSettings;
  set(patch: Partial<Settings>): Settings;
}

/** Where settings are kept: a `conf` file (the browser host; electron-store, a Conf, in Electron) or the library (tests). */
export interface SettingsBackend {
  read(): unknown;
  write(value: Settings): void;
}

export const DEFAULT_SETTINGS: Settings = { site: DEFAULT_SITE, theme: 'system', autosaveMs: 800, paneSizes: [22, 42, 36] };

const FIELDS = settingsSchema.shape;
type Field = keyof typeof FIELDS;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * Reads stored settings through the contract's schema, field by field: a value the studio could not
 * use (a site that is not http(s), a theme it does not know, a value of the wrong kind) is dropped
 * for its default with one sentence saying so, and the rest is kept.
 */
export function validateStoredSettings(stored: unknown): { settings: Settings; problems: string[] } {
  const problems: string[] = [];
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) {
    if (stored !== undefined && stored !== null) problems.push(`The stored settings were not readable (${describe(stored)}): they were reset to the defaults.`);
    return { settings: settings as unknown as Settings, problems };
  }
  for (const [key, value] of Object.entries(stored)) {
    if (!Object.prototype.hasOwnProperty.call(FIELDS, key) || value === undefined) continue;
    const parsed = FIELDS[key as Field].safeParse(value);
    if (parsed.success) {
      settings[key] = parsed.data;
      continue;
    }
    if (key === 'site') {
      const reason = typeof value === 'string' ? (siteProblem(value) ?? 'too long') : 'not text';
      problems.push(`The site setting ${describe(value)} could not be used (${reason}): it was reset to ${DEFAULT_SITE}.`);
    } else {
      const reason = parsed.error.issues[0]?.message ?? 'invalid';
      problems.push(`The setting "${key}" ${describe(value)} could not be used (${reason.replace(/\s+/g, ' ')}): it was reset to its default.`);
    }
  }
  return { settings: settings as unknown as Settings, problems };
}

/**
 * The one settings store, over any backend: validated when read (unusable values are reset, written
 * back and reported once by `get`), and changed only by patches the contract validated.
 */
export function createSettingsStore(backend: SettingsBackend, problemsBefore: string[] = []): SettingsStore {
  let current: Settings | null = null;
  let pending: string[] = [...problemsBefore];
  const load = (): Settings => {
    if (current) return current;
    const { settings, problems } = validateStoredSettings(backend.read());
    if (problems.length) {
      backend.write(settings);
      for (const p of problems) console.error(`studio: ${p}`);
      pending.push(...problems);
    }
    current = settings;
    return settings;
  };
  return {
    get() {
      const settings = load();
      if (!pending.length) return { ...settings };
      const problems = pending;
      pending = [];
      return { ...settings, problems };
    },
    set(patch) {
      const next = { ...load(), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Settings;
      backend.write(next);
      current = next;
      return { ...next };
    },
  };
}

/** Settings kept in the library file (the default of `createHandlers`, for tests and tools). */
export function librarySettings(lib: Library): SettingsStore {
  return createSettingsStore({ read: () => lib.getSetting('studio'), write: (v) => lib.setSetting('studio', v) });
}

/** The part of a `conf` store (or electron-store, its Electron subclass) that settings use. */
export interface ConfLike {
  store: Record<string, unknown>;
}

/** Settings in a `conf` store: the browser host's file, or Electron's electron-store. */
export function confSettings(conf: ConfLike, problemsBefore: string[] = []): SettingsStore {
  return createSettingsStore({ read: () => conf.store, write: (v) => void (conf.store = { ...v }) }, problemsBefore);
}

/**
 * Settings in a conf store that `open` makes (`clearInvalid`: replace a file that is not JSON).
 * A file that is not JSON is reported and replaced by the defaults; settings an older studio kept in
 * the library move into it once.
 */
export function openConfSettings(open: (clearInvalid: boolean) => ConfLike & { size: number }, where: string, lib?: Library): SettingsStore {
  const problems: string[] = [];
  let conf: ConfLike & { size: number };
  try {
    conf = open(false);
  } catch (e) {
    problems.push(`The settings file in ${where} was not readable (${(e as Error).message.split('\n')[0]}): it was reset to the defaults.`);
    conf = open(true);
  }
  if (conf.size === 0 && lib) {
    const old = lib.getSetting('studio');
    if (old && typeof old === 'object') conf.store = old as Record<string, unknown>;
  }
  for (const p of problems) console.error(`studio: ${p}`);
  return confSettings(conf, problems);
}

/** The browser host's settings: `settings.json` beside the library, readable by the user alone (0600). */
export function settingsFile(libraryPath: string, lib?: Library): SettingsStore {
  const cwd = dirname(libraryPath);
  return openConfSettings(
    (clearInvalidConfig) => new Conf<Record<string, unknown>>({ cwd, configName: 'settings', configFileMode: 0o600, clearInvalidConfig }),
    cwd,
    lib,
  );
}
