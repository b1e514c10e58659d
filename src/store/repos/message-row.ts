/**
 * The one SQL projection and row mapper for Message, shared by every read that returns messages
 * (chats' last message, pages, context, search), so all of them agree on ids and canonical authors.
 */
import { ROWID_SLOTS } from '../migrations.js';
import { STATUS_BY_RANK, type Message, type MessageDetails } from '../types.js';

/**
 * Columns to select, given aliases `m` (messages), `mc` (the message's chat) and `ml` (lid_mappings
 * joined on the sender, so authors stored as a LID are reported by phone JID once the mapping is known).
 */
export const MESSAGE_COLUMNS = `
  m.id AS m_rowid, mc.jid AS m_chat, m.key_id AS m_key, coalesce(ml.pn, m.sender) AS m_sender,
  m.from_me AS m_from_me, m.ts AS m_ts, m.type AS m_type, m.body AS m_body, m.caption AS m_caption,
  m.has_media AS m_has_media, m.media_mime AS m_mime, m.status AS m_status, m.quoted_id AS m_quoted,
  m.edited_at AS m_edited, m.revoked_at AS m_revoked, m.deleted_at AS m_deleted, m.details AS m_details,
  (SELECT json_group_array(json_array(r.emoji, coalesce(rl.pn, r.sender), r.ts)) FROM message_reactions r
     LEFT JOIN lid_mappings rl ON rl.lid = r.sender
    WHERE r.chat_id = m.chat_id AND r.key_id = m.key_id AND r.emoji <> '') AS m_reactions`;

/*
 * Reactions are read with the message (one primary-key probe of message_reactions per row), so every
 * read that returns messages (pages, context, search, a chat's last message) shows them alike.
 */

/** Joins that `MESSAGE_COLUMNS` needs, after `FROM messages m` (or a join producing `m`). */
export const MESSAGE_JOINS = `
  JOIN chats mc ON mc.id = m.chat_id
  LEFT JOIN lid_mappings ml ON ml.lid = m.sender`;

export interface MessageRow {
  m_rowid: number;
  m_chat: string;
  m_key: string;
  m_sender: string;
  m_from_me: number;
  m_ts: number;
  m_type: string;
  m_body: string | null;
  m_caption: string | null;
  m_has_media: number;
  m_mime: string | null;
  m_status: number | null;
  m_quoted: string | null;
  m_edited: number | null;
  m_revoked: number | null;
  m_deleted: number | null;
  m_details: string | null;
  /** JSON `[[emoji, sender, ts], …]` (removals excluded). */
  m_reactions: string | null;
}

export function rowToMessage(r: MessageRow): Message {
  const msg: Message = {
    id: `${r.m_chat}:${r.m_key}`,
    chatId: r.m_chat,
    from: r.m_sender,
    fromMe: r.m_from_me === 1,
    timestamp: r.m_ts,
    body: r.m_body ?? r.m_caption ?? '',
    type: r.m_type,
    hasMedia: r.m_has_media === 1,
  };
  if (r.m_status !== null) msg.status = STATUS_BY_RANK[r.m_status] ?? 'pending';
  if (r.m_quoted !== null) msg.quotedId = r.m_quoted;
  if (r.m_mime !== null) msg.mediaMime = r.m_mime;
  if (r.m_edited !== null) msg.editedAt = r.m_edited;
  if (r.m_revoked !== null) msg.revokedAt = r.m_revoked;
  if (r.m_deleted !== null && r.m_deleted !== undefined) msg.deletedAt = r.m_deleted;
  if (r.m_details) {
    try {
      msg.details = JSON.parse(r.m_details) as MessageDetails;
    } catch {
      // a malformed value is ignored: details are an addition, never required
    }
  }
  if (r.m_reactions && r.m_reactions !== '[]') {
    const list = JSON.parse(r.m_reactions) as Array<[string, string, number]>;
    msg.reactions = list.sort((a, b) => a[2] - b[2]).map(([emoji, from, time]) => ({ emoji, from, time }));
  }
  return msg;
}

/** Lowest message rowid at or after `ts` (ms). */
export function rowidFloor(ts: number): number {
  return Math.max(0, Math.floor(ts)) * ROWID_SLOTS;
}

/** Highest message rowid at or before `ts` (ms). */
export function rowidCeil(ts: number): number {
  return Math.max(0, Math.floor(ts)) * ROWID_SLOTS + (ROWID_SLOTS - 1);
}

/**
 * Split `<chatJid>:<keyId>` (a normalised chat JID never contains `:` after its `@`). The chat part may
 * also be a phone number (`+44 7911 123456:<keyId>`).
 */
export function splitMessageId(id: string): { chatJid: string; keyId: string } | null {
  const at = id.indexOf('@');
  const colon = at < 0 ? id.lastIndexOf(':') : id.indexOf(':', at);
  if (colon <= 0 || colon === id.length - 1) return null;
  return { chatJid: id.slice(0, colon), keyId: id.slice(colon + 1) };
}
