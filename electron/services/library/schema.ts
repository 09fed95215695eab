import type { Database } from 'better-sqlite3';

/** "NDSS": marks an SQLite file as a Newsdesk Studio library. */
export const APPLICATION_ID = 0x4e445353;

/**
 * The tokenizer of the full-text index, stories_fts (made by migration 1 → 2 with this very string),
 * of the titles-and-deks index, heads_fts, and of search's scratch table of a page of hits (statements.ts).
 */
export const FTS_TOKENIZE = 'unicode61 remove_diacritics 2';

/** Migrations by `user_version`: entry i brings a library from version i to i + 1. */
export const MIGRATIONS: ReadonlyArray<(db: Database) => void> = [
  // 0 → 1: stories, revisions, catalog copy, settings.
  (db) => {
    db.exec(`
      CREATE TABLE stories (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'draft',
        beat TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        trashed INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE revisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
      );
      CREATE INDEX revisions_story ON revisions(story_id, id);
      CREATE TABLE catalog (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
  },
  // 1 → 2: dek column, filter indexes and full-text search over title, dek and body.
  (db) => {
    db.exec(`
      ALTER TABLE stories ADD COLUMN dek TEXT NOT NULL DEFAULT '';
      CREATE INDEX stories_status ON stories(status);
      CREATE INDEX stories_beat ON stories(beat);
      CREATE INDEX stories_updated ON stories(updated_at);
      CREATE VIRTUAL TABLE stories_fts USING fts5(title, dek, body, tokenize = 'unicode61 remove_diacritics 2');
    `);
  },
  // 2 → 3: stories found by slug (sync matches the backend's stories by slug).
  (db) => {
    db.exec('CREATE INDEX stories_slug ON stories(slug)');
  },
  // 3 → 4: the full-text index again, now with prefix indexes of 2, 3 and 4 characters. Search
  // makes every word a prefix term, and without them a short one merges the lists of every indexed
  // word it starts before it can be used. The rows are copied from the old index (no re-render).
  (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE stories_fts_v4 USING fts5(title, dek, body, tokenize = '${FTS_TOKENIZE}', prefix = '2 3 4');
      INSERT INTO stories_fts_v4 (rowid, title, dek, body) SELECT rowid, title, dek, body FROM stories_fts;
      DROP TABLE stories_fts;
      ALTER TABLE stories_fts_v4 RENAME TO stories_fts;
    `);
  },
  // 4 → 5: the library list read from an index alone. A story's row holds its text before
  // updated_at and trashed, so listing 100,000 stories walked every text's overflow pages (≈ 0.8 s
  // of CPU here); this index holds every column of a list's summary, in its order.
  (db) => {
    db.exec('CREATE INDEX stories_list ON stories(trashed, updated_at DESC, title, id, slug, status, beat)');
  },
  // 5 → 6: a second, small full-text index of titles and deks alone (search's first two tiers).
  // In the big index a common word's list holds every body that has it, so asking which titles
  // and deks hold it walked all of them; here a row is a dozen words. It reads the stories table's
  // own title and dek (external content), kept current by triggers, so no write path changes.
  (db) => {
    db.exec(`
      CREATE VIRTUAL TABLE heads_fts USING fts5(title, dek, content = 'stories', tokenize = '${FTS_TOKENIZE}', prefix = '2 3 4');
      CREATE TRIGGER heads_insert AFTER INSERT ON stories BEGIN
        INSERT INTO heads_fts (rowid, title, dek) VALUES (new.rowid, new.title, new.dek);
      END;
      CREATE TRIGGER heads_update AFTER UPDATE OF title, dek ON stories
        WHEN old.title IS NOT new.title OR old.dek IS NOT new.dek BEGIN
        INSERT INTO heads_fts (heads_fts, rowid, title, dek) VALUES ('delete', old.rowid, old.title, old.dek);
        INSERT INTO heads_fts (rowid, title, dek) VALUES (new.rowid, new.title, new.dek);
      END;
      CREATE TRIGGER heads_delete AFTER DELETE ON stories BEGIN
        INSERT INTO heads_fts (heads_fts, rowid, title, dek) VALUES ('delete', old.rowid, old.title, old.dek);
      END;
      INSERT INTO heads_fts (heads_fts) VALUES ('rebuild');
    `);
  },
  // 6 → 7: how many stories each (trash, status, beat) holds, kept by triggers: the library pane's
  // every page carries its list's length, and count(*) walked the list index (≈ 35–50 ms on 100,000
  // stories) where this reads a few rows.
  (db) => {
    db.exec(`
      CREATE TABLE story_counts (
        trashed INTEGER NOT NULL, status TEXT NOT NULL, beat TEXT NOT NULL, n INTEGER NOT NULL,
        PRIMARY KEY (trashed, status, beat)
      ) WITHOUT ROWID;
      INSERT INTO story_counts (trashed, status, beat, n) SELECT trashed, status, beat, count(*) FROM stories GROUP BY trashed, status, beat;
      CREATE TRIGGER story_counts_insert AFTER INSERT ON stories BEGIN
        INSERT INTO story_counts (trashed, status, beat, n) VALUES (new.trashed, new.status, new.beat, 1)
          ON CONFLICT (trashed, status, beat) DO UPDATE SET n = n + 1;
      END;
      CREATE TRIGGER story_counts_delete AFTER DELETE ON stories BEGIN
        UPDATE story_counts SET n = n - 1 WHERE trashed = old.trashed AND status = old.status AND beat = old.beat;
      END;
      CREATE TRIGGER story_counts_update AFTER UPDATE OF trashed, status, beat ON stories
        WHEN old.trashed IS NOT new.trashed OR old.status IS NOT new.status OR old.beat IS NOT new.beat BEGIN
        UPDATE story_counts SET n = n - 1 WHERE trashed = old.trashed AND status = old.status AND beat = old.beat;
        INSERT INTO story_counts (trashed, status, beat, n) VALUES (new.trashed, new.status, new.beat, 1)
          ON CONFLICT (trashed, status, beat) DO UPDATE SET n = n + 1;
      END;
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;
