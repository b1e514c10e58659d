/**
 * Admin viewer data: GET /api/chats?limit&offset&q → `{chats, total, limit, offset}` (newest first;
 * `q` matches name or id) and GET /api/chats/:jid/messages?limit&offset → `{chatId, messages, limit,
 * offset, hasMore}`: the page `offset` messages back from the newest, in chronological order.
 */
import { Router, type Request } from 'express';
import type Database from 'better-sqlite3';
import type { Store, Chat, Message } from '../../store/index.js';
import { MESSAGE_COLUMNS, MESSAGE_JOINS, rowToMessage, type MessageRow } from '../../store/repos/message-row.js';
import { badRequest, methodNotAllowed, notFound } from '../errors.js';

function intParam(req: Request, name: string, dflt: number, min: number, max: number): number {
  const v = req.query[name];
  if (v === undefined || v === '') return dflt;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function chatsRoutes(store: Store): Router {
  const r = Router();
  let page: Database.Statement<[number, number, number], MessageRow> | null = null;
  const messagesPage = (chatRowId: number, limit: number, offset: number): MessageRow[] => {
    page ??= store.db.prepare(`SELECT ${MESSAGE_COLUMNS} FROM messages m ${MESSAGE_JOINS} WHERE m.chat_id = ? ORDER BY m.id DESC LIMIT ? OFFSET ?`);
    return page.all(chatRowId, limit, offset);
  };

  r.get('/chats', (req, res) => {
    const limit = intParam(req, 'limit', 50, 1, 500);
    const offset = intParam(req, 'offset', 0, 0, 100_000);
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
    // The store pages by keyset cursor; walk pages up to the offset (bounded by the offset cap).
    const chats: Chat[] = [];
    let skipped = 0;
    let cursor: string | undefined;
    let more = true;
    while (chats.length < limit && more) {
      const want = skipped < offset ? Math.min(500, offset - skipped) : limit - chats.length;
      const p = store.chats.listChats({ limit: want, cursor, query: q || undefined, includeLastMessage: skipped >= offset });
      if (skipped < offset) skipped += p.items.length;
      else chats.push(...p.items);
      cursor = p.nextCursor;
      more = cursor !== undefined;
    }
    const body: { chats: Chat[]; limit: number; offset: number; total?: number; hasMore: boolean } = { chats, limit, offset, hasMore: more };
    if (!q) body.total = store.counters.get().chats;
    res.json(body);
  });
  r.all('/chats', methodNotAllowed(['GET']));

  r.get('/chats/:jid/messages', (req, res) => {
    const jid = String(req.params.jid);
    const limit = intParam(req, 'limit', 50, 1, 500);
    const offset = intParam(req, 'offset', 0, 0, 10_000_000);
    const rowId = store.chats.findId(jid);
    if (rowId === undefined) throw notFound(`no chat ${jid}`);
    const rows = messagesPage(rowId, limit + 1, offset);
    const hasMore = rows.length > limit;
    const messages: Message[] = rows.slice(0, limit).reverse().map(rowToMessage);
    res.json({ chatId: store.chats.get(jid)?.id ?? jid, messages, limit, offset, hasMore });
  });
  r.all('/chats/:jid/messages', methodNotAllowed(['GET']));
  return r;
}
