/**
 * Chats repository. `listChats` / `listGroups` are one SQL statement per page (chats + display name +
 * last message), newest first, with keyset cursors that stay stable while messages keep arriving.
 */
import type Database from 'better-sqlite3';

import { type NumberedStatement, prepareNumbered } from '../sql.js';
import { InvalidCursorError, clampLimit, decodeCursor, encodeCursor } from '../cursor.js';
import { isWeakName, jidKind, jidUser, normalizeJid } from '../identity.js';
import type { Chat, ChatInput, Page } from '../types.js';
import type { IdentityRepo, StoreContext } from './identity.js';
import { chatToken } from '../fts.js';
import { MESSAGE_COLUMNS, type MessageRow, rowToMessage, rowidCeil } from './message-row.js';

/** Message types that never count as unread (bookkeeping and reactions): one rule for ingest and recounts. */
export const NOT_UNREAD_TYPES: readonly string[] = ['protocol', 'system', 'reaction', 'edit', 'poll-vote'];
const UNREAD_EXCLUDED = NOT_UNREAD_TYPES.map((t) => `'${t}'`).join(', ');

export interface ListChatsOptions {
  /** 1–500, default 20. */
  limit?: number;
  /** Default true. */
  includeLastMessage?: boolean;
  cursor?: string;
  /** Only chats whose name (or contact name) contains this text (case-insensitive). */
  query?: string;
  /** Only chats whose last message is of one of these types (e.g. `['protocol', 'system']`). */
  lastMessageTypes?: readonly string[];
  /** Only chats with unread messages. */
  unreadOnly?: boolean;
  /** Only groups (true) or only direct chats (false). */
  isGroup?: boolean;
  /** `recent` (default): newest activity first; `unread`: most unread first, then newest. */
  sort?: 'recent' | 'unread';
}

/** Every column of a page row (CHAT_SELECT), in one list so the raw-row mapper can check it covers them all. */
const ROW_KEYS = [
  'c_id', 'c_jid', 'c_name', 'c_is_group', 'c_unread', 'c_ts',
  'm_rowid', 'm_chat', 'm_key', 'm_sender', 'm_from_me', 'm_ts', 'm_type', 'm_body', 'm_caption', 'm_has_media',
  'm_mime', 'm_status', 'm_quoted', 'm_edited', 'm_revoked', 'm_deleted', 'm_details', 'm_reactions',
] as const satisfies ReadonlyArray<keyof ChatRow>;

interface ChatRow extends Partial<MessageRow> {
  c_id: number;
  c_jid: string;
  c_name: string | null;
  c_is_group: number;
  c_unread: number;
  c_ts: number;
}

const CHAT_SELECT = `
  SELECT c.id AS c_id, c.jid AS c_jid,
         coalesce(c.name, g.subject, ct.name, ct.pushname, ct.verified_name) AS c_name,
         c.is_group AS c_is_group, c.unread_count AS c_unread, c.last_ts AS c_ts,
         ${MESSAGE_COLUMNS}
    FROM chats c
    LEFT JOIN groups g ON g.jid = c.jid
    LEFT JOIN contacts ct ON ct.jid = c.jid
    LEFT JOIN messages m ON m.id = c.last_message_id
    LEFT JOIN chats mc ON mc.id = m.chat_id
    LEFT JOIN lid_mappings ml ON ml.lid = m.sender`;

/** Name shown for a chat with no stored name: `+<number>` for phone JIDs, else the JID. */
export function fallbackChatName(jid: string): string {
  return jidKind(jid) === 'pn' ? `+${jidUser(jid)}` : jid;
}


export class ChatsRepo {
  private readonly upsertStmt: NumberedStatement;
  private readonly idByJid: Database.Statement<[string], { id: number }>;
  private readonly insertBare: Database.Statement<[string, number, number]>;
  private readonly getStmt: Database.Statement<[string], ChatRow>;

