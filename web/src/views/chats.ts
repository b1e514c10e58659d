/**
 * Chats viewer: a searchable, paginated chat list that re-sorts itself live; a chat's messages (opening at
 * the newest, on every screen size) that grow live from GET /api/chats/events, with local times, date
 * separators, media inline where it is stored (images, stickers, audio and video players, documents as
 * links) and protocol stubs hidden; opening a chat marks it read; message full-text search with highlighted hits that jump to the message
 * in its thread; lazily loaded avatars; per-chat ZIP export.
 */
import { ApiError, describeError, getJson, postJson } from '../api.js';
import { clear, h } from '../dom.js';
import { chatListTime, dayLabel, displayJid, mediaLabel, sameLocalDay, timeOfDay, toMs } from '../format.js';
import type { Chat, Message } from '../types.js';

const PAGE = 25;
const MSG_PAGE = 50;
/** How far back a search hit is looked for in its thread (pages of MSG_PAGE). */
const HIT_PAGES = 20;

interface StoredMedia {
  url: string;
  mime: string;
  size: number;
  name: string | null;
}
interface Hit {
  message: Message;
  snippet: string;
  chatName: string;
}

/** Protocol stubs (key distribution, receipts of edits…) are bookkeeping, not messages a person wrote. */
export const isStub = (m: Pick<Message, 'type' | 'body' | 'hasMedia'>): boolean =>
  m.type === 'protocol' || (!m.hasMedia && /^\[\[[a-z]+\]\]$/i.test(m.body.trim()));

/** "a **b** c" → text and <mark> nodes (the store marks matched terms with `**`). */
export function highlighted(snippet: string): Node[] {
  return snippet.split('**').map((part, i) => (i % 2 === 1 ? h('mark', null, part) : document.createTextNode(part)));
}

