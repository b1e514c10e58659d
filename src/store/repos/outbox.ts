/**
 * The outbox of writes and the pacing history (issue #15; tables in schema/v7-send-safety.ts).
 *
 * Status moves only forward, and every move is a compare-and-set on the current status (one UPDATE), so
 * two deciders (an approval in the UI and the expiry sweep, or the scheduler and a cancel) can never both
 * win: the loser sees `false` and reports the state the row is really in.
 */
import type Database from 'better-sqlite3';
import type { StoreContext } from './identity.js';

export const OUTBOX_STATUSES = ['pending_approval', 'queued', 'sending', 'sent', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
/** Statuses a write can still leave (the rest are final). */
export const OPEN_STATUSES: readonly OutboxStatus[] = ['pending_approval', 'queued', 'sending'];

export interface OutboxEntry {
  sendId: string;
  tool: string;
  args: Record<string, unknown>;
  chatJid: string | null;
  summary: string;
  status: OutboxStatus;
  reason: string | null;
  client: string | null;
  sessionId: string | null;
  newRecipient: boolean;
  createdAt: number;
  notBefore: number | null;
  expiresAt: number | null;
  decidedBy: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  updatedAt: number;
}

interface Row {
  send_id: string;
  tool: string;
  args: string;
  chat_jid: string | null;
  summary: string;
  status: OutboxStatus;
  reason: string | null;
  client: string | null;
  session_id: string | null;
  new_recipient: number;
  created_at: number;
  not_before: number | null;
  expires_at: number | null;
  decided_by: string | null;
  result: string | null;
  error: string | null;
  updated_at: number;
}

const toEntry = (r: Row): OutboxEntry => ({
  sendId: r.send_id,
  tool: r.tool,
  args: JSON.parse(r.args) as Record<string, unknown>,
  chatJid: r.chat_jid,
  summary: r.summary,
  status: r.status,
  reason: r.reason,
  client: r.client,
  sessionId: r.session_id,
  newRecipient: r.new_recipient === 1,
  createdAt: r.created_at,
  notBefore: r.not_before,
  expiresAt: r.expires_at,
  decidedBy: r.decided_by,
  result: r.result === null ? null : (JSON.parse(r.result) as Record<string, unknown>),
  error: r.error,
  updatedAt: r.updated_at,
});

export type NewOutboxEntry = Pick<OutboxEntry, 'sendId' | 'tool' | 'args' | 'chatJid' | 'summary' | 'status' | 'reason' | 'client' | 'sessionId' | 'newRecipient' | 'notBefore' | 'expiresAt'>;

export interface OutboxPatch {
  reason?: string | null;
  notBefore?: number | null;
  decidedBy?: string | null;
  result?: Record<string, unknown> | null;
  error?: string | null;
}

export class OutboxRepo {
  private readonly db: Database.Database;
  private readonly insertStmt: Database.Statement<unknown[]>;
  private readonly getStmt: Database.Statement<[string], Row>;

  constructor(private readonly ctx: StoreContext) {
    this.db = ctx.db;
    this.insertStmt = this.db.prepare(
      `INSERT INTO outbox (send_id, tool, args, chat_jid, summary, status, reason, client, session_id, new_recipient, created_at, not_before, expires_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.getStmt = this.db.prepare('SELECT * FROM outbox WHERE send_id = ?');
  }

  insert(e: NewOutboxEntry, now: number = this.ctx.now()): OutboxEntry {
    this.insertStmt.run(e.sendId, e.tool, JSON.stringify(e.args), e.chatJid, e.summary, e.status, e.reason, e.client, e.sessionId, e.newRecipient ? 1 : 0, now, e.notBefore, e.expiresAt, now);
    return this.get(e.sendId)!;
  }

  get(sendId: string): OutboxEntry | null {
    const r = this.getStmt.get(sendId);
    return r ? toEntry(r) : null;
  }

  /** Newest first; `statuses` filters. */
  list(opts: { statuses?: readonly OutboxStatus[]; limit?: number } = {}): OutboxEntry[] {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 1000));
    const where = opts.statuses && opts.statuses.length > 0 ? `WHERE status IN (${opts.statuses.map(() => '?').join(',')})` : '';
    const rows = this.db.prepare(`SELECT * FROM outbox ${where} ORDER BY id DESC LIMIT ?`).all(...(opts.statuses ?? []), limit) as Row[];
    return rows.map(toEntry);
  }

  /** Queued writes in delivery order (FIFO; pacing already made `not_before` non-decreasing). */
  queued(): OutboxEntry[] {
    return (this.db.prepare(`SELECT * FROM outbox WHERE status = 'queued' ORDER BY id`).all() as Row[]).map(toEntry);
  }

  /** The next queued write (the head of the line), without reading the rest. */
  nextQueued(): OutboxEntry | null {
    const r = this.db.prepare(`SELECT * FROM outbox WHERE status = 'queued' ORDER BY id LIMIT 1`).get() as Row | undefined;
    return r ? toEntry(r) : null;
  }

  countByStatus(): Partial<Record<OutboxStatus, number>> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM outbox GROUP BY status').all() as Array<{ status: OutboxStatus; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Compare-and-set: moves the row to `to` only if it is in one of `from`; false when it was not. */
  transition(sendId: string, from: readonly OutboxStatus[], to: OutboxStatus, patch: OutboxPatch = {}, now: number = this.ctx.now()): boolean {
    const sets = ['status = ?', 'updated_at = ?'];
    const vals: unknown[] = [to, now];
    const put = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      vals.push(v);
    };
    if (patch.reason !== undefined) put('reason', patch.reason);
    if (patch.notBefore !== undefined) put('not_before', patch.notBefore);
    if (patch.decidedBy !== undefined) put('decided_by', patch.decidedBy);
    if (patch.result !== undefined) put('result', patch.result === null ? null : JSON.stringify(patch.result));
    if (patch.error !== undefined) put('error', patch.error);
    const sql = `UPDATE outbox SET ${sets.join(', ')} WHERE send_id = ? AND status IN (${from.map(() => '?').join(',')})`;
    return this.db.prepare(sql).run(...vals, sendId, ...from).changes === 1;
  }

  /** Pending approvals whose time is up. */
  expiredPending(now: number): OutboxEntry[] {
    return (this.db.prepare(`SELECT * FROM outbox WHERE status = 'pending_approval' AND expires_at <= ? ORDER BY id`).all(now) as Row[]).map(toEntry);
  }

  /** Whether we ever wrote in this chat: a message of ours in the store, or a send in the pacing log. */
  wroteTo(chatJid: string): boolean {
    const own = this.db
      .prepare('SELECT 1 FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.jid = ? AND m.from_me = 1 LIMIT 1')
      .get(chatJid);
    if (own) return true;
    return this.db.prepare('SELECT 1 FROM send_log WHERE chat_jid = ? LIMIT 1').get(chatJid) !== undefined;
  }

  /** Records a message going out, for pacing; returns the entry's id so a failed send can take it back. */
  logSend(chatJid: string, newRecipient: boolean, at: number): number {
    return Number(this.db.prepare('INSERT INTO send_log (at, chat_jid, new_recipient) VALUES (?, ?, ?)').run(at, chatJid, newRecipient ? 1 : 0).lastInsertRowid);
  }

  unlogSend(id: number): void {
    this.db.prepare('DELETE FROM send_log WHERE rowid = ?').run(id);
  }

  /** Sends since `since` (oldest first), for the pacing rules; the log older than a day is pruned here. */
  sendsSince(since: number): Array<{ at: number; chatJid: string; newRecipient: boolean }> {
    this.db.prepare('DELETE FROM send_log WHERE at < ?').run(since - 86_400_000);
    const rows = this.db.prepare('SELECT at, chat_jid, new_recipient FROM send_log WHERE at >= ? ORDER BY at').all(since) as Array<{ at: number; chat_jid: string; new_recipient: number }>;
    return rows.map((r) => ({ at: r.at, chatJid: r.chat_jid, newRecipient: r.new_recipient === 1 }));
  }
}

export type AuditDecision = 'auto' | 'elicited' | 'declined' | 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled' | 'denied' | 'queued';

export interface AuditEntry {
  id: number;
  at: number;
  tool: string;
  client: string | null;
  sessionId: string | null;
  chatJid: string | null;
  recipient: string | null;
  summary: string;
  decision: AuditDecision;
  result: string;
  sendId: string | null;
}

/** The append-only audit log: one line per decision about a write. */
export class AuditRepo {
  private readonly insertStmt: Database.Statement<unknown[]>;

  constructor(private readonly ctx: StoreContext) {
    this.insertStmt = ctx.db.prepare(
      'INSERT INTO audit_log (at, tool, client, session_id, chat_jid, recipient, summary, decision, result, send_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
  }

  append(e: Omit<AuditEntry, 'id' | 'at'> & { at?: number }): void {
    this.insertStmt.run(e.at ?? this.ctx.now(), e.tool, e.client, e.sessionId, e.chatJid, e.recipient, e.summary, e.decision, e.result, e.sendId);
  }

  /** Oldest first from `afterId`, in pages (the JSONL export streams them). */
  page(afterId: number, limit: number): AuditEntry[] {
    const rows = this.ctx.db
      .prepare('SELECT id, at, tool, client, session_id, chat_jid, recipient, summary, decision, result, send_id FROM audit_log WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit) as Array<{ id: number; at: number; tool: string; client: string | null; session_id: string | null; chat_jid: string | null; recipient: string | null; summary: string; decision: AuditDecision; result: string; send_id: string | null }>;
    return rows.map((r) => ({ id: r.id, at: r.at, tool: r.tool, client: r.client, sessionId: r.session_id, chatJid: r.chat_jid, recipient: r.recipient, summary: r.summary, decision: r.decision, result: r.result, sendId: r.send_id }));
  }

  /** Newest first, for the admin UI. */
  recent(limit: number): AuditEntry[] {
    const maxId = (this.ctx.db.prepare('SELECT COALESCE(MAX(id), 0) AS m FROM audit_log').get() as { m: number }).m;
    return this.page(Math.max(0, maxId - limit), limit).reverse();
  }
}