  constructor(
    private readonly ctx: StoreContext,
    private readonly identity: IdentityRepo,
  ) {
    const db = ctx.db;
    this.upsertStmt = prepareNumbered(
      db,
      `INSERT INTO chats (jid, name, is_group, unread_count, last_ts, archived, updated_at, read_upto)
       VALUES (?1, ?2, ?3, coalesce(?4, 0), coalesce(?5, 0), coalesce(?6, 0), ?7, CASE WHEN ?4 IS NULL THEN 0 ELSE ?8 END)
       ON CONFLICT (jid) DO UPDATE SET
         name = coalesce(excluded.name, chats.name),
         is_group = max(chats.is_group, excluded.is_group),
         unread_count = coalesce(?4, chats.unread_count),
         read_upto = CASE WHEN ?4 IS NULL THEN chats.read_upto ELSE max(chats.read_upto, ?8) END,
         last_ts = max(chats.last_ts, excluded.last_ts),
         archived = coalesce(?6, chats.archived),
         updated_at = excluded.updated_at`,
    );
    this.idByJid = db.prepare('SELECT id FROM chats WHERE jid = ?');
    this.insertBare = db.prepare('INSERT INTO chats (jid, is_group, updated_at) VALUES (?, ?, ?)');
    this.getStmt = db.prepare(`${CHAT_SELECT} WHERE c.jid = ?`);
  }

  /** Insert or merge chats in one transaction. Names never downgrade; timestamps only move forward. */
  upsertChats(inputs: readonly ChatInput[]): void {
    this.ctx.db.transaction(() => {
      for (const c of inputs) {
        const n = normalizeJid(c.id);
        if (n === null) continue;
        const jid = this.identity.canonical(n);
        const isGroup = c.isGroup ?? jidKind(jid) === 'group';
        const name = isWeakName(c.name, jid) ? null : c.name!.trim();
        // An absolute count (history sync) covers the messages up to the chat's time: only later
        // arrivals add to it.
        const floor = rowidCeil(c.timestamp ?? this.ctx.now());
        this.upsertStmt.run(
          jid,
          name,
          isGroup ? 1 : 0,
          c.unreadCount ?? null,
          c.timestamp ?? null,
          c.archived === undefined || c.archived === null ? null : c.archived ? 1 : 0,
          this.ctx.now(),
          floor,
        );
        if (c.markedRead) this.markRead(jid);
        if (c.markedUnread) this.ctx.db.prepare('UPDATE chats SET unread_count = max(unread_count, 1) WHERE jid = ?').run(jid);
      }
    })();
  }

  /**
   * Move the chat's read marker to the message with rowid `upto` (default: its newest message; it never
   * moves back) and recount unread = incoming messages with content above it. Returns the new count.
   */
  markRead(idOrPhone: string, upto?: number): number {
    const id = this.findId(idOrPhone);
    if (id === undefined) return 0;
    const row = this.ctx.db.prepare('SELECT read_upto, last_message_id FROM chats WHERE id = ?').get(id) as { read_upto: number; last_message_id: number | null };
    const marker = Math.max(row.read_upto, upto ?? row.last_message_id ?? 0);
    const n = (
      this.ctx.db
        .prepare(
          `SELECT count(*) AS n FROM messages m
            WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? AND rowid > ?)
              AND m.from_me = 0 AND m.type NOT IN (${UNREAD_EXCLUDED})`,
        )
        .get(`meta : "${chatToken(id)}"`, marker) as { n: number }
    ).n;
    this.ctx.db.prepare('UPDATE chats SET read_upto = ?, unread_count = ? WHERE id = ?').run(marker, n, id);
    return n;
  }

  /**
   * What a read receipt covers: the chat's unread messages (its newest `unread_count` incoming messages
   * with content — a count from history sync may cover messages below the marker) at most `upto`
   * (rowid), oldest first.
   */
  unreadMessages(idOrPhone: string, upto?: number, limit = 300): Array<{ rowid: number; keyId: string; sender: string }> {
    const id = this.findId(idOrPhone);
    if (id === undefined) return [];
    const unread = (this.ctx.db.prepare('SELECT unread_count FROM chats WHERE id = ?').get(id) as { unread_count: number }).unread_count;
    if (unread <= 0) return [];
    const rows = this.ctx.db
      .prepare(
        `SELECT m.id AS rowid, m.key_id AS keyId, coalesce(ml.pn, m.sender) AS sender FROM messages m
           LEFT JOIN lid_mappings ml ON ml.lid = m.sender
          WHERE m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?)
            AND m.from_me = 0 AND m.type NOT IN (${UNREAD_EXCLUDED})
          ORDER BY m.id DESC`,
      )
      .all(`meta : "${chatToken(id)}"`, Math.min(5000, unread * 4 + 50)) as Array<{ rowid: number; keyId: string; sender: string }>;
    return rows
      .slice(0, Math.min(unread, limit))
      .filter((r) => upto === undefined || r.rowid <= upto)
      .reverse();
  }

