/** Messages: chronological pages, full-text search, lookups, context, last interaction. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jidKind, splitMessageId, type ChatPresenceState, type Message, type PersonPresence } from '../store/index.js';
import type { ServiceDeps } from './context.js';
import { invalidInput, notFound } from '../errors.js';
import { Presenter, isStub, presenterFor, readableText, type MessageView, type NameBook } from './present.js';

export interface MediaInfo {
  mimetype: string | null;
  downloaded: boolean;
  fileName?: string;
  size?: number;
  /** Path under the server's `/media` route, when the file has been downloaded. */
  url?: string;
  /** Base64 bytes (only with `include_full_data` and for files up to `maxInlineBytes`). */
  data?: string;
}

export type MessageWithMedia = MessageView & { media?: MediaInfo };

export interface ListOptions {
  limit?: number;
  before?: number;
  after?: number;
  /** Sender: JID / LID / phone / "me" / a name resolved like resolve_contact. */
  from?: string;
  query?: string;
  onlyIncoming?: boolean;
  cursor?: string;
  includeMedia?: boolean;
  includeFullData?: boolean;
  mediaLimit?: number;
}

export interface SearchInput {
  chatId?: string;
  /** Author: JID, LID, phone, "me", or a name resolved like resolve_contact. */
  from?: string;
  limit?: number;
  since?: number;
  until?: number;
  cursor?: string;
}

/** Inline at most this many bytes per media file in a tool result. */
const MAX_INLINE_BYTES = 2 * 1024 * 1024;

export interface SearchHitView extends Omit<MessageView, 'body'> {
  /** The message text with the matched words in **bold** (the whole text when short, else an excerpt). */
  snippet: string;
}

export interface MessagePage {
  chatId: string;
  chatName: string;
  isGroup: boolean;
  messages: MessageWithMedia[];
  nextCursor?: string;
  newerCursor?: string;
}

/** Search page cursor: the offset and the query it belongs to (base64url JSON, opaque to callers). */
function encodeCursor(offset: number, query: string): string {
  return Buffer.from(JSON.stringify([offset, query]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, query: string): number | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(v) && typeof v[0] === 'number' && v[0] >= 0 && v[1] === query ? v[0] : null;
  } catch {
    return null;
  }
}

export interface CatchUpChat {
  chatId: string;
  chatName: string;
  isGroup: boolean;
  unreadCount: number;
  /** New messages older than the ones shown (raise limit_per_chat, or list_messages). */
  notShown?: number;
  messages: MessageView[];
}

export interface CatchUp {
  summary: string;
  since?: string;
  chats: CatchUpChat[];
}

export class MessagesService {
  readonly presenter: Presenter;

  constructor(private readonly deps: ServiceDeps) {
    this.presenter = presenterFor(deps);
  }

  /** A chat given by JID / LID / phone, or by the name of its person or group (one clear match, else an error listing them). */
  chatJid(input: string): string {
    const q = input.trim();
    const looksLikeId = q.includes('@') || /^[+\d][\d\s().-]*$/.test(q);
    const jid = looksLikeId ? this.deps.store.identity.resolve(q) : this.chatByName(q);
    if (jid === null) throw invalidInput(`"${input}" is not a chat id`, 'Pass a chat JID from list_chats, a phone number, or a contact / group name');
    if (this.deps.store.chats.findId(jid) === undefined) {
      throw notFound(`No chat with ${jid}`, 'Use list_chats or get_chat_by_contact to find the chat id');
    }
    return jid;
  }

  private readonly canRead = (jid: string): boolean => this.deps.canRead?.(jid) ?? true;

