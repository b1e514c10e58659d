/**
 * Admin viewer data: GET /api/chats?limit&offset&q → `{chats, total, limit, offset}` (newest first;
 * `q` matches name or id) and GET /api/chats/:jid/messages?limit&cursor → `{chatId, messages, limit,
 * hasMore, nextCursor}`: the newest page (or the page older than `cursor`), in chronological order.
 * Messages are read through `MessagesRepo.list`, the same doclist-driven path as `list_messages`, so
 * every page costs the same however deep it is (no OFFSET walk).
 */
import { Router, type Request } from 'express';
import type { Store, Chat } from '../../store/index.js';
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
    const cursor = req.query.cursor;
    if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) throw badRequest('cursor must be the nextCursor of the previous page');
    const chat = store.chats.get(jid);
    if (!chat) throw notFound(`no chat ${jid}`);
    const page = store.messages.list(chat.id, { limit, cursor });
    res.json({ chatId: chat.id, messages: page.items, limit, hasMore: page.nextCursor !== undefined, nextCursor: page.nextCursor ?? null });
  });
  r.all('/chats/:jid/messages', methodNotAllowed(['GET']));
  return r;
}
