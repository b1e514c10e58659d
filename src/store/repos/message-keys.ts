/**
 * Which chats hold a message with a given WhatsApp key id. Tool outputs show the bare key id (shorter for
 * a model to read); this finds its chat again through the FTS key token, the only index on keys.
 */
import type Database from 'better-sqlite3';
import { keyToken } from '../fts.js';

const statements = new WeakMap<Database.Database, Database.Statement<[string, string], { jid: string }>>();

/** Chat JIDs (at most 5) that hold a message with key id `keyId`. */
export function chatsWithKey(db: Database.Database, keyId: string): string[] {
  let stmt = statements.get(db);
  if (!stmt) {
    stmt = db.prepare(
      `SELECT DISTINCT mc.jid AS jid FROM messages m JOIN chats mc ON mc.id = m.chat_id
        WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) AND m.key_id = ? LIMIT 5`,
    );
    statements.set(db, stmt);
  }
  return stmt.all(`meta : "${keyToken(keyId)}"`, keyId).map((r) => r.jid);
}
