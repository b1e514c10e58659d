/**
 * Identity repository: LID ↔ phone-number mappings and the canonical id of a person.
 *
 * Canonical id = the phone JID when the mapping is known, otherwise the JID as given (LID or phone).
 * Learning a mapping merges what was stored under the LID (contact row, direct chat and its messages,
 * group memberships) into the phone JID, so each person ends up with one row everywhere.
 */
import type Database from 'better-sqlite3';

import { chatToken, ftsMeta, keyHash } from '../fts.js';
import { jidKind, jidUser, normalizeJid, toJid } from '../identity.js';
import { ftsText, fold } from '../text.js';

/** State shared by the repositories of one open store. */
export interface StoreContext {
  db: Database.Database;
  /** chat JID → chats.id (the hot path of batch ingest). Cleared on chat merges. */
  chatIds: Map<string, number>;
  /** LID → phone JID, for LIDs already looked up (absent mapping cached as the LID itself). */
  canonical: Map<string, string>;
  /** Raw JID string from ingest input → canonical JID. Cleared when a mapping is learned. */
  ingestMemo: Map<string, string>;
  now: () => number;
}

export class IdentityRepo {
  private readonly getPn: Database.Statement<[string], { pn: string }>;
  private readonly getLids: Database.Statement<[string], { lid: string }>;
  private readonly upsertMap: Database.Statement<[string, string, number]>;

  constructor(private readonly ctx: StoreContext) {
    const db = ctx.db;
    this.getPn = db.prepare('SELECT pn FROM lid_mappings WHERE lid = ?');
    this.getLids = db.prepare('SELECT lid FROM lid_mappings WHERE pn = ?');
    this.upsertMap = db.prepare(
      `INSERT INTO lid_mappings (lid, pn, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (lid) DO UPDATE SET pn = excluded.pn, updated_at = excluded.updated_at`,
    );
  }

  /**
   * Canonical id for any JID, LID or phone number (`+44 7911 123456`, `447911123456`, `…@s.whatsapp.net`,
   * `…@lid`, device JIDs). Returns `null` when the input is not an address at all.
   */
  resolve(input: string): string | null {
    const jid = toJid(input);
    return jid === null ? null : this.canonical(jid);
  }

  /** Canonical id of a normalised JID: a LID with a known phone mapping becomes the phone JID. */
  canonical(jid: string): string {
    if (jidKind(jid) !== 'lid') return jid;
    const cached = this.ctx.canonical.get(jid);
    if (cached !== undefined) return cached;
    const row = this.getPn.get(jid);
    const out = row ? row.pn : jid;
    this.ctx.canonical.set(jid, out);
    return out;
  }

  /** Every JID known for the person behind `jid` (canonical first), e.g. `[pn, lid]`. */
  aliases(jid: string): string[] {
    const canon = this.canonical(jid);
    const out = [canon];
    if (jidKind(canon) === 'pn') for (const r of this.getLids.all(canon)) out.push(r.lid);
    if (!out.includes(jid)) out.push(jid);
    return out;
  }

  /** The LID of a phone JID, when known. */
  lidFor(pnJid: string): string | null {
    return this.getLids.get(pnJid)?.lid ?? null;
  }

  /**
   * Record that `lid` and `pn` are the same person and merge LID-keyed rows into the phone JID.
   * Idempotent; runs in one transaction. Returns false when the inputs are not a LID and a phone JID.
   */
  link(lidInput: string, pnInput: string): boolean {
    const lid = normalizeJid(lidInput);
    const pn = normalizeJid(pnInput);
    if (lid === null || pn === null || jidKind(lid) !== 'lid' || jidKind(pn) !== 'pn') return false;
    const known = this.getPn.get(lid);
    if (known?.pn === pn && this.ctx.canonical.get(lid) === pn) return true;
    this.ctx.db.transaction(() => {
      this.upsertMap.run(lid, pn, this.ctx.now());
      this.ctx.canonical.set(lid, pn);
      this.ctx.ingestMemo.clear();
      this.mergeContact(lid, pn);
      this.mergeChat(lid, pn);
      this.ctx.db
        .prepare(
          `UPDATE OR REPLACE group_participants SET jid = ? WHERE jid = ?`,
        )
        .run(pn, lid);
    })();
    return true;
  }

