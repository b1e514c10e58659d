/**
 * Chats viewer: searchable, paginated chat list; a chat's messages with local times, date separators
 * and media labels; per-chat ZIP export.
 */
import { ApiError, describeError, getJson } from '../api.js';
import { clear, h } from '../dom.js';
import { chatListTime, dayLabel, displayJid, mediaLabel, sameLocalDay, timeOfDay, toMs } from '../format.js';
import type { Chat, Message } from '../types.js';

const PAGE = 25;
const MSG_PAGE = 50;

export function chatsView(): { el: HTMLElement; dispose: () => void } {
  const search = h('input', { type: 'search', placeholder: 'Search chats', 'aria-label': 'Search chats', 'data-testid': 'chat-search' });
  const list = h('ul', { class: 'chat-list', 'data-testid': 'chat-list' });
  const pager = h('div', { class: 'pager' });
  const listPane = h('section', { class: 'card chat-list-card', 'aria-label': 'Chats' }, h('h2', { class: 'card-title' }, 'Chats'), search, list, pager);
  // A scroll area without focusable content: focusable itself, so the keyboard can scroll it.
  const thread = h('div', { class: 'thread', 'data-testid': 'thread', tabindex: 0, role: 'region', 'aria-label': 'Messages of the selected chat' });
  const threadHead = h('div', { class: 'thread-head' });
  const threadPane = h(
    'section',
    { class: 'card thread-card', 'aria-label': 'Messages' },
    threadHead,
    thread,
  );
  const el = h('div', { class: 'chats' }, listPane, threadPane);

  let offset = 0;
  let q = '';
  let seq = 0;
  let selected: string | null = null;

  const showEmptyThread = () => {
    clear(threadHead);
    clear(thread);
    thread.append(h('p', { class: 'muted empty-thread' }, 'Select a chat to read its messages.'));
    el.classList.remove('show-thread');
  };

  const loadChats = async () => {
    const my = ++seq;
    clear(pager);
    list.setAttribute('aria-busy', 'true');
    try {
      const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (q) params.set('q', q);
      const r = await getJson<{ chats: Chat[]; total?: number; hasMore?: boolean }>(`/api/chats?${params}`);
      if (my !== seq) return;
      clear(list);
      if (r.chats.length === 0) list.append(h('li', { class: 'muted pad' }, q ? `No chat matches “${q}”.` : 'No chats yet.'));
      for (const c of r.chats) list.append(chatItem(c));
      const total = r.total;
      const from = r.chats.length ? offset + 1 : 0;
      const to = offset + r.chats.length;
      const prev = h('button', { type: 'button', class: 'btn btn-small', disabled: offset === 0 }, '‹ Newer');
      const more = r.hasMore ?? (total !== undefined ? to < total : r.chats.length === PAGE);
      const next = h('button', { type: 'button', class: 'btn btn-small', disabled: !more }, 'Older ›');
      prev.addEventListener('click', () => {
        offset = Math.max(0, offset - PAGE);
        void loadChats();
      });
      next.addEventListener('click', () => {
        offset += PAGE;
        void loadChats();
      });
      if (r.chats.length > 0 || offset > 0) {
        pager.append(prev, h('span', { class: 'small muted' }, total !== undefined ? `${from}–${to} of ${total}` : `${from}–${to}`), next);
      }
    } catch (err) {
      if (my !== seq) return;
      clear(list);
      list.append(
        h('li', { class: err instanceof ApiError && err.notAvailable ? 'muted pad' : 'error pad', 'data-testid': 'chats-unavailable' }, err instanceof ApiError && err.notAvailable ? 'The chat viewer is not available on this server yet.' : describeError(err)),
      );
    } finally {
      list.removeAttribute('aria-busy');
    }
  };

  const chatItem = (c: Chat) => {
    const last = c.lastMessage;
    const preview = last ? (mediaLabel(last) ? `[${mediaLabel(last)}]${last.body ? ` ${last.body}` : ''}` : last.body) : '';
    const btn = h(
      'button',
      { type: 'button', class: `chat-item${selected === c.id ? ' selected' : ''}`, 'data-jid': c.id, 'aria-current': selected === c.id ? 'true' : undefined },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, (c.name || displayJid(c.id)).replace(/^\+/, '').slice(0, 1).toUpperCase()),
      h(
        'span',
        { class: 'chat-main' },
        h('span', { class: 'chat-name' }, c.name || displayJid(c.id), c.isGroup ? h('span', { class: 'tag' }, 'group') : null),
        h('span', { class: 'chat-preview' }, last?.fromMe ? `You: ${preview}` : preview),
      ),
      h(
        'span',
        { class: 'chat-meta' },
        c.timestamp ? h('time', { datetime: new Date(toMs(c.timestamp)).toISOString() }, chatListTime(toMs(c.timestamp))) : null,
        c.unreadCount > 0 ? h('span', { class: 'unread', 'aria-label': `${c.unreadCount} unread` }, String(c.unreadCount)) : null,
      ),
    );
    btn.addEventListener('click', () => {
      selected = c.id;
      list.querySelectorAll('.chat-item.selected').forEach((x) => {
        x.classList.remove('selected');
        x.removeAttribute('aria-current');
      });
      btn.classList.add('selected');
      btn.setAttribute('aria-current', 'true');
      void openChat(c);
    });
    return h('li', null, btn);
  };

  const openChat = async (c: Chat) => {
    el.classList.add('show-thread');
    clear(threadHead);
    const back = h('button', { type: 'button', class: 'btn btn-small back' }, '‹ Chats');
    back.addEventListener('click', () => el.classList.remove('show-thread'));
    threadHead.append(
      back,
      h('div', { class: 'thread-title' }, h('h2', { class: 'card-title' }, c.name || displayJid(c.id)), h('span', { class: 'small muted' }, displayJid(c.id))),
      h('a', { class: 'btn btn-small', href: `/api/export/chat/${encodeURIComponent(c.id)}?include_media=true`, download: '', 'data-testid': 'export-link' }, 'Export ZIP'),
    );
    clear(thread);
    const messages: Message[] = [];
    // Keyset paging towards older messages: `null` before the first page, then the server's nextCursor.
    let cursor: string | null = null;
    let loaded = false;
    const older = h('button', { type: 'button', class: 'btn btn-small older' }, 'Load older messages');
    const body = h('div', { class: 'messages' });
    thread.append(body);
    const render = (keepBottom: boolean) => {
      const prevHeight = thread.scrollHeight - thread.scrollTop;
      clear(body);
      if (messages.length === 0) body.append(h('p', { class: 'muted pad' }, 'No messages stored for this chat.'));
      else if (loaded && older.dataset.done !== 'true') body.append(older);
      let prevTs: number | null = null;
      for (const m of messages) {
        const ts = toMs(m.timestamp);
        if (prevTs === null || !sameLocalDay(prevTs, ts)) body.append(h('div', { class: 'day-sep', role: 'separator' }, h('span', null, dayLabel(ts))));
        prevTs = ts;
        const label = mediaLabel(m);
        body.append(
          h(
            'div',
            { class: `msg ${m.fromMe ? 'msg-out' : 'msg-in'}`, 'data-id': m.id },
            c.isGroup && !m.fromMe ? h('div', { class: 'msg-from' }, displayJid(m.from)) : null,
            label ? h('div', { class: 'media-label' }, label) : null,
            m.body ? h('div', { class: 'msg-body' }, m.body) : null,
            h('time', { class: 'msg-time', datetime: new Date(ts).toISOString(), title: new Date(ts).toLocaleString() }, timeOfDay(ts)),
          ),
        );
      }
      thread.scrollTop = keepBottom ? thread.scrollHeight : thread.scrollHeight - prevHeight;
    };
    const load = async (first: boolean) => {
      try {
        const params = new URLSearchParams({ limit: String(MSG_PAGE) });
        if (cursor) params.set('cursor', cursor);
        const r = await getJson<{ messages: Message[]; hasMore?: boolean; nextCursor?: string | null }>(`/api/chats/${encodeURIComponent(c.id)}/messages?${params}`);
        if (selected !== c.id) return;
        const known = new Set(messages.map((m) => m.id));
        const fresh = r.messages.filter((m) => !known.has(m.id));
        messages.push(...fresh);
        messages.sort((a, b) => toMs(a.timestamp) - toMs(b.timestamp));
        loaded = true;
        cursor = r.nextCursor ?? null;
        if (!r.hasMore || !cursor) older.dataset.done = 'true';
        render(first);
      } catch (err) {
        clear(body);
        body.append(h('p', { class: 'error pad' }, err instanceof ApiError && err.notAvailable ? 'Messages are not available on this server yet.' : describeError(err)));
      }
    };
    older.addEventListener('click', () => void load(false));
    await load(true);
  };

  let debounce: ReturnType<typeof setTimeout> | null = null;
  search.addEventListener('input', () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      q = search.value.trim();
      offset = 0;
      void loadChats();
    }, 250);
  });

  showEmptyThread();
  void loadChats();
  return { el, dispose: () => debounce && clearTimeout(debounce) };
}
