/**
 * Schema migrations, versioned by `PRAGMA user_version`.
 *
 * Each migration runs inside one transaction together with the `user_version` bump, so a crash during a
 * migration leaves the previous version intact. A database whose version is newer than the newest
 * migration known to this code is refused with `StoreVersionError` (never "migrated" downwards).
 *
 * Never edit a released migration: add a new one.
 */
import type Database from 'better-sqlite3';

import { ftsMeta, keyHash } from './fts.js';
import { ftsText } from './text.js';
import * as v6 from './schema/v6-inbound-actions.js';
import * as v7 from './schema/v7-send-safety.js';
import * as v8 from './schema/v8-fts-emoji.js';
import * as v9 from './schema/v9-key-log.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Thrown when the database was written by a newer version of the code. */
export class StoreVersionError extends Error {
  readonly code = 'STORE_VERSION_TOO_NEW';
  constructor(
    readonly dbVersion: number,
    readonly codeVersion: number,
    readonly path: string,
  ) {
    super(
      `Database ${path} has schema version ${dbVersion}, but this build only knows up to ${codeVersion}. ` +
        'It was written by a newer release: upgrade the server, or point DB_PATH at another file. The file was not modified.',
    );
    this.name = 'StoreVersionError';
  }
}

/** Message rowids encode time: `timestamp_ms * ROWID_SLOTS + slot` (see repos/messages.ts). */
export const ROWID_SLOTS = 1024;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core tables: chats, contacts, identity, messages, groups, counters',
    up(db) {
      db.exec(`
        CREATE TABLE chats (
          id              INTEGER PRIMARY KEY,
          jid             TEXT NOT NULL UNIQUE,
          name            TEXT,                       -- never an empty string or a bare JID
          is_group        INTEGER NOT NULL DEFAULT 0,
          unread_count    INTEGER NOT NULL DEFAULT 0,
          last_ts         INTEGER NOT NULL DEFAULT 0, -- newest message / activity, only moves forward
          last_message_id INTEGER,                    -- messages.id of the newest message
          archived        INTEGER NOT NULL DEFAULT 0,
          updated_at      INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX chats_recent ON chats (last_ts DESC, id DESC);

        CREATE TABLE contacts (
          id             INTEGER PRIMARY KEY,
          jid            TEXT NOT NULL UNIQUE,       -- canonical: phone JID when known, else LID
          lid            TEXT UNIQUE,
          phone          TEXT,                       -- digits, when known
          name           TEXT,                       -- address-book name
          pushname       TEXT,
          verified_name  TEXT,
          is_my_contact  INTEGER NOT NULL DEFAULT 0,
          search_text    TEXT NOT NULL DEFAULT '',   -- folded name | pushname | verified name
          updated_at     INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX contacts_phone ON contacts (phone);

        -- LID ↔ phone JID of the same person (one LID per phone number).
        CREATE TABLE lid_mappings (
          lid        TEXT PRIMARY KEY,
          pn         TEXT NOT NULL,
          updated_at INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX lid_mappings_pn ON lid_mappings (pn);

        -- id = timestamp_ms * 1024 + slot: rowid order is time order, which the FTS index inherits.
        --
        -- Deliberately NO secondary B-tree index. An index keyed by chat or by message key receives
        -- each new row on a random leaf page, so every ingest transaction dirties about one index page
        -- per message and per index (measured at 600k messages in 2,000-message batches: 35 µs CPU and
        -- 92 µs wall per message with (chat_id, key_id) + (chat_id, id) indexes, 19.5 / 44 µs without). The
        -- lookups those indexes would serve — a chat's messages in time order, a message by key — are
        -- answered by the FTS5 index instead (migration 2, column meta): FTS5 is log-structured, it
        -- buffers a transaction's postings in memory and writes them as one sorted segment.
        -- For the same reason chat_id carries no FOREIGN KEY (deleting a chat would scan all messages);
        -- the repositories keep it consistent (chats are only deleted when merged, after their messages move).
        CREATE TABLE messages (
          id          INTEGER PRIMARY KEY,
          chat_id     INTEGER NOT NULL,
          key_id      TEXT NOT NULL,
          sender      TEXT NOT NULL,
          from_me     INTEGER NOT NULL,
          ts          INTEGER NOT NULL,
          type        TEXT NOT NULL,
          body        TEXT,
          caption     TEXT,
          has_media   INTEGER NOT NULL DEFAULT 0,
          media_mime  TEXT,
          status      INTEGER,                        -- STATUS_RANK, only moves forward
          quoted_id   TEXT,
          edited_at   INTEGER,
          revoked_at  INTEGER,
          raw         BLOB
        );

        -- Previous texts of edited / revoked messages (the current text is in messages).
        CREATE TABLE message_edits (
          message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
          kind       TEXT NOT NULL CHECK (kind IN ('edit', 'revoke')),
          old_body   TEXT,
          at         INTEGER NOT NULL
        );
        CREATE INDEX message_edits_message ON message_edits (message_id);

        CREATE TABLE groups (
          jid          TEXT PRIMARY KEY,
          subject      TEXT,
          description  TEXT,
          owner        TEXT,
          created_at   INTEGER,
          announce     INTEGER NOT NULL DEFAULT 0,
          restrict_    INTEGER NOT NULL DEFAULT 0,
          updated_at   INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE group_participants (
          group_jid TEXT NOT NULL REFERENCES groups (jid) ON DELETE CASCADE,
          jid       TEXT NOT NULL,
          role      TEXT NOT NULL DEFAULT 'member',
          PRIMARY KEY (group_jid, jid)
        ) WITHOUT ROWID;
        CREATE INDEX group_participants_jid ON group_participants (jid);

        -- Cheap status counters. Low-volume tables keep theirs with triggers; the messages counter is
        -- maintained once per ingest batch by the messages repository (a trigger would cost a row
        -- update per message).
        CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO counters (name, value) VALUES
          ('messages', 0), ('chats', 0), ('groups', 0), ('contacts', 0), ('last_message_ts', 0);

        CREATE TRIGGER chats_count_ins AFTER INSERT ON chats BEGIN
          UPDATE counters SET value = value + 1 WHERE name = 'chats';
          UPDATE counters SET value = value + NEW.is_group WHERE name = 'groups';
        END;
        CREATE TRIGGER chats_count_del AFTER DELETE ON chats BEGIN
          UPDATE counters SET value = value - 1 WHERE name = 'chats';
          UPDATE counters SET value = value - OLD.is_group WHERE name = 'groups';
        END;
        CREATE TRIGGER chats_count_grp AFTER UPDATE OF is_group ON chats WHEN NEW.is_group <> OLD.is_group BEGIN
          UPDATE counters SET value = value + NEW.is_group - OLD.is_group WHERE name = 'groups';
        END;
        CREATE TRIGGER contacts_count_ins AFTER INSERT ON contacts BEGIN
          UPDATE counters SET value = value + 1 WHERE name = 'contacts';
        END;
        CREATE TRIGGER contacts_count_del AFTER DELETE ON contacts BEGIN
          UPDATE counters SET value = value - 1 WHERE name = 'contacts';
        END;
      `);
    },
  },
  {
    version: 2,
    name: 'full-text index over message text and captions',
    up(db) {
      // Contentless FTS5 table (the text already lives in `messages`), rowid = messages.id.
      // - `text`: body + caption, CJK runs bigrammed (see text.ts for the tokenizer rationale).
      // - `meta`: one row per message even without text, holding lookup tokens (see fts.ts):
      //   `c<chatId>` (a chat's messages, newest first: pages, context, the chat filter of search),
      //   `f<sender>` (author filter, last interaction) and `k<hash of key id>` (message by key).
      //   This makes the FTS index the store's only secondary index, see the messages table above.
      // `contentless_delete=1` lets edits and merges delete/replace rows without re-supplying old text.
      // `detail=full` keeps positions for phrase queries.
      // FTS5's default automerge (4) is kept: raising it to 16 or 64 did not reduce ingest CPU time
      // measurably here, and fewer segments keep queries cheaper. A history sync turns it off and merges in
      // bounded steps between its transactions instead (`Store.maintenance`).
      db.exec(`
        CREATE VIRTUAL TABLE messages_fts USING fts5 (
          text, meta,
          content = '',
          contentless_delete = 1,
          tokenize = 'unicode61 remove_diacritics 2'
        );
      `);
      // Backfill rows written by version 1. Migrations are rare; doing the text preparation in JS keeps
      // one implementation of the indexing rules.
      backfillFts(db);
    },
  },
  {
    version: 3,
    name: 'media files, idempotency keys, Baileys auth state',
    up(db) {
      db.exec(`
        CREATE TABLE media_files (
          id            TEXT PRIMARY KEY,
          file_name     TEXT NOT NULL UNIQUE,
          original_name TEXT,
          mime          TEXT NOT NULL,
          size          INTEGER NOT NULL,
          sha256        TEXT NOT NULL,
          message_id    TEXT,
          created_at    INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX media_files_message ON media_files (message_id);
        CREATE INDEX media_files_sha256 ON media_files (sha256);
        INSERT INTO counters (name, value) SELECT 'media_files', 0;
        CREATE TRIGGER media_count_ins AFTER INSERT ON media_files BEGIN
          UPDATE counters SET value = value + 1 WHERE name = 'media_files';
        END;
        CREATE TRIGGER media_count_del AFTER DELETE ON media_files BEGIN
          UPDATE counters SET value = value - 1 WHERE name = 'media_files';
        END;

        CREATE TABLE idempotency_keys (
          key         TEXT PRIMARY KEY,
          tool        TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          state       TEXT NOT NULL CHECK (state IN ('pending', 'done')),
          owner       TEXT NOT NULL,            -- process that claimed it
          result      TEXT,                     -- JSON, when done
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

        -- Baileys auth state. Values are JSON written with BufferJSON.replacer.
        CREATE TABLE auth_creds (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
        CREATE TABLE auth_keys (
          type TEXT NOT NULL,
          id   TEXT NOT NULL,
          data TEXT NOT NULL,
          PRIMARY KEY (type, id)
        ) WITHOUT ROWID;
      `);
    },
  },
  {
    version: 4,
    name: 'message key lookup: one message per (chat, key id) whatever its timestamp',
    up(db) {
      // Re-deliveries normally keep their timestamp and are found by the rowid probe; this table finds
      // the rest (an own send echoed with the server's time, a redelivery with another time). A narrow
      // integer b-tree (key hash, rowid) costs a fraction of a (chat_id, key_id) TEXT index on ingest.
      db.exec('CREATE TABLE message_keys (hash INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (hash, id)) WITHOUT ROWID');
      const ins = db.prepare('INSERT OR IGNORE INTO message_keys (hash, id) VALUES (?, ?)');
      const page = db.prepare('SELECT id, key_id FROM messages WHERE id > ? ORDER BY id LIMIT 10000');
      for (let after = -1; ; ) {
        const rows = page.all(after) as Array<{ id: number; key_id: string }>;
        for (const r of rows) ins.run(keyHash(r.key_id), r.id);
        const last = rows.at(-1);
        if (!last) break;
        after = last.id;
      }
    },
  },
  {
    version: 5,
    name: 'read marker per chat: unread = incoming messages after it',
    up(db) {
      // messages.id of the newest message known to be read (rowids are time-ordered). New incoming
      // messages above it add to unread_count; a read receipt or mark_as_read moves it and recounts.
      db.exec('ALTER TABLE chats ADD COLUMN read_upto INTEGER NOT NULL DEFAULT 0');
    },
  },
  // From 6 on, each migration lives in its own file under schema/ (one owner per file).
  { version: 6, name: v6.NAME, up: v6.up },
  { version: 7, name: v7.NAME, up: v7.up },
  { version: 8, name: v8.NAME, up: v8.up },
  { version: 9, name: v9.NAME, up: v9.up },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

function backfillFts(db: Database.Database): void {
  const rows = db
    .prepare(
      `SELECT m.id AS id, m.body AS body, m.caption AS caption, m.sender AS sender, m.chat_id AS chatId, m.key_id AS keyId
         FROM messages m`,
    )
    .iterate() as IterableIterator<{ id: number; body: string | null; caption: string | null; sender: string; chatId: number; keyId: string }>;
  const ins = db.prepare('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
  const pending: Array<[number, string, string]> = [];
  for (const r of rows) pending.push([r.id, ftsText(r.body, r.caption), ftsMeta(r.chatId, r.sender)]);
  for (const p of pending) ins.run(p[0], p[1], p[2]);
}

/** Current schema version of an open database. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Bring the database to `target` (default: latest). Each step is one transaction including the version
 * bump. Exported (with `target`) so tests can build databases at every earlier version.
 */
export function migrate(db: Database.Database, path: string, target: number = LATEST_VERSION): void {
  const current = schemaVersion(db);
  if (current > LATEST_VERSION) throw new StoreVersionError(current, LATEST_VERSION, path);
  for (const m of MIGRATIONS) {
    if (m.version <= current || m.version > target) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
}