  private chatByName(q: string): string {
    const chats = this.deps.store.chats.listChats({ query: q, limit: 6, includeLastMessage: false }).items.filter((c) => this.canRead(c.id));
    const exact = chats.filter((c) => c.name.toLowerCase() === q.toLowerCase());
    if (exact.length === 1) return exact[0]!.id;
    const people = this.deps.store.contacts.resolve(q, 5).filter((m) => this.deps.store.chats.findId(m.id) !== undefined && this.canRead(m.id));
    const [a, b] = people;
    if (a && (!b || a.score >= 1 || (a.score >= 0.8 && a.score - b.score >= 0.15))) return a.id;
    if (!a && chats.length === 1) return chats[0]!.id;
    const names = [...new Map([...chats.map((c) => [c.id, c.name] as const), ...people.map((p) => [p.id, p.name ?? p.pushname ?? p.id] as const)]).entries()];
    if (names.length === 0) throw notFound(`No chat or contact named like "${q}"`, 'Check the spelling, or find the chat with list_chats {query}');
    throw invalidInput(`"${q}" matches several chats: ${names.map(([id, n]) => `${n} (${id})`).join('; ')}`, 'Pass one of these chat ids as chat_id');
  }

  async list(chatId: string, opts: ListOptions = {}): Promise<MessagePage> {
    const jid = this.chatJid(chatId);
    if (opts.after !== undefined && opts.before !== undefined && opts.after >= opts.before) {
      throw invalidInput('The time range is empty (after is not before before)', 'Swap or widen the after/before bounds');
    }
    const from = opts.from === undefined ? undefined : this.resolveSender(opts.from).jid;
    const page = this.deps.store.messages.list(jid, {
      limit: opts.limit,
      before: opts.before,
      after: opts.after,
      from,
      query: opts.query,
      onlyIncoming: opts.onlyIncoming,
      cursor: opts.cursor,
    });
    const book = this.presenter.names();
    const chatName = book.chat(jid);
    const messages: MessageWithMedia[] = page.items.map((m) => this.presenter.message(m, book, { inChat: jid }));
    if (opts.includeMedia || opts.includeFullData) {
      let budget = opts.mediaLimit ?? 5;
      // Newest media first: they are the likeliest to matter.
      for (let i = page.items.length - 1; i >= 0 && budget > 0; i--) {
        const m = page.items[i]!;
        if (!m.hasMedia) continue;
        budget--;
        messages[i] = { ...messages[i]!, media: await this.mediaInfo(m, opts.includeFullData ?? false) };
      }
    }
    const out: MessagePage = { chatId: jid, chatName, isGroup: jidKind(jid) === 'group', messages };
    if (page.nextCursor) out.nextCursor = page.nextCursor;
    if (page.newerCursor) out.newerCursor = page.newerCursor;
    return out;
  }

  private async mediaInfo(m: Message, withData: boolean): Promise<MediaInfo> {
    const file = this.deps.store.media.getByMessage(m.id);
    if (!file) return { mimetype: m.mediaMime ?? null, downloaded: false };
    const info: MediaInfo = { mimetype: file.mime, downloaded: true, fileName: file.fileName, size: file.size, url: `/media/${encodeURIComponent(file.fileName)}` };
    if (withData && file.size <= MAX_INLINE_BYTES) {
      try {
        info.data = (await readFile(join(this.deps.config.mediaDir, file.fileName))).toString('base64');
      } catch (err) {
        this.deps.logger.warn({ err, file: file.fileName }, 'media file listed in the store is missing on disk');
        info.downloaded = false;
      }
    }
    return info;
  }

