/**
 * Messages repository: batch ingest, pages, context, status/edit/revoke updates and full-text search.
 *
 * Row ids encode time: `id = timestamp_ms * 1024 + slot` (slots of one timestamp in arrival order, probed on
 * collision). Consequences used throughout:
 * - the id is the chronological order and a unique keyset cursor (`before`, `nextCursor`);
 * - a message is one (chat, key id): a re-delivery is found by probing the ≤ 1024 ids of its timestamp,
 *   and, when that misses, in `message_keys` (key hash → rowid, a narrow integer b-tree);
 * - the FTS index (rowid = messages.id) is the only secondary index (see migrations.ts): a chat's
 *   messages are the doclist of its `c<id>` token, newest-first for free (`ORDER BY rowid DESC`), and
 *   time-range filters become rowid ranges.
 */
import type Database from 'better-sqlite3';

import { type NumberedStatement, prepareNumbered } from '../sql.js';
import { InvalidCursorError, clampLimit, decodeCursor, encodeCursor } from '../cursor.js';
import { chatToken, ftsMeta, keyHash, senderToken } from '../fts.js';
import type { IndexMaintenance } from './index-maintenance.js';
import { jidKind, normalizeJid } from '../identity.js';
import { ROWID_SLOTS } from '../migrations.js';
import { type QueryPiece, type QueryTerm, ftsText, highlight, parseQuery, pieceStats } from '../text.js';
import {
  STATUS_RANK,
  type Message,
  type MessageContext,
  type MessageInput,
  type MessageStatus,
  type Page,
  type PollVoteInput,
  type ReactionInput,
  type SearchHit,
  type StoredPollVote,
  type SearchOptions,
  type SearchResult,
} from '../types.js';
import { NOT_UNREAD_TYPES, type ChatsRepo } from './chats.js';
import type { IdentityRepo, StoreContext } from './identity.js';
import { MESSAGE_COLUMNS, MESSAGE_JOINS, type MessageRow, rowToMessage, rowidCeil, rowidFloor, splitMessageId } from './message-row.js';

export interface IngestResult {
  inserted: number;
  updated: number;
  /** Inputs skipped because the chat id or key id was unusable. */
  skipped: number;
}

export interface ListMessagesOptions {
  /** 1–500, default 50. */
  limit?: number;
  /** Only messages strictly older than this timestamp (ms). */
  before?: number;
  /** `nextCursor` of the previous (newer) page. */
  cursor?: string;
  /** Only messages at or after this timestamp (ms). */
  after?: number;
  /** Only messages by this author (canonical JID / LID / phone; every alias counts), or `'me'`. */
  from?: string;
  /** Only messages matching this search query (same syntax as `search`), in time order. */
  query?: string;
  /** Only messages not sent by us. */
  onlyIncoming?: boolean;
}

export interface MessagesRepoOptions {
  /**
   * How many of the newest FTS matches `search` re-ranks with BM25 (default 200; half for phrases and
   * multi-word queries). Larger = closer to "best match over all time" for very frequent words, and
   * slower for them; rarer queries (fewer matches than the window) are always ranked over all matches.
   */
  searchCandidates?: number;
}

interface ExistingRow {
  id: number;
  body: string | null;
  caption: string | null;
  sender: string;
  status: number | null;
  ts: number;
}


interface SearchPlan {
  expr: string;
  lo: number;
  hi: number;
  terms: QueryTerm[];
  pieces: QueryPiece[];
  /** More than one text token must co-occur (phrase or several words). */
  conjunction: boolean;
  /** Chat, author or time filters narrow the candidate walk (so it says nothing about global IDF). */
  filtered: boolean;
}

/** How many newest matches of a query piece are walked to estimate its document frequency. */
const DF_WINDOW = 200;

/**
 * The search syntax on top of text.ts's safe word/phrase/prefix parsing: `OR` between words or phrases
 * makes alternatives (AND binds tighter: `a b OR c` is `(a b) OR c`), `-word` / `-"a phrase"` excludes.
 * Everything else stays plain text (never FTS5 syntax). `null` when nothing positive is searchable.
 */
export function textMatch(query: string): { expr: string; terms: QueryTerm[]; pieces: QueryPiece[]; tokens: number } | null {
  const groups: string[][] = [[]];
  const excluded: string[] = [];
  for (const m of query.matchAll(/-?"[^"]*"?|\S+/g)) {
    const tok = m[0];
    if (tok === 'OR') {
      if (groups[groups.length - 1]!.length > 0) groups.push([]);
    } else if (tok.length > 1 && tok.startsWith('-')) excluded.push(tok.slice(1));
    else groups[groups.length - 1]!.push(tok);
  }
  const alternatives = groups.filter((g) => g.length > 0).map((g) => parseQuery(g.join(' ')));
  const positive = alternatives.filter((p) => p.match !== null);
  if (positive.length === 0) return null;
  const text = positive.length === 1 ? positive[0]!.match! : positive.map((p) => `(${p.match})`).join(' OR ');
  const negative = excluded.map((x) => parseQuery(x).match).filter((x): x is string => x !== null);
  const expr = negative.length > 0 ? `(text : (${text}) NOT text : (${negative.map((n) => `(${n})`).join(' OR ')}))` : `text : (${text})`;
  return {
    expr,
    terms: positive.flatMap((p) => p.terms),
    pieces: positive.flatMap((p) => p.pieces),
    tokens: Math.max(...positive.map((p) => p.tokens)),
  };
}

/** Message types WhatsApp counts as unread (content, not bookkeeping or reactions). */
const NOT_UNREAD = new Set(NOT_UNREAD_TYPES);
export function countsAsUnread(type: string): boolean {
  return !NOT_UNREAD.has(type);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}