  private mergeContact(lid: string, pn: string): void {
    const db = this.ctx.db;
    type Row = { id: number; name: string | null; pushname: string | null; verified_name: string | null; is_my_contact: number };
    const lidRow = db.prepare('SELECT id, name, pushname, verified_name, is_my_contact FROM contacts WHERE jid = ? OR lid = ?').get(lid, lid) as Row | undefined;
    const pnRow = db.prepare('SELECT id, name, pushname, verified_name, is_my_contact FROM contacts WHERE jid = ?').get(pn) as Row | undefined;
    const phone = jidUser(pn);
    if (lidRow && pnRow && lidRow.id !== pnRow.id) {
      db.prepare('DELETE FROM contacts WHERE id = ?').run(lidRow.id);
      const name = pnRow.name ?? lidRow.name;
      const pushname = pnRow.pushname ?? lidRow.pushname;
      const verified = pnRow.verified_name ?? lidRow.verified_name;
      db.prepare(
        `UPDATE contacts SET lid = ?, phone = ?, name = ?, pushname = ?, verified_name = ?,
           is_my_contact = max(is_my_contact, ?), search_text = ?, updated_at = ? WHERE id = ?`,
      ).run(lid, phone, name, pushname, verified, lidRow.is_my_contact, searchText(name, pushname, verified), this.ctx.now(), pnRow.id);
    } else if (lidRow && !pnRow) {
      db.prepare('UPDATE contacts SET jid = ?, lid = ?, phone = ?, updated_at = ? WHERE id = ?').run(pn, lid, phone, this.ctx.now(), lidRow.id);
    } else if (pnRow) {
      db.prepare('UPDATE OR IGNORE contacts SET lid = ?, phone = ? WHERE id = ?').run(lid, phone, pnRow.id);
    }
  }

  private mergeChat(lid: string, pn: string): void {
    const db = this.ctx.db;
    const idOf = db.prepare('SELECT id FROM chats WHERE jid = ?');
    const lidChat = (idOf.get(lid) as { id: number } | undefined)?.id;
    if (lidChat === undefined) return;
    const pnChat = (idOf.get(pn) as { id: number } | undefined)?.id;
    this.ctx.chatIds.clear();
    if (pnChat === undefined) {
      db.prepare('UPDATE chats SET jid = ? WHERE id = ?').run(pn, lidChat);
      return;
    }
    // Both exist: move the LID chat's messages (dropping those already stored under the phone chat)
    // and re-index them under the phone chat's token. The chat's messages are found through its FTS
    // token (there is no chat_id index, see migrations.ts).
    type MsgRow = { id: number; key_id: string; ts: number; body: string | null; caption: string | null; sender: string };
    const moved = db
      .prepare(
        `SELECT id, key_id, ts, body, caption, sender FROM messages
          WHERE id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?) AND chat_id = ?`,
      )
      .all(`meta : "${chatToken(lidChat)}"`, lidChat) as MsgRow[];
    // Same (chat, key id) whatever the timestamp: the key hash table, re-checked on the row.
    const dup = db.prepare('SELECT 1 FROM message_keys k JOIN messages m ON m.id = k.id WHERE k.hash = ? AND m.chat_id = ? AND m.key_id = ?');
    const delKey = db.prepare('DELETE FROM message_keys WHERE hash = ? AND id = ?');
    const delFts = db.prepare('DELETE FROM messages_fts WHERE rowid = ?');
    const insFts = db.prepare('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
    const delMsg = db.prepare('DELETE FROM messages WHERE id = ?');
    const moveMsg = db.prepare('UPDATE messages SET chat_id = ? WHERE id = ?');
    let dropped = 0;
    for (const m of moved) {
      delFts.run(m.id);
      const hash = keyHash(m.key_id);
      if (dup.get(hash, pnChat, m.key_id)) {
        delMsg.run(m.id);
        delKey.run(hash, m.id);
        dropped++;
      } else {
        moveMsg.run(pnChat, m.id);
        insFts.run(m.id, ftsText(m.body, m.caption), ftsMeta(pnChat, m.sender));
      }
    }
    const newest = db
      .prepare('SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1')
      .get(`meta : "${chatToken(pnChat)}"`) as { id: number } | undefined;
    db.prepare(
      `UPDATE chats SET
         name = coalesce(name, (SELECT name FROM chats WHERE id = @lid)),
         -- One conversation seen under two ids: the same messages may be counted in both rows, so the
         -- larger count stands (a sum would double them) and the later read marker.
         unread_count = max(unread_count, (SELECT unread_count FROM chats WHERE id = @lid)),
         read_upto = max(read_upto, (SELECT read_upto FROM chats WHERE id = @lid)),
         last_ts = max(last_ts, (SELECT last_ts FROM chats WHERE id = @lid)),
         last_message_id = @newest
       WHERE id = @pn`,
    ).run({ lid: lidChat, pn: pnChat, newest: newest?.id ?? null });
    // Reactions and poll votes (#14) are keyed by chat row: they follow the messages (a pair already under the phone chat wins).
    for (const table of ['message_reactions', 'poll_votes']) {
      db.prepare(`UPDATE OR IGNORE ${table} SET chat_id = ? WHERE chat_id = ?`).run(pnChat, lidChat);
      db.prepare(`DELETE FROM ${table} WHERE chat_id = ?`).run(lidChat);
    }
    db.prepare('DELETE FROM chats WHERE id = ?').run(lidChat);
    if (dropped > 0) db.prepare(`UPDATE counters SET value = value - ? WHERE name = 'messages'`).run(dropped);
  }
}

/** Folded `name \u0001 pushname \u0001 verified name` that contact search matches against. */
export function searchText(name: string | null, pushname: string | null, verified: string | null): string {
  return [name, pushname, verified].map((s) => (s ? fold(s) : '')).join('\u0001');
}