  /**
   * A sender given as JID / LID / phone / "me" / name → canonical JID (or "me"). A name must pick one
   * person: several close matches are an error listing them, so a filter never silently means someone else.
   */
  resolveSender(input: string): { jid: string; name: string } {
    const q = input.trim();
    if (q.toLowerCase() === 'me') return { jid: 'me', name: 'me' };
    const direct = q.includes('@') || /^[+\d][\d\s().-]*$/.test(q) ? this.deps.store.identity.resolve(q) : null;
    if (direct) return { jid: direct, name: this.presenter.names().person(direct) };
    const matches = this.deps.store.contacts.resolve(q, 5).filter((m) => this.canRead(m.id));
    const [a, b] = matches;
    if (!a) throw notFound(`No contact matches "${q}"`, 'Check the spelling, or pass a JID / phone number (resolve_contact lists candidates)');
    const clear = !b || a.score >= 1 || (a.score >= 0.8 && a.score - b.score >= 0.15);
    if (!clear) {
      const list = matches.map((m) => `${m.name ?? m.pushname ?? m.id} (${m.id})`).join('; ');
      throw invalidInput(`"${q}" matches several contacts: ${list}`, 'Pass one of these ids as the sender');
    }
    return { jid: a.id, name: a.name ?? a.pushname ?? a.id };
  }

  search(query: string, opts: SearchInput = {}) {
    if (query.trim().length === 0) throw invalidInput('The search query is empty', 'Pass one or more words to search for');
    if (opts.since !== undefined && opts.until !== undefined && opts.since > opts.until) {
      throw invalidInput('The time range is empty (the lower bound is after the upper bound)', 'Swap or widen the after/before bounds');
    }
    const chatId = opts.chatId === undefined ? undefined : this.chatJid(opts.chatId);
    const from = opts.from === undefined ? undefined : this.resolveSender(opts.from).jid;
    let offset = 0;
    if (opts.cursor !== undefined) {
      const c = decodeCursor(opts.cursor, query.trim());
      if (c === null) {
        throw invalidInput('Invalid cursor for this search', 'Pass nextCursor from the previous page with the same query, or omit cursor to start over');
      }
      offset = c;
    }
    const limit = opts.limit ?? 20;
    const want = Math.min(500, offset + limit);
    const ownJid = from === 'me' ? this.deps.runtime.getStatus().me?.id : undefined;
    const r = this.deps.store.messages.search(query, { chatId, from, ...(ownJid ? { ownJid } : {}), limit: want, since: opts.since, until: opts.until });
    const page = r.hits.slice(offset, offset + limit);
    const more = r.hits.length === want && want < 500;
    const book = this.presenter.names();
    const hits: SearchHitView[] = page.map((h) => {
      const { body: _body, ...rest } = this.presenter.message(h.message, book);
      return { ...rest, snippet: readableText({ ...h.message, body: h.snippet }) };
    });
    return more ? { query, hits, truncated: r.truncated, nextCursor: encodeCursor(offset + limit, query.trim()) } : { query, hits, truncated: r.truncated };
  }

  /**
   * A message id as tools accept it — `<chatJid>:<keyId>`, or the bare key id that outputs show (with
   * `chatHint` it is taken in that chat, otherwise looked up across chats) — → `<chatJid>:<keyId>`.
   */
  resolveId(input: string, chatHint?: string): string {
    const id = input.trim();
    const none = () => notFound(`No message with id ${id}`, 'Take message ids from list_messages, search_messages or catch_up');
    const parts = splitMessageId(id);
    if (parts) {
      if (!this.canRead(this.deps.store.identity.resolve(parts.chatJid) ?? parts.chatJid)) throw none();
      return id;
    }
    if (chatHint !== undefined) {
      const chat = this.deps.store.identity.resolve(chatHint);
      if (chat !== null) {
        if (!this.canRead(chat)) throw none();
        return `${chat}:${id}`;
      }
    }
    const chats = this.deps.store.messages.chatsWithKey(id).filter(this.canRead);
    if (chats.length === 1) return `${chats[0]}:${id}`;
    if (chats.length === 0) throw none();
    throw invalidInput(`Message id ${id} exists in several chats (${chats.join(', ')})`, `Pass it as <chatJid>:${id}`);
  }

  /** The stored message (domain form), or a not_found error that says where ids come from. */
  raw(input: string): Message {
    const messageId = this.resolveId(input);
    const m = this.deps.store.messages.get(messageId);
    if (!m) throw notFound(`No message with id ${messageId}`, 'Message ids look like <chatJid>:<keyId>; take them from list_messages or search_messages');
    return m;
  }

