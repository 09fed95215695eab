/**
 * The API between Newsdesk Studio's processes, defined once: method name → input schema and output
 * type. The Electron IPC host, the preload, the loopback browser host and the renderer's
 * `window.studio` are all derived from `STUDIO_API`. Pure: no Node, no DOM.
 */
import { z } from 'zod';
import type { Catalog } from '../catalog/index.js';
import { STORY_STATUSES } from '../protocol/index.js';
import type { Diagnostic } from '../lint/index.js';
import { siteError } from '../site.js';
import type { CommandId } from './commands.js';
import type { SpellingChoice, SpellingMenu } from './spelling-menu.js';
import type { StudioErrorCode } from './transport.js';
import { noteInputs, type NoteView } from './notes.js';
import { syncCancelInput, syncEnqueueInput, syncLoginInput, syncResolveInput, type EnqueueResult, type StorySync, type SyncOverview } from './sync.js';

/** A story row as the library lists it. */
export interface StorySummary {
  id: string;
  slug: string;
  title: string;
  status: string;
  beat: string;
  updatedAt: string;
  trashed: boolean;
}

/** Rows `offset` on of a filtered story list, and how many stories that list holds (read together). */
export interface StoryPage {
  total: number;
  offset: number;
  stories: StorySummary[];
}

/** A whole story: its summary and its text (the canonical story file). */
export interface StoryRecord extends StorySummary {
  text: string;
  revision: number;
}

/** One saved revision of a story. */
export interface RevisionSummary {
  id: number;
  storyId: string;
  createdAt: string;
  title: string;
  size: number;
}

export interface RevisionRecord extends RevisionSummary {
  text: string;
}

/** What saving a story gave: the new revision (or the current one when nothing changed). */
export interface SaveResult {
  revision: number;
  updatedAt: string;
  changed: boolean;
  story: StorySummary;
}

/** What importing one file gave. */
export interface ImportReport {
  name: string;
  ok: boolean;
  id?: string;
  title?: string;
  error?: string;
  notices: string[];
  diagnostics: number;
}

/** A full-text search hit with a snippet (matches wrapped in `«` and `»`). */
export interface SearchHit {
  id: string;
  title: string;
  slug: string;
  status: string;
  beat: string;
  snippet: string;
  rank: number;
}

export interface ExportResult {
  format: 'md' | 'text' | 'html';
  fileName: string;
  content: string;
  diagnostics: Diagnostic[];
}

export const THEMES = ['system', 'light', 'dark'] as const;

/** The studio's settings. */
export interface Settings {
  site: string;
  theme: (typeof THEMES)[number];
  autosaveMs: number;
  paneSizes: number[];
  /** Panes the person hid (the editor is always shown). */
  hiddenPanes?: Array<(typeof HIDEABLE_PANES)[number]>;
  // The writing surface (each optional: absent means its default, shown beside it).
  /** Line numbers in the editor (off: writing mode). */
  lineNumbers?: boolean;
  /** Curly quotes and dashes as you type (on). */
  smartPunctuation?: boolean;
  /** Spelling checked against the dictionary and the catalog (on). */
  spelling?: boolean;
  /** Words the person added to the dictionary. */
  dictionary?: string[];
  /** A word goal for the story (none). */
  wordGoal?: number;
  /** Focus mode and typewriter scrolling (off). */
  focusMode?: boolean;
  typewriter?: boolean;
  /** The story open when the studio last closed, and where the caret and the view were. */
  lastStory?: { id: string; anchor: number; head: number; top: number };
}

export const HIDEABLE_PANES = ['library', 'preview'] as const;

/** Settings as `getSettings` answers them: `problems` says, once, which stored values were unusable and reset. */
export interface LoadedSettings extends Settings {
  problems?: string[];
}

/** The site setting: the renderer's own rule (shared/site.ts), so that nothing it cannot render is ever stored. */
const siteSetting = z
  .string()
  .max(2000)
  .superRefine((site, ctx) => {
    const error = siteError(site);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });

export const settingsSchema = z.object({
  site: siteSetting.optional(),
  theme: z.enum(THEMES).optional(),
  autosaveMs: z.number().int().min(100).max(1000).optional(),
  paneSizes: z.array(z.number().min(5).max(90)).length(3).optional(),
  hiddenPanes: z.array(z.enum(HIDEABLE_PANES)).max(HIDEABLE_PANES.length).optional(),
  lineNumbers: z.boolean().optional(),
  smartPunctuation: z.boolean().optional(),
  spelling: z.boolean().optional(),
  dictionary: z.array(z.string().min(1).max(100)).max(10_000).optional(),
  wordGoal: z.number().int().min(0).max(1_000_000).optional(),
  focusMode: z.boolean().optional(),
  typewriter: z.boolean().optional(),
  lastStory: z
    .object({
      id: z.string().min(1).max(200),
      anchor: z.number().int().nonnegative(),
      head: z.number().int().nonnegative(),
      top: z.number().int().nonnegative(),
    })
    .optional(),
});