function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function chatsView(): { el: HTMLElement; dispose: () => void } {
  const search = h('input', { type: 'search', placeholder: 'Search chats and messages', 'aria-label': 'Search chats and messages', 'data-testid': 'chat-search' });
  const list = h('ul', { class: 'chat-list', 'data-testid': 'chat-list', 'aria-label': 'Chats' });
  const pager = h('div', { class: 'pager' });
  const hitsTitle = h('h3', { class: 'sub-title', hidden: true }, 'Messages');
  const hitsList = h('ul', { class: 'hit-list', 'data-testid': 'search-hits', hidden: true, 'aria-label': 'Messages matching the search' });
  const listScroll = h('div', { class: 'list-scroll' }, list, pager, hitsTitle, hitsList);
  const listPane = h('section', { class: 'card chat-list-card', 'aria-labelledby': 'chats-h' }, h('h2', { class: 'card-title', id: 'chats-h' }, 'Chats'), search, listScroll);
  // A scroll area without focusable content: focusable itself, so the keyboard can scroll it.
  const thread = h('div', { class: 'thread', 'data-testid': 'thread', tabindex: 0, role: 'region', 'aria-label': 'Messages of the selected chat' });
  const threadHead = h('div', { class: 'thread-head' });
  const jump = h('button', { type: 'button', class: 'btn btn-small jump-newest', hidden: true, 'data-testid': 'jump-newest' }, 'New messages ↓');
  const threadPane = h('section', { class: 'card thread-card', 'aria-label': 'Messages' }, threadHead, thread, jump);
  const el = h('div', { class: 'chats' }, listPane, threadPane);

  let offset = 0;
  let q = '';
  let seq = 0;
  let selected: string | null = null;
  /** The open thread's live hooks (set by openChat). */
  let openThread: { chatId: string; refresh(): Promise<void>; reveal(id: string): Promise<boolean> } | null = null;
  let mediaTimer: ReturnType<typeof setTimeout> | null = null;

  const showEmptyThread = () => {
    clear(threadHead);
    clear(thread);
    thread.append(h('p', { class: 'muted empty-thread' }, 'Select a chat to read its messages.'));
    el.classList.remove('show-thread');
  };

  const loadChats = async () => {
    const my = ++seq;
    list.setAttribute('aria-busy', 'true');
    try {
      const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
      if (q) params.set('q', q);
      const r = await getJson<{ chats: Chat[]; total?: number; hasMore?: boolean }>(`/api/chats?${params}`);
      if (my !== seq) return;
      clear(list);
      clear(pager);
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

  let hitSeq = 0;
  const searchMessages = async () => {
    const my = ++hitSeq;
    if (q.length < 2) {
      hitsTitle.hidden = true;
      hitsList.hidden = true;
      clear(hitsList);
      return;
    }
    try {
      const r = await getJson<{ hits: Hit[] }>(`/api/search/messages?${new URLSearchParams({ q, limit: '30' })}`);
      if (my !== hitSeq) return;
      clear(hitsList);
      hitsTitle.hidden = false;
      hitsList.hidden = false;
      const hits = r.hits.filter((x) => !isStub(x.message));
      if (hits.length === 0) hitsList.append(h('li', { class: 'muted pad' }, `No message contains “${q}”.`));
      for (const hit of hits) {
        const m = hit.message;
        const btn = h(
          'button',
          { type: 'button', class: 'hit-item', 'data-hit': m.id },
          h('span', { class: 'hit-head' }, h('span', { class: 'chat-name' }, hit.chatName || displayJid(m.chatId)), h('time', { class: 'small muted', datetime: new Date(toMs(m.timestamp)).toISOString() }, chatListTime(toMs(m.timestamp)))),
          h('span', { class: 'hit-snippet' }, ...highlighted(hit.snippet || m.body)),
        );
        btn.addEventListener('click', () => void openChat({ id: m.chatId, name: hit.chatName, isGroup: m.chatId.endsWith('@g.us'), unreadCount: 0, timestamp: m.timestamp }, m.id));
        hitsList.append(h('li', null, btn));
      }
    } catch (err) {
      if (my !== hitSeq) return;
      clear(hitsList);
      hitsTitle.hidden = false;
      hitsList.hidden = false;
      hitsList.append(h('li', { class: err instanceof ApiError && err.notAvailable ? 'muted pad' : 'error pad' }, err instanceof ApiError && err.notAvailable ? 'Message search is not available on this server.' : describeError(err)));
    }
  };

  const avatar = (c: Chat) => {
    const initial = (c.name || displayJid(c.id)).replace(/^\+/, '').slice(0, 1).toUpperCase();
    const span = h('span', { class: 'avatar', 'aria-hidden': 'true' }, initial);
    // Lazily, and only once the row is on screen; a missing picture keeps the initial.
    const img = h('img', { class: 'avatar-img', alt: '', loading: 'lazy', decoding: 'async', referrerpolicy: 'no-referrer', src: `/api/avatar/${encodeURIComponent(c.id)}` });
    img.addEventListener('load', () => span.classList.add('has-img'));
    img.addEventListener('error', () => img.remove());
    span.append(img);
    return span;
  };

  const chatItem = (c: Chat) => {
    const last = c.lastMessage && !isStub(c.lastMessage) ? c.lastMessage : undefined;
    const preview = last ? (mediaLabel(last) ? `[${mediaLabel(last)}]${last.body ? ` ${last.body}` : ''}` : last.body) : '';
    const unread = selected === c.id ? 0 : c.unreadCount;
    const btn = h(
      'button',
      { type: 'button', class: `chat-item${selected === c.id ? ' selected' : ''}`, 'data-jid': c.id, 'aria-current': selected === c.id ? 'true' : undefined },
      avatar(c),
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
        unread > 0 ? h('span', { class: 'unread', 'aria-label': `${unread} unread` }, String(unread)) : null,
      ),
    );
    btn.addEventListener('click', () => void openChat(c));
    return h('li', null, btn);
  };

  const markSelected = (id: string) => {
    list.querySelectorAll('.chat-item').forEach((x) => {
      const on = (x as HTMLElement).dataset.jid === id;
      x.classList.toggle('selected', on);
      if (on) {
        x.setAttribute('aria-current', 'true');
        x.querySelector('.unread')?.remove();
      } else x.removeAttribute('aria-current');
    });
  };

  const openChat = async (c: Chat, revealId?: string) => {
    selected = c.id;
    if (mediaTimer) clearTimeout(mediaTimer);
    mediaTimer = null;
    markSelected(c.id);
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
    jump.hidden = true;
    const messages: Message[] = [];
    const media = new Map<string, StoredMedia>();
    /** Media messages whose file was not stored when last asked (auto-download may still be running). */
    const mediaPending = new Set<string>();
    // Keyset paging towards older messages: `null` before the first page, then the server's nextCursor.
    let cursor: string | null = null;
    let loaded = false;
    const older = h('button', { type: 'button', class: 'btn btn-small older' }, 'Load older messages');
    const body = h('div', { class: 'messages' });
    thread.append(body);
    const nearBottom = () => thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80;

    const mediaEl = (m: Message, f: StoredMedia): HTMLElement => {
      const label = mediaLabel(m) ?? 'Attachment';
      if (f.mime.startsWith('image/')) {
        const img = h('img', { class: 'msg-img', src: f.url, alt: m.body ? `${label}: ${m.body}` : label, loading: 'lazy', decoding: 'async' });
        // Images grow the thread as they load: stay at the newest if that is where the reader is.
        img.addEventListener('load', () => {
          if (stick) thread.scrollTop = thread.scrollHeight;
        });
        return h('a', { class: 'msg-media', href: f.url, target: '_blank', rel: 'noopener', 'aria-label': `Open ${label.toLowerCase()} in a new tab` }, img);
      }
      if (f.mime.startsWith('audio/')) return h('audio', { class: 'msg-audio', controls: true, preload: 'none', src: f.url, 'aria-label': label });
      if (f.mime.startsWith('video/')) return h('video', { class: 'msg-video', controls: true, preload: 'metadata', src: f.url, 'aria-label': label });
      return h('a', { class: 'msg-doc', href: f.url, target: '_blank', rel: 'noopener' }, `${f.name ?? label} · ${sizeText(f.size)}`);
    };

    let stick = true;
    const render = (keepBottom: boolean) => {
      const prevHeight = thread.scrollHeight - thread.scrollTop;
      clear(body);
      const shown = messages.filter((m) => !isStub(m));
      if (shown.length === 0) body.append(h('p', { class: 'muted pad' }, 'No messages stored for this chat.'));
      if (loaded && older.dataset.done !== 'true') body.prepend(older);
      let prevTs: number | null = null;
      for (const m of shown) {
        const ts = toMs(m.timestamp);
        if (prevTs === null || !sameLocalDay(prevTs, ts)) body.append(h('div', { class: 'day-sep', role: 'separator' }, h('span', null, dayLabel(ts))));
        prevTs = ts;
        const label = mediaLabel(m);
        const stored = media.get(m.id);
        body.append(
          h(
            'div',
            { class: `msg ${m.fromMe ? 'msg-out' : 'msg-in'}`, 'data-id': m.id },
            c.isGroup && !m.fromMe ? h('div', { class: 'msg-from' }, displayJid(m.from)) : null,
            stored
              ? mediaEl(m, stored)
              : label
                ? h('div', { class: 'media-line' }, h('span', { class: 'media-label' }, label), m.hasMedia ? h('span', { class: 'media-note' }, 'not downloaded') : null)
                : null,
            m.body ? h('div', { class: 'msg-body' }, m.body) : null,
            h('time', { class: 'msg-time', datetime: new Date(ts).toISOString(), title: new Date(ts).toLocaleString() }, timeOfDay(ts)),
          ),
        );
      }
      stick = keepBottom;
      thread.scrollTop = keepBottom ? thread.scrollHeight : thread.scrollHeight - prevHeight;
    };

    const lookupMedia = async (ids: string[]) => {
      if (ids.length === 0) return false;
      try {
        const r = await getJson<{ media: Record<string, StoredMedia> }>(`/api/media/of-messages?ids=${ids.map(encodeURIComponent).join(',')}`);
        let found = false;
        for (const id of ids) {
          const f = r.media[id];
          if (f) {
            media.set(id, f);
            mediaPending.delete(id);
            found = true;
          } else mediaPending.add(id);
        }
        return found;
      } catch {
        return false; // an older server: labels only
      }
    };

    const merge = (page: Message[]) => {
      const known = new Set(messages.map((m) => m.id));
      const fresh = page.filter((m) => !known.has(m.id));
      messages.push(...fresh);
      messages.sort((a, b) => toMs(a.timestamp) - toMs(b.timestamp));
      return fresh;
    };

    const fetchPage = (from: string | null) => {
      const params = new URLSearchParams({ limit: String(MSG_PAGE) });
      if (from) params.set('cursor', from);
      return getJson<{ messages: Message[]; hasMore?: boolean; nextCursor?: string | null }>(`/api/chats/${encodeURIComponent(c.id)}/messages?${params}`);
    };

    const loadOlder = async (first: boolean) => {
      try {
        const r = await fetchPage(cursor);
        if (selected !== c.id) return;
        const fresh = merge(r.messages);
        loaded = true;
        cursor = r.nextCursor ?? null;
        if (!r.hasMore || !cursor) older.dataset.done = 'true';
        await lookupMedia(fresh.filter((m) => m.hasMedia).map((m) => m.id));
        if (selected !== c.id) return;
        render(first);
      } catch (err) {
        clear(body);
        body.append(h('p', { class: 'error pad' }, err instanceof ApiError && err.notAvailable ? 'Messages are not available on this server yet.' : describeError(err)));
      }
    };
    older.addEventListener('click', () => void loadOlder(false));

    /**
     * Reading the thread marks it read on WhatsApp too (read receipts, as the mark_as_read tool does). Only
     * while the tab is visible; a failure (not connected) just leaves it unread.
     */
    const markRead = () => {
      if (document.visibilityState !== 'visible' || selected !== c.id) return;
      postJson(`/api/chats/${encodeURIComponent(c.id)}/read`, {}).catch(() => {});
    };

    /** New messages arrived in this chat: fetch the newest page and append what is new. */
    const refresh = async () => {
      const r = await fetchPage(null);
      if (selected !== c.id) return;
      const atBottom = nearBottom();
      const fresh = merge(r.messages);
      const retry = [...mediaPending];
      const changed = await lookupMedia([...fresh.filter((m) => m.hasMedia).map((m) => m.id), ...retry]);
      if (selected !== c.id || (fresh.length === 0 && !changed)) return;
      if (fresh.some((m) => !m.fromMe && !isStub(m))) markRead();
      if (atBottom) render(true);
      else {
        render(false);
        if (fresh.some((m) => !isStub(m))) jump.hidden = false;
      }
    };

    /** Loads older pages until message `id` is in the thread, then scrolls to it and flashes it. */
    const reveal = async (id: string) => {
      for (let i = 0; i < HIT_PAGES && !messages.some((m) => m.id === id) && older.dataset.done !== 'true'; i++) {
        await loadOlder(false);
        if (selected !== c.id) return false;
      }
      const target = body.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      if (!target) return false;
      stick = false;
      target.scrollIntoView({ block: 'center' });
      target.classList.add('msg-hit');
      target.tabIndex = -1;
      target.focus({ preventScroll: true });
      return true;
    };

    /** Media that auto-download is still fetching shows up by itself: ask again a few times, then stop. */
    let mediaTries = 0;
    const retryMedia = () => {
      if (mediaPending.size === 0 || mediaTries >= 5 || mediaTimer) return;
      mediaTries++;
      mediaTimer = setTimeout(() => {
        mediaTimer = null;
        if (openThread?.chatId !== c.id) return;
        void lookupMedia([...mediaPending]).then((found) => {
          if (found && selected === c.id) render(nearBottom());
          retryMedia();
        });
      }, 1500);
    };
    // One refresh at a time; one more after it when messages arrived meanwhile.
    let refreshing: Promise<void> | null = null;
    let again = false;
    const refreshAndRetry = async (): Promise<void> => {
      if (refreshing) {
        again = true;
        return refreshing;
      }
      refreshing = (async () => {
        try {
          do {
            again = false;
            mediaTries = 0;
            await refresh();
          } while (again && selected === c.id);
        } finally {
          refreshing = null;
        }
        retryMedia();
      })();
      return refreshing;
    };

    openThread = { chatId: c.id, refresh: refreshAndRetry, reveal };
    await loadOlder(true);
    markRead();
    if (revealId && selected === c.id) await reveal(revealId);
    retryMedia();
  };

  thread.addEventListener('scroll', () => {
    if (thread.scrollHeight - thread.scrollTop - thread.clientHeight < 80) jump.hidden = true;
  });
  jump.addEventListener('click', () => {
    thread.scrollTop = thread.scrollHeight;
    jump.hidden = true;
  });

  // Live: new messages re-sort the list (first page, no filter: the newest first) and grow the open thread.
  let es: EventSource | null = null;
  let listTimer: ReturnType<typeof setTimeout> | null = null;
  let changed = new Set<string>();
  const connect = () => {
    es = new EventSource('/api/chats/events', { withCredentials: true });
    es.addEventListener('messages', (ev) => {
      let chatIds: string[] = [];
      try {
        chatIds = (JSON.parse((ev as MessageEvent<string>).data) as { chatIds?: string[] }).chatIds ?? [];
      } catch {
        return;
      }
      for (const id of chatIds) changed.add(id);
      // Throttled, not debounced: a steady stream of messages must not starve the update.
      listTimer ??= setTimeout(() => {
        listTimer = null;
        const ids = changed;
        changed = new Set();
        if (openThread && ids.has(openThread.chatId)) void openThread.refresh().catch(() => {});
        if (offset === 0) void loadChats();
        if (q.length >= 2) void searchMessages();
      }, 150);
    });
    // The page's state stream takes the operator to sign-in; this one just stops.
    es.addEventListener('session-ended', () => es?.close());
  };
  connect();

  let debounce: ReturnType<typeof setTimeout> | null = null;
  search.addEventListener('input', () => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => {
      q = search.value.trim();
      offset = 0;
      void loadChats();
      void searchMessages();
    }, 250);
  });

  showEmptyThread();
  void loadChats();
  return {
    el,
    dispose: () => {
      if (debounce) clearTimeout(debounce);
      if (listTimer) clearTimeout(listTimer);
      if (mediaTimer) clearTimeout(mediaTimer);
      es?.close();
      es = null;
      openThread = null;
      selected = null;
    },
  };
}