  get(messageId: string): MessageView {
    return this.presenter.message(this.raw(messageId), this.presenter.names());
  }

  context(input: string, limit = 20): { chatId: string; chatName: string; before: MessageView[]; target: MessageView; after: MessageView[] } {
    const messageId = this.resolveId(input);
    const c = this.deps.store.messages.context(messageId, limit);
    if (!c) throw notFound(`No message with id ${messageId}`, 'Message ids look like <chatJid>:<keyId>; take them from list_messages or search_messages');
    const book = this.presenter.names();
    const chat = c.target.chatId;
    const view = (m: Message) => this.presenter.message(m, book, { inChat: chat });
    return { chatId: chat, chatName: book.chat(chat), before: c.before.map(view), target: view(c.target), after: c.after.map(view) };
  }

  /** The newest message with content (protocol stubs and empty notices are skipped) exchanged with a person or in a group. */
  lastInteraction(input: string): { jid: string; name: string; message: MessageView | null } {
    const jid = this.deps.store.identity.resolve(input);
    if (jid === null) throw invalidInput(`"${input}" is not a WhatsApp id or phone number`, 'Pass a JID, LID or phone number with country code');
    const book = this.presenter.names();
    const name = jidKind(jid) === 'group' ? book.chat(jid) : book.person(jid);
    let m = this.deps.store.messages.lastInteraction(jid);
    if (m && isStub(m)) m = this.lastContentBefore(m);
    return { jid, name, message: m ? this.presenter.message(m, book) : null };
  }

  /** The newest message with content at or before `m` in its chat (walks back a bounded window). */
  lastContentBefore(m: Message, window = 50): Message | null {
    if (!isStub(m)) return m;
    const c = this.deps.store.messages.context(m.id, window);
    if (!c) return null;
    for (let i = c.before.length - 1; i >= 0; i--) if (!isStub(c.before[i]!)) return c.before[i]!;
    return null;
  }