  /** chats.id for a canonical chat JID, creating a bare row when missing (used by message ingest). */
  ensureId(jid: string): number {
    const cached = this.ctx.chatIds.get(jid);
    if (cached !== undefined) return cached;
    let id = this.idByJid.get(jid)?.id;
    if (id === undefined) {
      id = Number(this.insertBare.run(jid, jidKind(jid) === 'group' ? 1 : 0, this.ctx.now()).lastInsertRowid);
    }
    this.ctx.chatIds.set(jid, id);
    return id;
  }

  /** chats.id of a chat given by any id format, or `undefined`. */
  findId(idOrPhone: string): number | undefined {
    const jid = this.identity.resolve(idOrPhone);
    if (jid === null) return undefined;
    const cached = this.ctx.chatIds.get(jid);
    if (cached !== undefined) return cached;
    const id = this.idByJid.get(jid)?.id;
    if (id !== undefined) this.ctx.chatIds.set(jid, id);
    return id;
  }

  /** Chat by JID / LID / phone number, with its last message. */
  get(idOrPhone: string): Chat | null {
    const jid = this.identity.resolve(idOrPhone);
    if (jid === null) return null;
    const row = this.getStmt.get(jid);
    return row ? this.toChat(row, true) : null;
  }

  /** Set the unread counter (e.g. 0 after reading). */
  setUnread(idOrPhone: string, unread: number): void {
    const id = this.findId(idOrPhone);
    if (id !== undefined) this.ctx.db.prepare('UPDATE chats SET unread_count = ? WHERE id = ?').run(Math.max(0, unread), id);
  }

  /** Newest first, one SQL statement per page. */
  listChats(opts: ListChatsOptions = {}): Page<Chat> {
    return this.list(opts, false);
  }

  /** Every group chat (also groups without any stored message), newest first, one statement per page. */
  listGroups(opts: ListChatsOptions = {}): Page<Chat> {
    return this.list(opts, true);
  }

  private list(opts: ListChatsOptions, groupsOnly: boolean): Page<Chat> {
    const limit = clampLimit(opts.limit, 20);
    const where: string[] = [];
    const params: unknown[] = [];
    const byUnread = opts.sort === 'unread';
    if (groupsOnly || opts.isGroup === true) where.push('c.is_group = 1');
    else if (opts.isGroup === false) where.push('c.is_group = 0');
    if (opts.unreadOnly) where.push('c.unread_count > 0');
    if (opts.cursor !== undefined) {
      const cur = decodeCursor(opts.cursor, byUnread ? ['number', 'number', 'number'] : ['number', 'number']);
      if (cur === null) throw new InvalidCursorError();
      if (byUnread) {
        where.push('(c.unread_count, c.last_ts, c.id) < (?, ?, ?)');
        params.push(cur[0], cur[1], cur[2]);
      } else {
        where.push('(c.last_ts, c.id) < (?, ?)');
        params.push(cur[0], cur[1]);
      }
    }
    if (opts.query !== undefined && opts.query.trim() !== '') {
      where.push(`(instr(lower(coalesce(c.name, g.subject, ct.name, ct.pushname, '')), lower(?)) > 0 OR instr(c.jid, ?) > 0)`);
      const q = opts.query.trim();
      // A phone number in any format matches the digits of the chat's JID.
      params.push(q, /^[+\d][\d\s().-]*$/.test(q) ? q.replace(/\D/g, '') : q);
    }
    if (opts.lastMessageTypes && opts.lastMessageTypes.length > 0) {
      where.push(`m.type IN (${opts.lastMessageTypes.map(() => '?').join(', ')})`);
      params.push(...opts.lastMessageTypes);
    }
    // Statement text depends only on which filters are present, so better-sqlite3's prepared statement
    // cache (keyed by text) serves repeated calls.
    const sql = `${CHAT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${byUnread ? 'c.unread_count DESC, ' : ''}c.last_ts DESC, c.id DESC LIMIT ?`;
    params.push(limit + 1);
    const rows = this.prepared(sql)(params);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const items = page.map((r) => this.toChat(r, opts.includeLastMessage ?? true));
    const last = page[page.length - 1];
    if (!more || !last) return { items };
    return { items, nextCursor: encodeCursor(byUnread ? [last.c_unread, last.c_ts, last.c_id] : [last.c_ts, last.c_id]) };
  }

