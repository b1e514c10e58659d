/**
 * Migration 6: reactions, poll votes, edits, revokes and structured kinds of inbound messages (issue #14).
 *
 * - `message_reactions`: one row per (target message, reactor), keyed by the target's chat and key id so a
 *   reaction that arrives before its target (history order) still attaches when the target comes. A removal
 *   is kept as `emoji = ''` (a tombstone): an older re-delivery of the reaction must not bring it back.
 * - `poll_votes`: a voter's newest vote on a poll, keyed the same way; the vote stays encrypted (`raw` is the
 *   vote's WebMessageInfo) and is decrypted when read, with the poll's stored message secret.
 * - `messages.details`: structured fields (JSON) of locations, contact cards, polls and system notices.
 * - `messages.deleted_at`: "delete for me" on this account (a revoke keeps using `revoked_at`).
 * These tables are only written by reactions and votes, so plain ingest pays nothing for them.
 *
 * Rows written by earlier versions: standalone `reaction` messages move into `message_reactions` (and leave the
 * messages table, so they stop being anyone's last message); revoked messages leave the search index.
 * Stored `poll-vote` rows stay (their poll id is inside the proto) and are still counted by get_poll_results.
 */
import type Database from 'better-sqlite3';

import { chatToken, ftsMeta } from '../fts.js';

export const NAME = 'reactions, poll votes, edits, revokes and structured kinds of inbound messages (issue #14)';

export function up(db: Database.Database): void {
  db.exec(`
    CREATE TABLE message_reactions (
      chat_id INTEGER NOT NULL,
      key_id  TEXT NOT NULL,      -- the target message's WhatsApp key id
      sender  TEXT NOT NULL,      -- canonical reactor JID ('me' when our own JID was unknown)
      emoji   TEXT NOT NULL,      -- '' = removed
      ts      INTEGER NOT NULL,   -- sender timestamp (ms): the newest reaction of a sender wins
      PRIMARY KEY (chat_id, key_id, sender)
    ) WITHOUT ROWID;

    CREATE TABLE poll_votes (
      chat_id     INTEGER NOT NULL,
      poll_key_id TEXT NOT NULL,
      voter       TEXT NOT NULL,
      from_me     INTEGER NOT NULL,
      ts          INTEGER NOT NULL,
      raw         BLOB NOT NULL,
      PRIMARY KEY (chat_id, poll_key_id, voter)
    ) WITHOUT ROWID;

    ALTER TABLE messages ADD COLUMN details TEXT;
    ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
  `);

  // Standalone reaction rows → reactions on their targets (quoted_id is '<chatJid>:<targetKeyId>').
  const rows = db
    .prepare(
      `SELECT m.id, m.chat_id, c.jid AS chat, m.sender, m.body, m.ts, m.quoted_id FROM messages m JOIN chats c ON c.id = m.chat_id
        WHERE m.type = 'reaction'`,
    )
    .all() as Array<{ id: number; chat_id: number; chat: string; sender: string; body: string | null; ts: number; quoted_id: string | null }>;
  const put = db.prepare(
    `INSERT INTO message_reactions (chat_id, key_id, sender, emoji, ts) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (chat_id, key_id, sender) DO UPDATE SET emoji = excluded.emoji, ts = excluded.ts WHERE excluded.ts >= ts`,
  );
  const drop = db.prepare('DELETE FROM messages WHERE id = ?');
  const dropFts = db.prepare('DELETE FROM messages_fts WHERE rowid = ?');
  const dropKey = db.prepare('DELETE FROM message_keys WHERE id = ?');
  const touched = new Set<number>();
  for (const r of rows) {
    const target = r.quoted_id?.startsWith(`${r.chat}:`) ? r.quoted_id.slice(r.chat.length + 1) : r.quoted_id;
    if (target) put.run(r.chat_id, target, r.sender, r.body ?? '', r.ts);
    drop.run(r.id);
    dropFts.run(r.id);
    dropKey.run(r.id);
    touched.add(r.chat_id);
  }
  if (rows.length > 0) {
    db.prepare(`UPDATE counters SET value = max(0, value - ?) WHERE name = 'messages'`).run(rows.length);
    // A chat's newest message through its FTS doclist (messages has no chat index, see migration 1).
    const newest = db.prepare('SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1');
    const fix = db.prepare('UPDATE chats SET last_message_id = ? WHERE id = ? AND (last_message_id IS NULL OR last_message_id NOT IN (SELECT id FROM messages))');
    for (const chat of touched) fix.run((newest.get(`meta : "${chatToken(chat)}"`) as { id: number } | undefined)?.id ?? null, chat);
  }

  // Revoked messages: their text leaves the search index (the chat/author tokens stay, for pages).
  const revoked = db.prepare('SELECT id, chat_id, sender FROM messages WHERE revoked_at IS NOT NULL').all() as Array<{ id: number; chat_id: number; sender: string }>;
  if (revoked.length > 0) {
    const ins = db.prepare('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
    for (const r of revoked) {
      dropFts.run(r.id);
      ins.run(r.id, '', ftsMeta(r.chat_id, r.sender));
    }
  }
}