  /**
   * "What did I miss": incoming messages grouped by chat, newest chats first. Without `since`, the unread
   * messages of chats with unread ones (above each chat's read marker); with `since`, everything incoming
   * since then (only chats with unread ones when `unreadOnly`). Chats the owner's read rules hide are left
   * out before counting and `maxChats`, so the summary counts what the caller may see.
   */
  catchUp(opts: { since?: number; unreadOnly?: boolean; limitPerChat?: number; maxChats?: number } = {}): CatchUp {
    const perChat = opts.limitPerChat ?? 10;
    const maxChats = opts.maxChats ?? 20;
    const book = this.presenter.names();
    const found: Array<CatchUpChat & { newest: number; arrival: number }> = [];
    let cursor: string | undefined;
    // Chats newest activity first; with `since` the walk stops at the first chat older than it. Chats
    // are then ordered by their newest incoming message (an own reply must not hide who wrote last).
    walk: for (let pages = 0; pages < 20; pages++) {
      const page = this.deps.store.chats.listChats({ limit: 50, cursor, includeLastMessage: false, unreadOnly: opts.since === undefined || opts.unreadOnly });
      for (const chat of page.items) {
        if (opts.since !== undefined && chat.timestamp < opts.since) break walk;
        if (!this.canRead(chat.id)) continue;
        const want = opts.since === undefined ? Math.min(chat.unreadCount, perChat) : perChat;
        if (want <= 0) continue;
        // A few extra rows: reactions and notices are left out below.
        const rows = this.deps.store.messages.list(chat.id, { onlyIncoming: true, after: opts.since, limit: want + 5 }).items.filter((m) => !isStub(m) && m.type !== 'reaction');
        const shown = rows.slice(-want);
        const newest = shown[shown.length - 1];
        if (!newest) continue;
        book.knowChat(chat.id, chat.name);
        const total = opts.since === undefined ? chat.unreadCount : rows.length;
        found.push({
          newest: newest.timestamp,
          arrival: this.deps.store.messages.arrivalOf(newest.id) ?? 0,
          chatId: chat.id,
          chatName: chat.name,
          isGroup: chat.isGroup,
          unreadCount: chat.unreadCount,
          ...(total > shown.length ? { notShown: total - shown.length } : {}),
          messages: shown.map((m) => this.presenter.message(m, book, { inChat: chat.id })),
        });
      }
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    // Newest incoming message first; within the same timestamp (WhatsApp's are in seconds), the later arrival.
    found.sort((a, b) => b.newest - a.newest || b.arrival - a.arrival);
    const more = found.length > maxChats;
    const out: CatchUpChat[] = found.slice(0, maxChats).map(({ newest: _n, arrival: _a, ...c }) => c);
    const count = out.reduce((n, c) => n + c.messages.length + (c.notShown ?? 0), 0);
    const since = opts.since === undefined ? 'since each chat was last read' : `since ${this.presenter.time(opts.since)}`;
    const summary =
      out.length === 0
        ? `Nothing new ${since}.`
        : `${count} new message${count === 1 ? '' : 's'} in ${out.length} chat${out.length === 1 ? '' : 's'} ${since}${more ? ` (more chats not shown: raise max_chats)` : ''}.`;
    return { summary, ...(opts.since === undefined ? {} : { since: this.presenter.time(opts.since) }), chats: out };
  }

  names(): NameBook {
    return this.presenter.names();
  }

  // ---- presence (#14) ------------------------------------------------------------------------------

  /**
   * What WhatsApp last said about the people of a chat (typing, recording, online, last seen), from memory:
   * presence is never stored. `state` sums it up (a group: someone typing / recording / online).
   */
  presence(chatJid: string): PresenceView {
    const people = this.deps.store.presence.get(chatJid);
    const book = this.presenter.names();
    const view = (p: PersonPresence): PersonPresenceView => {
      const v: PersonPresenceView = { jid: p.jid, name: book.person(p.jid), state: p.state, time: this.presenter.time(p.at) };
      if (p.lastSeen !== undefined) v.lastSeen = this.presenter.time(p.lastSeen);
      return v;
    };
    if (people.length === 0) return { state: 'unknown' };
    if (jidKind(chatJid) !== 'group') {
      const p = people.find((x) => x.jid === chatJid) ?? people[0]!;
      const { jid: _j, name: _n, ...rest } = view(p);
      return rest;
    }
    const rank: PresenceView['state'][] = ['typing', 'recording', 'online'];
    const state = rank.find((s) => people.some((p) => p.state === s)) ?? 'offline';
    return { state, time: this.presenter.time(people[0]!.at), people: people.map(view) };
  }

  /**
   * Asks WhatsApp to send this chat's presence from now on (it sends presence only for subscribed JIDs).
   * Best effort and asynchronous: a reader gets what is known now; failures only log.
   */
  watchPresence(chatJid: string): void {
    if (this.deps.runtime.getStatus().state !== 'open' || !this.deps.gateway.subscribePresence) return;
    this.deps.gateway.subscribePresence(chatJid).catch((err: unknown) => this.deps.logger.debug({ err, chatJid }, 'presence subscription failed'));
  }
}

export interface PersonPresenceView {
  jid: string;
  name: string;
  state: ChatPresenceState;
  /** When WhatsApp reported it. */
  time: string;
  lastSeen?: string;
}

export interface PresenceView {
  /** `unknown` until WhatsApp has sent something for this chat (get_chat_by_id subscribes to it). */
  state: ChatPresenceState | 'unknown';
  time?: string;
  lastSeen?: string;
  /** Groups: each person WhatsApp reported, newest first. */
  people?: PersonPresenceView[];
}