/**
 * SQL condition: `next` (a STATUS_RANK parameter) moves the stored status forward. Statuses only move
 * forward (`pending → sent → delivered → read → played`); `error` (0) only replaces `pending` (rank ≤ 1).
 */
function advancesStatus(next: string): string {
  return `(status IS NULL OR ${next} > status OR (${next} = 0 AND status <= 1))`;
}

const MAX_TS = Math.floor(Number.MAX_SAFE_INTEGER / ROWID_SLOTS) - 1;

export class MessagesRepo {
  private readonly findExisting: Database.Statement<[number, number, number, string], ExistingRow>;
  private readonly topOfTs: Database.Statement<[number, number], { id: number | null }>;
  private readonly movedKey: Database.Statement<[number, number, string], ExistingRow>;
  private readonly insertKey: Database.Statement<[number, number]>;
  private readonly insertMsg: Database.Statement<unknown[]>;
  private readonly mergeMsg: NumberedStatement;
  private readonly insertFts: Database.Statement<[number, string, string]>;
  private readonly deleteFts: Database.Statement<[number]>;
  private readonly bumpChat: Database.Statement<[number, number, number, number]>;
  private readonly readUpto: Database.Statement<[number], { read_upto: number }>;
  private readonly addUnread: Database.Statement<[number, number]>;
  private readonly bumpCounters: NumberedStatement;
  private readonly byKey: Database.Statement<[number, number, string], MessageRow>;
  private readonly pageStmt: Database.Statement<[string, number, number], MessageRow>;
  private readonly afterStmt: Database.Statement<[string, number, number], MessageRow>;
  private readonly rangeStmt: Database.Statement<[string, number, number, number], MessageRow>;
  private readonly rangeAscStmt: Database.Statement<[string, number, number, number], MessageRow>;
  private readonly byIds: Database.Statement<[string], MessageRow>;
  private readonly byRowid: Database.Statement<[number], MessageRow>;
  private readonly candidatesStmt: Database.Statement<[string, number, number, number], { id: number }>;
  private readonly dfStmt: Database.Statement<[string, number], { id: number }>;
  private readonly textsStmt: Database.Statement<[string], { id: number; body: string | null; caption: string | null }>;
  private readonly corpusStmt: Database.Statement<[], { n: number; lo: number | null; hi: number | null }>;
  private readonly countStmt: Database.Statement<[string, number, number], { n: number }>;
  private readonly lastBySender: Database.Statement<[string], { id: number }>;
  private readonly setStatus: NumberedStatement;
  private readonly lastOfChat: Database.Statement<[string], { id: number | null }>;
  private readonly rawStmt: Database.Statement<[number], { raw: Buffer | null }>;
  private readonly mediaPending: Database.Statement<[string, number, number], { id: string }>;
  private readonly putReaction: Database.Statement<[number, string, string, string, number]>;
  private readonly putVote: Database.Statement<[number, string, string, number, number, Buffer]>;
  private readonly votesStmt: Database.Statement<[number, string], { voter: string; from_me: number; ts: number; raw: Buffer }>;
  private readonly searchCandidates: number;