const id = z.string().min(1).max(200);
const STATUS = z.enum(STORY_STATUSES);

/** What a story list is filtered by: status, beat, date of last change (ISO prefix bounds) and trash. */
const STORY_FILTER = z.object({
  status: STATUS.optional(),
  beat: z.string().max(200).optional(),
  since: z.string().max(40).optional(),
  until: z.string().max(40).optional(),
  trashed: z.boolean().optional(),
});

/** The most rows one `listStoryPage` call gives. */
export const STORY_PAGE_MAX = 1000;

/** Marks a method's output type (the value is never used at run time). */
function out<T>(): T {
  return undefined as T;
}

/** Every method: `input` validates the single argument; `output` carries the result type. */
export const STUDIO_API = {
  listStories: {
    input: STORY_FILTER.extend({
      /** The newest this many only. */
      limit: z.number().int().positive().max(1_000_000).optional(),
    }).default({}),
    output: out<StorySummary[]>(),
  },
  /**
   * A page of the list `listStories` gives (same filters, same order) and the list's length: the
   * library pane asks for the rows it shows, so nothing it does waits on the library's size.
   */
  listStoryPage: {
    input: STORY_FILTER.extend({
      offset: z.number().int().nonnegative().max(100_000_000),
      limit: z.number().int().positive().max(STORY_PAGE_MAX),
    }),
    output: out<StoryPage>(),
  },
  getStory: { input: z.object({ id }), output: out<StoryRecord>() },
  /** `baseRevision`: the revision the text was written from, so that a save never silently undoes what a sync pulled in meanwhile. */
  saveStory: { input: z.object({ id, text: z.string().max(5_000_000), baseRevision: z.number().int().nonnegative().optional() }), output: out<SaveResult>() },
  createStory: { input: z.object({ title: z.string().max(500).optional(), beat: z.string().max(200).optional() }).default({}), output: out<StoryRecord>() },
  importText: { input: z.object({ name: z.string().max(500), text: z.string().max(5_000_000) }), output: out<ImportReport>() },
  importFiles: {
    input: z.object({ files: z.array(z.object({ name: z.string().max(500), text: z.string().max(5_000_000) })).max(500) }),
    output: out<ImportReport[]>(),
  },
  exportStory: { input: z.object({ id, format: z.enum(['md', 'text', 'html']) }), output: out<ExportResult>() },
  listRevisions: { input: z.object({ id }), output: out<RevisionSummary[]>() },
  getRevision: { input: z.object({ revisionId: z.number().int().positive() }), output: out<RevisionRecord>() },
  restoreRevision: { input: z.object({ revisionId: z.number().int().positive() }), output: out<SaveResult>() },
  trashStory: { input: z.object({ id }), output: out<StorySummary>() },
  restoreStory: { input: z.object({ id }), output: out<StorySummary>() },
  search: { input: z.object({ query: z.string().max(500), limit: z.number().int().min(1).max(200).optional() }), output: out<SearchHit[]>() },
  getCatalog: { input: z.object({}).default({}), output: out<Catalog>() },
  /** The spelling dictionary (Hunspell .aff and .dic, dictionary-en): the same in both hosts, read once, lazily. */
  getDictionary: { input: z.object({}).default({}), output: out<{ aff: string; dic: string }>() },
  getSettings: { input: z.object({}).default({}), output: out<LoadedSettings>() },
  setSettings: { input: settingsSchema, output: out<Settings>() },
  // Sync with the publishing backend (publishing-protocol.md); the token goes in once and never comes back.
  syncStatus: { input: z.object({}).default({}), output: out<SyncOverview>() },
  syncLogin: { input: syncLoginInput, output: out<SyncOverview>() },
  syncLogout: { input: z.object({}).default({}), output: out<SyncOverview>() },
  syncNow: { input: z.object({}).default({}), output: out<SyncOverview>() },
  storySync: { input: z.object({ id }), output: out<StorySync>() },
  syncEnqueue: { input: syncEnqueueInput, output: out<EnqueueResult>() },
  syncResolve: { input: syncResolveInput, output: out<StorySync>() },
  /** Takes the story's waiting (queued or paused) changes out of the outbox; bad-input when there are none. */
  syncCancel: { input: syncCancelInput, output: out<StorySync>() },
  // Review notes: written offline, synced in each round, placed on the story's text as it is now.
  listNotes: { input: noteInputs.list, output: out<NoteView[]>() },
  addNote: { input: noteInputs.add, output: out<NoteView>() },
  replyNote: { input: noteInputs.reply, output: out<NoteView>() },
  editNote: { input: noteInputs.edit, output: out<NoteView>() },
  setNoteState: { input: noteInputs.setState, output: out<NoteView>() },
  resolveNoteConflict: { input: noteInputs.resolveConflict, output: out<NoteView>() },
} as const;

