/**
 * What the admin chat viewer needs beyond the chat pages (chats.ts):
 * - GET /api/chats/events — SSE: `messages` {chatIds} whenever the adapter stored new messages, so an open
 *   thread appends them and the list re-sorts without polling. Ends with the session (session-streams.ts).
 * - GET /api/search/messages?q&limit&chat — message full-text search through the store facade:
 *   `{hits: [{message, snippet, chatName}], truncated}`; the snippet marks matched terms with `**`.
 * - POST /api/chats/:jid/read {upTo?} — marks the chat read (WhatsApp read receipts for the incoming messages it
 *   covers, then the read marker): `{chatId, receipts, unreadCount}`; 409/503 while WhatsApp is not connected.
 * - GET /api/media/of-messages?ids=a,b — which of these messages have their media stored, with the
 *   `/media/<file>` path (served with the admin session cookie) and type: `{media: {<id>: {url, mime, size, name}}}`.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { ChatsService } from '../../services/chats.js';
import type { Store } from '../../store/index.js';
import { badRequest, methodNotAllowed } from '../errors.js';
import { sendSse, startSse } from '../sse.js';
import type { SessionStreams } from './session-streams.js';

/** New stored messages per chat, fanned out to the open chat streams. */
export class ChatEvents {
  private readonly listeners = new Set<(chatIds: string[]) => void>();

  publish(chatIds: readonly string[]): void {
    if (chatIds.length === 0) return;
    const ids = [...new Set(chatIds)];
    for (const l of this.listeners) l(ids);
  }

  subscribe(l: (chatIds: string[]) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

export interface LiveChatDeps {
  store: Store;
  /** Opening a chat marks it read through the same path as the mark_as_read tool (read receipts, then the marker). */
  chats?: Pick<ChatsService, 'markAsRead'>;
  events: ChatEvents;
  streams?: SessionStreams;
  heartbeatMs?: number;
}

const MAX_IDS = 200;

export function liveChatRoutes(deps: LiveChatDeps): Router {
  const { store } = deps;
  const r = Router();

  r.get('/chats/events', (req, res) => {
    startSse(res);
    sendSse(res, 'ready', {});
    // Coalesce a burst (history sync stores thousands of messages in chunks) into one event per tick.
    let pending = new Set<string>();
    let flush: ReturnType<typeof setTimeout> | null = null;
    const off = deps.events.subscribe((ids) => {
      for (const id of ids) pending.add(id);
      flush ??= setTimeout(() => {
        flush = null;
        const chatIds = [...pending].slice(0, MAX_IDS);
        pending = new Set();
        sendSse(res, 'messages', { chatIds });
      }, 50);
    });
    const beat = setInterval(() => res.write(`: heartbeat ${Date.now()}\n\n`), deps.heartbeatMs ?? 15_000);
    let release = () => {};
    const cleanup = () => {
      clearInterval(beat);
      if (flush) clearTimeout(flush);
      off();
      release();
    };
    release =
      deps.streams?.attach(req, (why) => {
        cleanup();
        sendSse(res, 'session-ended', { reason: why });
        res.end();
      }) ?? release;
    req.on('close', cleanup);
  });
  r.all('/chats/events', methodNotAllowed(['GET']));

  const ReadBody = z.object({ upTo: z.string().min(1).max(300).optional() }).strict();
  r.post('/chats/:jid/read', async (req, res) => {
    if (!deps.chats) throw badRequest('marking read is not available');
    const body = ReadBody.safeParse(req.body ?? {});
    if (!body.success) throw badRequest('expected JSON {"upTo"?: "<message id>"}');
    const r2 = await deps.chats.markAsRead(String(req.params.jid), body.data.upTo);
    res.json({ chatId: r2.chatId, receipts: r2.receipts, unreadCount: r2.unreadCount });
  });
  r.all('/chats/:jid/read', methodNotAllowed(['POST']));

  r.get('/search/messages', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (q === '' || q.length > 200) throw badRequest('q: 1 to 200 characters');
    const rawLimit = typeof req.query.limit === 'string' ? Number(req.query.limit) : 30;
    if (!Number.isInteger(rawLimit) || rawLimit < 1 || rawLimit > 100) throw badRequest('limit must be an integer from 1 to 100');
    const chat = typeof req.query.chat === 'string' && req.query.chat !== '' ? req.query.chat : undefined;
    const result = store.messages.search(q, { limit: rawLimit, ...(chat ? { chatId: chat } : {}) });
    const names = new Map<string, string>();
    const nameOf = (id: string) => {
      if (!names.has(id)) names.set(id, store.chats.get(id)?.name ?? '');
      return names.get(id) ?? '';
    };
    res.json({
      hits: result.hits.map((hit) => ({ message: hit.message, snippet: hit.snippet, chatName: nameOf(hit.message.chatId) })),
      truncated: result.truncated,
    });
  });
  r.all('/search/messages', methodNotAllowed(['GET']));

  r.get('/media/of-messages', (req, res) => {
    const raw = typeof req.query.ids === 'string' ? req.query.ids : '';
    const ids = raw.split(',').filter((x) => x !== '');
    if (ids.length === 0 || ids.length > MAX_IDS) throw badRequest(`ids: 1 to ${MAX_IDS} message ids, comma-separated`);
    const media: Record<string, { url: string; mime: string; size: number; name: string | null }> = {};
    for (const id of ids) {
      const f = store.media.getByMessage(id);
      if (f) media[id] = { url: `/media/${encodeURIComponent(f.fileName)}`, mime: f.mime, size: f.size, name: f.originalName };
    }
    res.json({ media });
  });
  r.all('/media/of-messages', methodNotAllowed(['GET']));
  return r;
}
