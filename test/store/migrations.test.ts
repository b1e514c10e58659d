
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

import { LATEST_VERSION, MIGRATIONS, StoreVersionError, openDatabase, openStore } from '../../src/store/index.js';
import { ALICE, tempDbPerTest } from './helpers.js';

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name`).all() as Array<{ name: string }>).map((r) => r.name);
  } finally {
    db.close();
  }
}

function userVersion(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } finally {
    db.close();
  }
}

/** Write a chat and a message with plain SQL, as the code of version 1 would have. */
function seedV1(path: string): void {
  const db = openDatabase(path, { targetVersion: 1 });
  db.prepare(`INSERT INTO chats (jid, name, last_ts, last_message_id) VALUES (?, 'Alice', 1700000000000, 1700000000000 * 1024)`).run(ALICE);
  db.prepare(
    `INSERT INTO messages (id, chat_id, key_id, sender, from_me, ts, type, body) VALUES (1700000000000 * 1024, 1, 'OLD1', ?, 0, 1700000000000, 'text', 'Grüße aus Köln')`,
  ).run(ALICE);
  db.prepare(`UPDATE counters SET value = 1 WHERE name = 'messages'`).run();
  db.close();
}

describe('migrations', () => {
  const tmp = tempDbPerTest();

  it('creates the latest schema on an empty file, with WAL and foreign keys', () => {
    const s = openStore(tmp.path);
    expect(s.schemaVersion()).toBe(LATEST_VERSION);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('synchronous', { simple: true })).toBe(1);
    s.close();
    expect(tables(tmp.path)).toEqual(
      expect.arrayContaining(['chats', 'contacts', 'lid_mappings', 'messages', 'messages_fts', 'groups', 'group_participants', 'media_files', 'idempotency_keys', 'auth_creds', 'auth_keys', 'counters', 'message_keys_main', 'message_keys_recent']),
    );
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
  });

  it('upgrades from version 1: data kept and back-filled into the search index', () => {
    seedV1(tmp.path);
    expect(userVersion(tmp.path)).toBe(1);
    expect(tables(tmp.path)).not.toContain('messages_fts');
    const s = openStore(tmp.path);
    expect(s.schemaVersion()).toBe(LATEST_VERSION);
    expect(s.messages.search('GRÜßE koln').hits.map((h) => h.message.id)).toEqual([`${ALICE}:OLD1`]);
    expect(s.chats.listChats().items[0]).toMatchObject({ id: ALICE, name: 'Alice', lastMessage: { body: 'Grüße aus Köln' } });
    expect(s.counters.get().messages).toBe(1);
    s.close();
  });

  it('upgrades from version 2', () => {
    seedV1(tmp.path);
    openDatabase(tmp.path, { targetVersion: 2 }).close();
    expect(userVersion(tmp.path)).toBe(2);
    expect(tables(tmp.path)).not.toContain('auth_keys');
    const s = openStore(tmp.path);
    expect(s.schemaVersion()).toBe(LATEST_VERSION);
    expect(s.messages.search('köln').hits).toHaveLength(1);
    // Version 4 back-filled the key table: a re-delivery of the v1 message under another time merges.
    expect(s.messages.upsertMessages([{ chatId: ALICE, keyId: 'OLD1', fromMe: false, timestamp: 5, type: 'text', body: 'x' }])).toMatchObject({ inserted: 0, updated: 1 });
    s.media.add({ id: 'm', fileName: 'm.bin', originalName: null, mime: 'x/y', size: 1, sha256: 'h', createdAt: 1 });
    expect(s.counters.get().mediaFiles).toBe(1);
    s.close();
  });

  it('refuses a database from a newer version without touching it', () => {
    const s = openStore(tmp.path);
    s.close();
    const raw = new Database(tmp.path);
    raw.pragma(`user_version = ${LATEST_VERSION + 1}`);
    raw.close();
    expect(() => openStore(tmp.path)).toThrow(StoreVersionError);
    try {
      openStore(tmp.path);
    } catch (err) {
      expect(err).toBeInstanceOf(StoreVersionError);
      expect((err as StoreVersionError).message).toMatch(new RegExp(`schema version ${LATEST_VERSION + 1}.*only knows up to ${LATEST_VERSION}`));
      expect((err as StoreVersionError).code).toBe('STORE_VERSION_TOO_NEW');
    }
    expect(userVersion(tmp.path)).toBe(LATEST_VERSION + 1);
  });

  it('rolls a failing migration back completely', () => {
    seedV1(tmp.path);
    openDatabase(tmp.path, { targetVersion: 2 }).close();
    // Sabotage version 3: a table it wants to create already exists.
    const raw = new Database(tmp.path);
    raw.exec('CREATE TABLE auth_keys (x)');
    raw.close();
    expect(() => openStore(tmp.path)).toThrow(/auth_keys/);
    expect(userVersion(tmp.path)).toBe(2);
    expect(tables(tmp.path)).not.toContain('media_files');
    expect(tables(tmp.path)).not.toContain('idempotency_keys');
  });
});
