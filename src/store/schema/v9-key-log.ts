/**
 * Migration 9: new message keys go to a small table first (issue #17, ingest rate).
 *
 * `message_keys` (key hash → rowid, migration 4) is keyed by a hash of WhatsApp's random key ids, so every
 * ingested message inserted into a random leaf of a b-tree that outgrows the page cache: a 2,000-message
 * transaction touched ~1,500 of its pages, each written to the WAL and again at checkpoint — measured at
 * ~23 % of the ingest CPU at 500k messages. New keys now go to `message_keys_recent`, which stays a few
 * hundred pages (always cached); `MessagesRepo` moves it into `message_keys_main` in hash order once it
 * holds RECENT_KEYS_MAX rows, so each page of the big tree is written about once per move instead of once
 * per transaction. `message_keys` becomes a view over both, so every reader (lookups by key, identity
 * merges) sees one table; SQLite pushes `hash = ?` into both halves, each a primary-key probe.
 */
import type Database from 'better-sqlite3';

export const NAME = 'new message keys go to a small table, merged into the big one in hash order';

export function up(db: Database.Database): void {
  db.exec(`
    ALTER TABLE message_keys RENAME TO message_keys_main;
    CREATE TABLE message_keys_recent (hash INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (hash, id)) WITHOUT ROWID;
    CREATE VIEW message_keys (hash, id) AS
      SELECT hash, id FROM message_keys_main UNION ALL SELECT hash, id FROM message_keys_recent;
    CREATE TRIGGER message_keys_insert INSTEAD OF INSERT ON message_keys BEGIN
      INSERT OR IGNORE INTO message_keys_recent (hash, id) VALUES (new.hash, new.id);
    END;
    CREATE TRIGGER message_keys_delete INSTEAD OF DELETE ON message_keys BEGIN
      DELETE FROM message_keys_main WHERE hash = old.hash AND id = old.id;
      DELETE FROM message_keys_recent WHERE hash = old.hash AND id = old.id;
    END;
  `);
}