  private readonly cache = new Map<string, (params: unknown[]) => ChatRow[]>();
  /**
   * A page query, prepared once per statement text. Rows are fetched as arrays and turned into objects
   * here: better-sqlite3 builds a row object with one native property set per column, which measured
   * 122 µs for a 21-row page of 21 columns against 80 µs as arrays (the list_chats hot path, issue #17). Every
   * column of the statement must be mapped (checked when it is prepared): a column left out once cost
   * list pages their last message's reactions, details and "deleted for me".
   */
  private prepared(sql: string): (params: unknown[]) => ChatRow[] {
    let run = this.cache.get(sql);
    if (!run) {
      const stmt = this.ctx.db.prepare<unknown[], unknown[]>(sql).raw(true);
      const names = stmt.columns().map((c) => c.name);
      const unmapped = names.filter((n) => !(ROW_KEYS as readonly string[]).includes(n));
      const missing = ROW_KEYS.filter((k) => !names.includes(k));
      if (unmapped.length > 0 || missing.length > 0 || names.length !== ROW_KEYS.length) {
        throw new Error(`listChats: page columns do not match the row mapper (unmapped: ${unmapped.join(', ')}; missing: ${missing.join(', ')})`);
      }
      const i = Object.fromEntries(ROW_KEYS.map((k) => [k, names.indexOf(k)])) as Record<(typeof ROW_KEYS)[number], number>;
      run = (params) =>
        stmt.all(...params).map(
          (a): Required<ChatRow> => ({
            c_id: a[i.c_id] as number,
            c_jid: a[i.c_jid] as string,
            c_name: a[i.c_name] as string | null,
            c_is_group: a[i.c_is_group] as number,
            c_unread: a[i.c_unread] as number,
            c_ts: a[i.c_ts] as number,
            m_rowid: a[i.m_rowid] as number,
            m_chat: a[i.m_chat] as string,
            m_key: a[i.m_key] as string,
            m_sender: a[i.m_sender] as string,
            m_from_me: a[i.m_from_me] as number,
            m_ts: a[i.m_ts] as number,
            m_type: a[i.m_type] as string,
            m_body: a[i.m_body] as string | null,
            m_caption: a[i.m_caption] as string | null,
            m_has_media: a[i.m_has_media] as number,
            m_mime: a[i.m_mime] as string | null,
            m_status: a[i.m_status] as number | null,
            m_quoted: a[i.m_quoted] as string | null,
            m_edited: a[i.m_edited] as number | null,
            m_revoked: a[i.m_revoked] as number | null,
            m_deleted: a[i.m_deleted] as number | null,
            m_details: a[i.m_details] as string | null,
            m_reactions: a[i.m_reactions] as string | null,
          }),
        );
      this.cache.set(sql, run);
    }
    return run;
  }

  private toChat(r: ChatRow, withLast: boolean): Chat {
    const chat: Chat = {
      id: r.c_jid,
      name: r.c_name ?? fallbackChatName(r.c_jid),
      isGroup: r.c_is_group === 1,
      unreadCount: r.c_unread,
      timestamp: r.c_ts,
    };
    if (withLast && r.m_rowid !== null && r.m_rowid !== undefined) chat.lastMessage = rowToMessage(r as ChatRow & MessageRow);
    return chat;
  }
}