  constructor(
    private readonly ctx: StoreContext,
    private readonly identity: IdentityRepo,
    private readonly chats: ChatsRepo,
    private readonly maintenance: IndexMaintenance,
    opts: MessagesRepoOptions = {},
  ) {
    const db = ctx.db;
    this.searchCandidates = Math.max(20, opts.searchCandidates ?? 200);
    // A message is identified by (chat, key id); its rowid is derived from the timestamp, so a re-delivery
    // with the same timestamp is found by a rowid range probe (at most 1024 slots, usually one row), and
    // one with another timestamp through `message_keys` (migration 4), instead of a
    // (chat_id, key_id) index — see the messages table in migrations.ts for why there is no such index.
    // WhatsApp usually keeps a message's timestamp across history sync, live delivery and own-send echoes.
    this.findExisting = db.prepare(
      'SELECT id, body, caption, sender, status, ts FROM messages WHERE id BETWEEN ? AND ? AND chat_id = ? AND key_id = ?',
    );
    this.topOfTs = db.prepare('SELECT max(id) AS id FROM messages WHERE id BETWEEN ? AND ?');
    this.movedKey = db.prepare(
      `SELECT m.id, m.body, m.caption, m.sender, m.status, m.ts FROM message_keys k JOIN messages m ON m.id = k.id
        WHERE k.hash = ? AND m.chat_id = ? AND m.key_id = ? LIMIT 1`,
    );
    // New keys go to the small table; `IndexMaintenance` moves them into the big one (migration 9).
    this.insertKey = db.prepare('INSERT INTO message_keys_recent (hash, id) VALUES (?, ?)');
    // OR IGNORE: the only conflict left after findExisting is a rowid slot collision, probed by the caller.
    this.insertMsg = db.prepare(
      `INSERT OR IGNORE INTO messages
         (id, chat_id, key_id, sender, from_me, ts, type, body, caption, has_media, media_mime, status, quoted_id, raw, details)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Re-delivery of a known message (history sync overlap, own echo): fill gaps, never blank or downgrade.
    this.mergeMsg = prepareNumbered(
      db,
      `UPDATE messages SET
         body = coalesce(body, ?2), caption = coalesce(caption, ?3),
         type = CASE WHEN ?4 IS NULL OR ?4 = 'unknown' THEN type ELSE ?4 END,
         has_media = max(has_media, ?5), media_mime = coalesce(media_mime, ?6),
         status = CASE WHEN ?7 IS NOT NULL AND ${advancesStatus('?7')} THEN ?7 ELSE status END,
         quoted_id = coalesce(quoted_id, ?8), raw = coalesce(?9, raw), details = coalesce(?10, details)
       WHERE id = ?1`,
    );
    this.insertFts = db.prepare('INSERT INTO messages_fts (rowid, text, meta) VALUES (?, ?, ?)');
    this.deleteFts = db.prepare('DELETE FROM messages_fts WHERE rowid = ?');
    // Positional parameters (bound as ts, id, id, chat): this runs once per touched chat per batch.
    this.bumpChat = db.prepare(
      `UPDATE chats SET last_ts = max(last_ts, ?),
         last_message_id = CASE WHEN last_message_id IS NULL OR ? > last_message_id THEN ? ELSE last_message_id END
       WHERE id = ?`,
    );
    this.readUpto = db.prepare('SELECT read_upto FROM chats WHERE id = ?');
    this.addUnread = db.prepare('UPDATE chats SET unread_count = unread_count + ? WHERE id = ?');
    this.bumpCounters = prepareNumbered(
      db,
      `UPDATE counters SET value = CASE name WHEN 'messages' THEN value + ?1 ELSE max(value, ?2) END
        WHERE name IN ('messages', 'last_message_ts')`,
    );
    // Message by key: its key hash in message_keys, re-checked on the row.
    this.byKey = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM message_keys k JOIN messages m ON m.id = k.id ${MESSAGE_JOINS}
        WHERE k.hash = ? AND m.chat_id = ? AND m.key_id = ? ORDER BY m.id LIMIT 1`,
    );
    this.byRowid = db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS} WHERE m.id = ?`);
    // A chat's messages in time order: the chat token's doclist, walked from the cursor.
    this.pageStmt = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS}
        WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?)
        ORDER BY m.id DESC`,
    );
    this.rangeStmt = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS}
        WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid < ? AND rowid >= ? ORDER BY rowid DESC LIMIT ?)
        ORDER BY m.id DESC`,
    );
    this.rangeAscStmt = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS}
        WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rowid ASC LIMIT ?)
        ORDER BY m.id ASC`,
    );
    this.afterStmt = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS}
        WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid > ? ORDER BY rowid ASC LIMIT ?)
        ORDER BY m.id ASC`,
    );
    this.byIds = db.prepare(
      `SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS} WHERE m.id IN (SELECT value FROM json_each(?))`,
    );
    this.candidatesStmt = db.prepare(
      `SELECT rowid AS id FROM messages_fts
        WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?`,
    );
    this.textsStmt = db.prepare('SELECT id, body, caption FROM messages WHERE id IN (SELECT value FROM json_each(?))');
    this.dfStmt = db.prepare('SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?');
    this.corpusStmt = db.prepare(
      `SELECT (SELECT value FROM counters WHERE name = 'messages') AS n,
              (SELECT min(id) FROM messages) AS lo, (SELECT max(id) FROM messages) AS hi`,
    );
    this.countStmt = db.prepare('SELECT count(*) AS n FROM messages_fts WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ?');
    this.lastBySender = db.prepare('SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT 1');
    this.setStatus = prepareNumbered(
      db,
      `UPDATE messages SET status = ?1 WHERE id = ?2 AND ${advancesStatus('?1')}`,
    );
    this.lastOfChat = db.prepare('SELECT last_message_id AS id FROM chats WHERE jid = ?');
    this.rawStmt = db.prepare('SELECT raw FROM messages WHERE id = ?');
    // Newest per person wins; an equal timestamp is a re-delivery (the same reaction), applied again harmlessly.
    this.putReaction = db.prepare(
      `INSERT INTO message_reactions (chat_id, key_id, sender, emoji, ts) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (chat_id, key_id, sender) DO UPDATE SET emoji = excluded.emoji, ts = excluded.ts WHERE excluded.ts >= ts`,
    );
    this.putVote = db.prepare(
      `INSERT INTO poll_votes (chat_id, poll_key_id, voter, from_me, ts, raw) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (chat_id, poll_key_id, voter) DO UPDATE SET from_me = excluded.from_me, ts = excluded.ts, raw = excluded.raw WHERE excluded.ts >= ts`,
    );
    this.votesStmt = db.prepare(
      `SELECT coalesce(l.pn, v.voter) AS voter, v.from_me, v.ts, v.raw FROM poll_votes v LEFT JOIN lid_mappings l ON l.lid = v.voter
        WHERE v.chat_id = ? AND v.poll_key_id = ? ORDER BY v.ts`,
    );
    // Recent messages only (a rowid range from `since`): the newest first, to take the freshest `limit`.
    this.mediaPending = db.prepare(
      `SELECT c.jid || ':' || m.key_id AS id FROM messages m JOIN chats c ON c.id = m.chat_id
        WHERE c.jid = ? AND m.has_media = 1 AND m.id >= ?
          AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.message_id = c.jid || ':' || m.key_id)
        ORDER BY m.id DESC LIMIT ?`,
    );
  }

  /**
   * Insert or merge a batch in ONE transaction (history-sync bursts arrive as batches). A crash mid-batch
   * leaves none of it. Known messages are merged without downgrading (see `mergeMsg`); new ones are
   * indexed for search; each touched chat's last message / timestamp and the counters are updated once
   * per batch.
   */
  upsertMessages(inputs: readonly MessageInput[]): IngestResult {
    return this.ctx.db.transaction(() => this.ingest(inputs)).immediate();
  }

  private ingest(inputs: readonly MessageInput[]): IngestResult {
    let inserted = 0;
    let updated = 0;
    let skipped = 0;
    let newestTs = 0;
    const chatLast = new Map<number, { id: number; ts: number }>();
    // Inserted incoming messages with content, per chat: they count as unread above the chat's read marker.
    const incoming = new Map<number, number[]>();
    for (const input of inputs) {
      const chat = input.keyId ? this.chatOf(input.chatId) : null;
      if (chat === null) {
        skipped++;
        continue;
      }
      const { jid: chatJid, id: chatId } = chat;
      const ts = Math.min(MAX_TS, Math.max(0, Math.floor(input.timestamp)));
      const base = ts * ROWID_SLOTS;
      const hash = keyHash(input.keyId);
      // A re-delivery usually keeps its timestamp (history sync, live delivery and own-send echoes agree),
      // so the rowid range probe of that timestamp finds it; message_keys finds one stored under another.
      const existing =
        this.findExisting.get(base, base + ROWID_SLOTS - 1, chatId, input.keyId) ?? this.movedKey.get(hash, chatId, input.keyId);
      const sender = this.senderOf(input, chatJid);
      const status = input.status ? STATUS_RANK[input.status] : null;
      const quoted = input.quotedId ? (input.quotedId.includes('@') ? input.quotedId : `${chatJid}:${input.quotedId}`) : null;
      const body = input.body || null;
      const caption = input.caption || null;
      const raw = input.raw ? Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength) : null;
      const details = input.details ? JSON.stringify(input.details) : null;
      let rowid: number;
      let rowTs = ts;
      if (existing) {
        rowid = existing.id;
        rowTs = existing.ts;
        this.mergeMsg.run(rowid, body, caption, input.type || null, input.hasMedia ? 1 : 0, input.mediaMime ?? null, status, quoted, raw, details);
        if ((existing.body === null && body !== null) || (existing.caption === null && caption !== null)) {
          this.deleteFts.run(rowid);
          this.insertFts.run(rowid, ftsText(existing.body ?? body, existing.caption ?? caption), ftsMeta(chatId, existing.sender));
        }
        updated++;
      } else {
        // Slots in arrival order: messages of the same timestamp (WhatsApp's are whole seconds) keep the
        // order they arrived in; a full timestamp falls back to probing from the key's hash.
        const top = this.topOfTs.get(base, base + ROWID_SLOTS - 1)?.id;
        let slot = top === null || top === undefined ? 0 : top - base + 1;
        if (slot >= ROWID_SLOTS) slot = fnv1a(input.keyId) % ROWID_SLOTS;
        let tries = 0;
        for (;;) {
          rowid = base + slot;
          const r = this.insertMsg.run(
            rowid,
            chatId,
            input.keyId,
            sender,
            input.fromMe ? 1 : 0,
            ts,
            input.type || 'unknown',
            body,
            caption,
            input.hasMedia ? 1 : 0,
            input.mediaMime ?? null,
            status,
            quoted,
            raw,
            details,
          );
          if (r.changes === 1) break;
          if (++tries >= ROWID_SLOTS) throw new Error(`more than ${ROWID_SLOTS} messages stored with timestamp ${ts}`);
          slot = (slot + 1) % ROWID_SLOTS;
        }
        this.insertFts.run(rowid, ftsText(body, caption), ftsMeta(chatId, sender));
        this.insertKey.run(hash, rowid);
        if (!input.fromMe && countsAsUnread(input.type)) {
          const list = incoming.get(chatId);
          if (list) list.push(rowid);
          else incoming.set(chatId, [rowid]);
        }
        inserted++;
        if (ts > newestTs) newestTs = ts;
      }
      const cur = chatLast.get(chatId);
      if (!cur || rowid > cur.id) chatLast.set(chatId, { id: rowid, ts: rowTs });
    }
    for (const [chatId, last] of chatLast) this.bumpChat.run(last.ts, last.id, last.id, chatId);
    for (const [chatId, rowids] of incoming) {
      const marker = this.readUpto.get(chatId)?.read_upto ?? 0;
      const n = rowids.filter((id) => id > marker).length;
      if (n > 0) this.addUnread.run(n, chatId);
    }
    if (inserted > 0) {
      this.bumpCounters.run(inserted, newestTs);
      this.maintenance.noteNewKeys(inserted);
    }
    return { inserted, updated, skipped };
  }

  /** Input chat id → canonical chat JID + chats.id, memoised (cleared whenever identities merge). */
  private chatOf(input: string): { jid: string; id: number } | null {
    const memo = this.ctx.ingestMemo.get(input);
    if (memo !== undefined) return { jid: memo, id: this.chats.ensureId(memo) };
    const n = normalizeJid(input);
    if (n === null) return null;
    const jid = this.identity.canonical(n);
    this.ctx.ingestMemo.set(input, jid);
    return { jid, id: this.chats.ensureId(jid) };
  }

  private senderOf(input: MessageInput, chatJid: string): string {
    if (input.from) {
      const memo = this.ctx.ingestMemo.get(input.from);
      if (memo !== undefined) return memo;
      const n = normalizeJid(input.from);
      if (n !== null) {
        const canon = this.identity.canonical(n);
        this.ctx.ingestMemo.set(input.from, canon);
        return canon;
      }
      if (input.from === 'me') return 'me';
    }
    if (input.fromMe) return 'me';
    return chatJid;
  }

  /**
   * What reading a chat up to a message (default: its newest) covers: the incoming messages with content
   * above the read marker (for read receipts) and the opaque marker to pass to `chats.markRead`.
   * `null` when the chat or the message is unknown.
   */
  unreadUpTo(chatIdOrPhone: string, upToMessageId?: string): { marker: number; messages: Array<{ keyId: string; sender: string }> } | null {
    const chatId = this.chats.findId(chatIdOrPhone);
    if (chatId === undefined) return null;
    let upto: number | undefined;
    if (upToMessageId !== undefined) {
      const row = this.rowOf(upToMessageId);
      if (!row || this.chats.findId(row.m_chat) !== chatId) return null;
      upto = row.m_rowid;
    }
    const msgs = this.chats.unreadMessages(chatIdOrPhone, upto);
    const last = this.ctx.db.prepare('SELECT last_message_id AS id FROM chats WHERE id = ?').get(chatId) as { id: number | null };
    return { marker: upto ?? last.id ?? 0, messages: msgs.map((m) => ({ keyId: m.keyId, sender: m.sender })) };
  }

  /** Chat JIDs (at most 5) holding a message with this WhatsApp key id (outputs show bare key ids). */
  chatsWithKey(keyId: string): string[] {
    return (
      this.ctx.db
        .prepare(
          `SELECT DISTINCT mc.jid AS jid FROM message_keys k JOIN messages m ON m.id = k.id JOIN chats mc ON mc.id = m.chat_id
            WHERE k.hash = ? AND m.key_id = ? LIMIT 5`,
        )
        .all(keyHash(keyId), keyId) as Array<{ jid: string }>
    ).map((r) => r.jid);
  }

  /** Message by `<chatJid>:<keyId>` (the chat part may be a LID or phone in any format). */
  get(messageId: string): Message | null {
    const row = this.rowOf(messageId);
    return row ? rowToMessage(row) : null;
  }

  /**
   * Arrival order of a stored message (its rowid: time, then arrival within the same timestamp, across
   * chats), for orderings that must be stable within one second; null when it is not stored.
   */
  arrivalOf(messageId: string): number | null {
    return this.rowOf(messageId)?.m_rowid ?? null;
  }

  private rowOf(messageId: string): MessageRow | undefined {
    const parts = splitMessageId(messageId);
    if (!parts) return undefined;
    const chatId = this.chats.findId(parts.chatJid);
    if (chatId === undefined) return undefined;
    return this.byKey.get(keyHash(parts.keyId), chatId, parts.keyId);
  }

  /** The raw WAMessage proto bytes stored for a message, or `null`. */
  getRaw(messageId: string): Uint8Array | null {
    const row = this.rowOf(messageId);
    const raw = row ? this.rawStmt.get(row.m_rowid)?.raw : null;
    return raw ? new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength) : null;
  }

  /**
   * A chronological page of a chat: the `limit` newest messages older than the cursor / `before`,
   * oldest first. `nextCursor` continues towards older messages; new arrivals never shift pages.
   */
  list(chatIdOrPhone: string, opts: ListMessagesOptions = {}): Page<Message> & { newerCursor?: string } {
    const limit = clampLimit(opts.limit, 50);
    const chatId = this.chats.findId(chatIdOrPhone);
    if (chatId === undefined) return { items: [] };
    // Two cursor kinds: [rowid] continues towards older messages, [rowid, 1] towards newer ones.
    let upper = Number.MAX_SAFE_INTEGER;
    let lower = opts.after !== undefined ? rowidFloor(opts.after) : 0;
    let forward = false;
    if (opts.cursor !== undefined) {
      const older = decodeCursor(opts.cursor, ['number']);
      const newer = older === null ? decodeCursor(opts.cursor, ['number', 'number']) : null;
      if (older !== null) upper = older[0] as number;
      else if (newer !== null && newer[1] === 1) {
        lower = Math.max(lower, (newer[0] as number) + 1);
        forward = true;
      } else throw new InvalidCursorError();
    }
    if (opts.before !== undefined) upper = Math.min(upper, rowidFloor(opts.before));
    const filtered = opts.after !== undefined || opts.from !== undefined || opts.query !== undefined || opts.onlyIncoming;
    if (!filtered && !forward) {
      const rows = this.pageStmt.all(`meta : "${chatToken(chatId)}"`, upper, limit + 1);
      const more = rows.length > limit;
      const page = (more ? rows.slice(0, limit) : rows).reverse();
      const out: Page<Message> & { newerCursor?: string } = { items: page.map(rowToMessage) };
      const oldest = page[0];
      const newest = page[page.length - 1];
      if (more && oldest) out.nextCursor = encodeCursor([oldest.m_rowid]);
      if (newest && upper !== Number.MAX_SAFE_INTEGER && this.afterStmt.all(`meta : "${chatToken(chatId)}"`, newest.m_rowid, 1).length > 0) {
        out.newerCursor = encodeCursor([newest.m_rowid, 1]);
      }
      return out;
    }
    // Author and text filters are FTS tokens intersected in the index; "me" and "incoming" are checked
    // on the rows, walking the chat's doclist in bounded batches until the page is full.
    let match = `meta : "${chatToken(chatId)}"`;
    if (opts.query !== undefined) {
      const parsed = textMatch(opts.query);
      if (parsed === null) return { items: [] };
      match = `${parsed.expr} AND ${match}`;
    }
    const mine = opts.from === 'me';
    if (opts.from !== undefined && !mine) {
      const jid = this.identity.resolve(opts.from);
      if (jid === null) return { items: [] };
      match += ` AND meta : (${this.identity.aliases(jid).map((a) => `"${senderToken(a)}"`).join(' OR ')})`;
    }
    const keep = (r: MessageRow) => (!mine || r.m_from_me === 1) && (!opts.onlyIncoming || r.m_from_me === 0);
    const walk = (lo: number, hi: number, asc: boolean, want: number): MessageRow[] => {
      const picked: MessageRow[] = [];
      const batch = Math.min(1000, want * (mine || opts.onlyIncoming ? 3 : 1));
      for (let walks = 0; walks < 50 && picked.length < want; walks++) {
        const rows = asc ? this.rangeAscStmt.all(match, lo, hi, batch) : this.rangeStmt.all(match, hi, lo, batch);
        for (const r of rows) if (keep(r) && picked.length < want) picked.push(r);
        if (rows.length < batch) break;
        if (asc) lo = rows[rows.length - 1]!.m_rowid + 1;
        else hi = rows[rows.length - 1]!.m_rowid;
      }
      return picked;
    };
    const picked = walk(lower, upper, forward, limit + 1);
    const more = picked.length > limit;
    const kept = more ? picked.slice(0, limit) : picked;
    const page = forward ? kept : kept.reverse();
    const out: Page<Message> & { newerCursor?: string } = { items: page.map(rowToMessage) };
    const oldest = page[0];
    const newest = page[page.length - 1];
    if (!oldest || !newest) return out;
    const olderExist = forward ? walk(opts.after !== undefined ? rowidFloor(opts.after) : 0, oldest.m_rowid, false, 1).length > 0 : more;
    const newerExist = forward ? more : upper !== Number.MAX_SAFE_INTEGER && walk(newest.m_rowid + 1, Number.MAX_SAFE_INTEGER, true, 1).length > 0;
    if (olderExist) out.nextCursor = encodeCursor([oldest.m_rowid]);
    if (newerExist) out.newerCursor = encodeCursor([newest.m_rowid, 1]);
    return out;
  }

  /**
   * Oldest-first walk of a whole chat (export): `limit` messages newer than `afterCursor` (a `cursor`
   * from the previous call; omit to start at the oldest). The same doclist path as `list`, so a page
   * costs the same at any depth.
   */
  listForward(chatIdOrPhone: string, opts: { limit?: number; afterCursor?: string } = {}): Page<Message> {
    const limit = clampLimit(opts.limit, 50);
    const chatId = this.chats.findId(chatIdOrPhone);
    if (chatId === undefined) return { items: [] };
    let lower = -1;
    if (opts.afterCursor !== undefined) {
      const cur = decodeCursor(opts.afterCursor, ['number']);
      if (cur === null) throw new InvalidCursorError();
      lower = cur[0] as number;
    }
    const rows = this.afterStmt.all(`meta : "${chatToken(chatId)}"`, lower, limit + 1);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const newest = page.at(-1);
    const items = page.map(rowToMessage);
    return more && newest ? { items, nextCursor: encodeCursor([newest.m_rowid]) } : { items };
  }

  /** Ids of a chat's media messages since `sinceMs` with no stored file: up to `limit` newest, oldest first. */
  mediaWithoutFile(chatJid: string, sinceMs: number, limit: number): string[] {
    return this.mediaPending.all(chatJid, rowidFloor(sinceMs), limit).map((r) => r.id).reverse();
  }

  /** Up to `n` messages before and `n` after the target, in chronological order. */
  context(messageId: string, n = 20): MessageContext | null {
    const row = this.rowOf(messageId);
    if (!row) return null;
    const count = clampLimit(n, 20);
    const chatId = this.chats.findId(row.m_chat);
    if (chatId === undefined) return null;
    const expr = `meta : "${chatToken(chatId)}"`;
    const before = this.pageStmt.all(expr, row.m_rowid, count).reverse().map(rowToMessage);
    const after = this.afterStmt.all(expr, row.m_rowid, count).map(rowToMessage);
    return { before, target: rowToMessage(row), after };
  }

  /**
   * Newest message exchanged with a person or chat: the direct chat with any of the person's ids
   * (phone JID, LID), or a message they sent in a group. For a group JID, the group's newest message.
   */
  lastInteraction(idOrPhone: string): Message | null {
    const jid = this.identity.resolve(idOrPhone);
    if (jid === null) return null;
    const person = jidKind(jid) === 'pn' || jidKind(jid) === 'lid';
    const aliases = person ? this.identity.aliases(jid) : [jid];
    let best = -1;
    for (const a of aliases) {
      const id = this.lastOfChat.get(a)?.id;
      if (id !== null && id !== undefined && id > best) best = id;
    }
    if (person) {
      const r = this.lastBySender.get(`meta : (${aliases.map((a) => `"${senderToken(a)}"`).join(' OR ')})`);
      if (r && r.id > best) best = r.id;
    }
    if (best < 0) return null;
    const row = this.byRowid.get(best);
    return row ? rowToMessage(row) : null;
  }

  /**
   * Apply receipt statuses. Status only moves forward (`pending → sent → delivered → read → played`;
   * `error` only replaces `pending`). Returns how many rows changed.
   */
  updateStatuses(updates: ReadonlyArray<{ id: string; status: MessageStatus }>): number {
    return this.ctx.db.transaction(() => {
      let changed = 0;
      for (const u of updates) {
        const row = this.rowOf(u.id);
        if (!row) continue;
        changed += this.setStatus.run(STATUS_RANK[u.status], row.m_rowid).changes;
        // A read receipt for an incoming message comes from our own phone (read-self): the chat is read up to it.
        if (row.m_from_me === 0 && STATUS_RANK[u.status] >= STATUS_RANK.read) this.chats.markRead(row.m_chat, row.m_rowid);
      }
      return changed;
    })();
  }

  /** Record an edit: the previous text goes to `message_edits`, the new text is indexed. */
  applyEdit(messageId: string, newBody: string, editedAt: number): boolean {
    return this.ctx.db.transaction(() => {
      const row = this.rowOf(messageId);
      if (!row) return false;
      const previous = row.m_body ?? row.m_caption;
      if (previous === newBody) return true;
      this.ctx.db.prepare(`INSERT INTO message_edits (message_id, kind, old_body, at) VALUES (?, 'edit', ?, ?)`).run(row.m_rowid, previous, editedAt);
      const isCaption = row.m_body === null && row.m_caption !== null;
      this.ctx.db
        .prepare(`UPDATE messages SET ${isCaption ? 'caption' : 'body'} = ?, edited_at = max(coalesce(edited_at, 0), ?) WHERE id = ?`)
        .run(newBody, editedAt, row.m_rowid);
      this.reindex(row.m_rowid);
      return true;
    })();
  }

  /**
   * Record a revoke ("delete for everyone"): flagged with `revokedAt`, the text leaves the search index
   * (it stays in `message_edits`, the history of the row, and readers are shown that it was deleted).
   */
  applyRevoke(messageId: string, revokedAt: number): boolean {
    return this.ctx.db.transaction(() => {
      const row = this.rowOf(messageId);
      if (!row) return false;
      if (row.m_revoked !== null) return true;
      this.ctx.db.prepare(`INSERT INTO message_edits (message_id, kind, old_body, at) VALUES (?, 'revoke', ?, ?)`).run(row.m_rowid, row.m_body ?? row.m_caption, revokedAt);
      this.ctx.db.prepare('UPDATE messages SET revoked_at = ? WHERE id = ?').run(revokedAt, row.m_rowid);
      this.reindex(row.m_rowid);
      return true;
    })();
  }

  /**
   * Record "delete for me" (this account only, an app-state change from the phone or our own
   * delete_message): flagged with `deletedAt`, out of the search index; unlike a revoke, the other
   * people in the chat still have it.
   */
  applyDeleteForMe(messageId: string, deletedAt: number): boolean {
    return this.ctx.db.transaction(() => {
      const row = this.rowOf(messageId);
      if (!row) return false;
      if (row.m_deleted !== null) return true;
      this.ctx.db.prepare('UPDATE messages SET deleted_at = ? WHERE id = ?').run(deletedAt, row.m_rowid);
      this.reindex(row.m_rowid);
      return true;
    })();
  }

  /**
   * Reactions attach to their target (by chat and key id, so one that arrives before its target waits for
   * it): one per person, the newest (by sender timestamp) wins, `''` removes. Returns the chats touched.
   */
  applyReactions(inputs: readonly ReactionInput[]): string[] {
    return this.ctx.db.transaction(() => {
      const chats = new Set<string>();
      for (const r of inputs) {
        const chat = r.targetKeyId ? this.chatOf(r.chatId) : null;
        if (!chat) continue;
        const sender = this.senderOf({ chatId: r.chatId, keyId: r.targetKeyId, from: r.from, fromMe: r.fromMe, timestamp: r.timestamp, type: 'reaction' }, chat.jid);
        this.putReaction.run(chat.id, r.targetKeyId, sender, r.emoji, Math.floor(r.timestamp));
        chats.add(chat.jid);
      }
      return [...chats];
    })();
  }

  /** A voter's newest vote on a poll (kept encrypted: see `pollVotes`). Returns the chats touched. */
  applyPollVotes(inputs: readonly PollVoteInput[]): string[] {
    return this.ctx.db.transaction(() => {
      const chats = new Set<string>();
      for (const v of inputs) {
        const chat = v.pollKeyId ? this.chatOf(v.chatId) : null;
        if (!chat) continue;
        const voter = this.senderOf({ chatId: v.chatId, keyId: v.pollKeyId, from: v.from, fromMe: v.fromMe, timestamp: v.timestamp, type: 'poll-vote' }, chat.jid);
        const raw = Buffer.from(v.raw.buffer, v.raw.byteOffset, v.raw.byteLength);
        this.putVote.run(chat.id, v.pollKeyId, voter, v.fromMe ? 1 : 0, Math.floor(v.timestamp), raw);
        chats.add(chat.jid);
      }
      return [...chats];
    })();
  }

  /** The newest stored vote of each voter on a poll (`<chatJid>:<keyId>`), voters by canonical JID. */
  pollVotes(messageId: string): StoredPollVote[] {
    const parts = splitMessageId(messageId);
    const chatId = parts ? this.chats.findId(parts.chatJid) : undefined;
    if (!parts || chatId === undefined) return [];
    return this.votesStmt.all(chatId, parts.keyId).map((r) => ({
      voter: r.voter,
      fromMe: r.from_me === 1,
      timestamp: r.ts,
      raw: new Uint8Array(r.raw.buffer, r.raw.byteOffset, r.raw.byteLength),
    }));
  }

  /** Previous texts of a message, oldest first. */
  history(messageId: string): Array<{ kind: 'edit' | 'revoke'; oldBody: string | null; at: number }> {
    const row = this.rowOf(messageId);
    if (!row) return [];
    return this.ctx.db
      .prepare('SELECT kind, old_body AS oldBody, at FROM message_edits WHERE message_id = ? ORDER BY rowid')
      .all(row.m_rowid) as Array<{ kind: 'edit' | 'revoke'; oldBody: string | null; at: number }>;
  }

  /** Rewrites a message's search entry; a revoked or locally deleted message keeps only its lookup tokens. */
  private reindex(rowid: number): void {
    const r = this.ctx.db.prepare('SELECT chat_id, sender, body, caption, key_id, revoked_at, deleted_at FROM messages WHERE id = ?').get(rowid) as
      | { chat_id: number; sender: string; body: string | null; caption: string | null; key_id: string; revoked_at: number | null; deleted_at: number | null }
      | undefined;
    this.deleteFts.run(rowid);
    if (!r) return;
    const gone = r.revoked_at !== null || r.deleted_at !== null;
    this.insertFts.run(rowid, gone ? '' : ftsText(r.body, r.caption), ftsMeta(r.chat_id, r.sender));
  }

  /**
   * Full-text search (SPEC `search_messages`).
   *
   * Ranking design — recency-bounded BM25:
   * 1. Candidates: FTS5 walks the matching doclist newest-first (rowids are time-ordered) and stops
   *    after `searchCandidates` rows (half as many for phrases / several words, whose walk costs more
   *    per row). No score is computed in SQL.
   * 2. Re-ranking: BM25 over the candidates, computed here (see the comment in the body for why not
   *    with SQL `bm25()`), best `limit` returned; snippets are highlighted in the original text.
   * Plain `ORDER BY bm25` scores every match: its cost grows with the match count (~25–70 ms for a
   * word in 35k messages at 1M rows); here every query costs at most one bounded walk plus the
   * re-ranking of ≤ 200 short texts. Trade-off: when a query matches more messages than the window, an
   * older message that would score higher is never considered — results are "the most relevant among
   * the newest N matches", which for chat history is usually what the user wants, and the order within
   * them is by relevance, not by date. Queries with fewer matches than the window are ranked over all
   * their matches. `truncated` tells the caller which case applied. IDF is estimated (see body), so
   * scores are close to, not identical with, SQLite's bm25().
   *
   * Chat and author filters are FTS5 tokens in the `meta` column, so they are intersected inside the
   * index instead of filtering candidates afterwards; time ranges are rowid ranges. Each message has
   * exactly one FTS row, so results never contain duplicates.
   */
  search(query: string, opts: SearchOptions = {}): SearchResult {
    const plan = this.plan(query, opts);
    if (plan === null) return { hits: [], candidates: 0, truncated: false };
    const limit = clampLimit(opts.limit, 20);
    const window = Math.max(limit, plan.conjunction ? Math.floor(this.searchCandidates / 2) : this.searchCandidates);
    const ids = this.candidatesStmt.all(plan.expr, plan.lo, plan.hi, window).map((r) => r.id);
    if (ids.length === 0) return { hits: [], candidates: 0, truncated: false };
    const truncated = ids.length === window;
    const texts = new Map<number, string>();
    for (const r of this.textsStmt.all(JSON.stringify(ids))) texts.set(r.id, r.body && r.caption ? `${r.body}\n${r.caption}` : (r.body ?? r.caption ?? ''));

    // BM25 (FTS5's formula, k1 = 1.2, b = 0.75) computed here rather than with SQL bm25(): bm25()
    // derives each phrase's IDF by scanning ALL of its matches (for a phrase of two common words at 1M
    // messages that is ~10 ms, 25x the candidate walk). IDF here comes from an estimate of each piece's
    // document frequency: exact when it has fewer matches than the window, otherwise extrapolated from
    // the time span its newest `window` matches cover (rowids are time-ordered).
    const corpus = this.corpusStmt.get();
    const n = Math.max(1, corpus?.n ?? 1);
    const span = corpus?.lo != null && corpus.hi != null ? corpus.hi - corpus.lo + 1 : 1;
    const estimate = (count: number, oldest: number, w: number) =>
      count < w || corpus?.hi == null ? count : Math.min(n, Math.round((count * span) / Math.max(1, corpus.hi - oldest + 1)));
    const unfiltered = plan.pieces.length === 1 && !plan.filtered;
    const idf = plan.pieces.map((p) => {
      let df: number;
      if (unfiltered) df = estimate(ids.length, ids[ids.length - 1]!, window);
      else {
        const walk = this.dfStmt.all(`text : (${p.expr})`, DF_WINDOW);
        df = walk.length === 0 ? 0 : estimate(walk.length, walk[walk.length - 1]!.id, DF_WINDOW);
      }
      return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    });
    const docs = ids.map((id) => ({ id, stats: pieceStats(texts.get(id) ?? '', plan.pieces) }));
    const avgdl = docs.reduce((a, d) => a + d.stats.length, 0) / docs.length;
    const K1 = 1.2;
    const B = 0.75;
    const scored = docs.map((d) => {
      let score = 0;
      d.stats.tf.forEach((tf, i) => {
        score += (idf[i]! * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * d.stats.length) / avgdl));
      });
      return { ...d, score };
    });
    scored.sort((a, b) => b.score - a.score || b.id - a.id);
    const top = scored.slice(0, limit);
    const rows = new Map<number, MessageRow>();
    for (const r of this.byIds.all(JSON.stringify(top.map((d) => d.id)))) rows.set(r.m_rowid, r);
    const hits: SearchHit[] = [];
    for (const d of top) {
      const row = rows.get(d.id);
      if (row) hits.push({ message: rowToMessage(row), snippet: highlight(texts.get(d.id) ?? '', plan.terms), score: -d.score });
    }
    return { hits, candidates: ids.length, truncated };
  }

  /** Total number of messages matching (same filters as `search`); scans all matches. */
  countMatches(query: string, opts: SearchOptions = {}): number {
    const plan = this.plan(query, opts);
    return plan === null ? 0 : this.countStmt.get(plan.expr, plan.lo, plan.hi)?.n ?? 0;
  }

  private plan(query: string, opts: SearchOptions): SearchPlan | null {
    const parsed = textMatch(query);
    if (parsed === null) return null;
    let expr = parsed.expr;
    if (opts.chatId !== undefined) {
      const chatId = this.chats.findId(opts.chatId);
      if (chatId === undefined) return null;
      expr += ` AND meta : "${chatToken(chatId)}"`;
    }
    if (opts.from !== undefined) {
      const jid = opts.from === 'me' ? 'me' : this.identity.resolve(opts.from);
      if (jid === null) return null;
      const own = jid === 'me' && opts.ownJid ? this.identity.resolve(opts.ownJid) : null;
      const tokens = (jid === 'me' ? ['me', ...(own ? this.identity.aliases(own) : [])] : this.identity.aliases(jid)).map((a) => `"${senderToken(a)}"`);
      expr += ` AND meta : (${tokens.join(' OR ')})`;
    }
    const lo = opts.since !== undefined ? rowidFloor(opts.since) : 0;
    const hi = opts.until !== undefined ? rowidCeil(opts.until) : Number.MAX_SAFE_INTEGER;
    if (lo > hi) return null;
    const conjunction = parsed.tokens > 1;
    const filtered = opts.chatId !== undefined || opts.from !== undefined || opts.since !== undefined || opts.until !== undefined;
    return { expr, lo, hi, terms: parsed.terms, pieces: parsed.pieces, conjunction, filtered };
  }
}