export type StudioMethod = keyof typeof STUDIO_API;
export const STUDIO_METHODS = Object.keys(STUDIO_API) as StudioMethod[];

/** The input a method takes (before defaults apply). */
export type StudioInput<M extends StudioMethod> = z.input<(typeof STUDIO_API)[M]['input']>;
/** The input a handler receives (validated, defaults applied). */
export type StudioParsedInput<M extends StudioMethod> = z.output<(typeof STUDIO_API)[M]['input']>;
export type StudioOutput<M extends StudioMethod> = (typeof STUDIO_API)[M]['output'];

/** One async function per method. */
export type StudioCalls = { [M in StudioMethod]: (input: StudioInput<M>) => Promise<StudioOutput<M>> };

/**
 * What a host tells the window on its own, declared once: event name → payload type. Electron sends
 * them with `webContents.send`, the browser host as server-sent events (transport.ts); the renderer
 * subscribes with `on` + the capitalized name (`onSyncChanged`).
 */
export const STUDIO_EVENTS = {
  /** The sync overview, whenever it may have changed (a sync started, progressed or ended, a login, a change queued). */
  syncChanged: out<SyncOverview>(),
} as const;

export type StudioEventName = keyof typeof STUDIO_EVENTS;
export const STUDIO_EVENT_NAMES = Object.keys(STUDIO_EVENTS) as StudioEventName[];
export type StudioEventPayload<E extends StudioEventName> = (typeof STUDIO_EVENTS)[E];

/** The window's subscription method of an event (`syncChanged` → `onSyncChanged`). */
export function eventListenerName<E extends StudioEventName>(event: E): `on${Capitalize<E>}` {
  return `on${event[0]!.toUpperCase()}${event.slice(1)}` as `on${Capitalize<E>}`;
}

/** One subscription method per event; each returns the function that unsubscribes. */
export type StudioEventSubscriptions = {
  [E in StudioEventName as `on${Capitalize<E>}`]: (listener: (payload: StudioEventPayload<E>) => void) => () => void;
};

/**
 * Commands chosen in the host's own application menu (Electron sends them one way, on
 * `COMMAND_CHANNEL` of transport.ts). The browser host has no such menu: there it is a registration
 * that never fires. Returns the function that unregisters the listener.
 */
export interface StudioEvents extends StudioEventSubscriptions {
  onCommand(listener: (id: CommandId) => void): () => void;
  /**
   * Electron only (spelling-menu.ts): shows the native context menu of a misspelt word with the
   * studio's suggestions; the choice comes to `onSpellingChoice`. Absent in the browser host, whose
   * own menu stays (the suggestions are in the lint tooltip there).
   */
  showSpellingMenu?(menu: SpellingMenu): Promise<void>;
  onSpellingChoice?(listener: (choice: SpellingChoice) => void): () => void;
}

/** What the renderer calls (`window.studio`): the methods, the command events and the host's events. */
export type StudioApi = StudioCalls & StudioEvents;

/** What a host implements: one handler per method; a missing one is a compile error. */
export type StudioHandlers = { [M in StudioMethod]: (input: StudioParsedInput<M>) => StudioOutput<M> | Promise<StudioOutput<M>> };

/** Whether a string names a method of the contract. */
export function isStudioMethod(name: string): name is StudioMethod {
  return Object.prototype.hasOwnProperty.call(STUDIO_API, name);
}

/** Validates a call's input against the contract; throws a bad-input error with a one-line message. */
export function parseStudioInput<M extends StudioMethod>(method: M, input: unknown): StudioParsedInput<M> {
  const result = STUDIO_API[method].input.safeParse(input === null ? undefined : input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw new StudioCallError('bad-input', `${method}: ${where}${issue?.message ?? 'invalid input'}`);
  }
  return result.data as StudioParsedInput<M>;
}

/** An error a handler throws on purpose, with a code that crosses to the caller. */
export class StudioCallError extends Error {
  override name = 'StudioCallError';
  constructor(
    readonly code: StudioErrorCode,
    message: string,
  ) {
    super(message);
  }
}
