/** Chats: pages, lookups by id / phone / contact name. */
import { phoneToJid, type Chat, type ContactMatch, type Page } from '../store/index.js';
import { requireOpen, type ServiceDeps } from './context.js';
import { invalidInput, notFound, withTimeout } from '../errors.js';
import { toAppError } from './errors.js';
import { Presenter, isStub, presenterFor, type ChatView, type NameBook } from './present.js';
import { ReadCache } from './read-cache.js';

export interface ChatPageOptions {
  limit?: number;
  includeLastMessage?: boolean;
  cursor?: string;
  /** Name or number text to match. */
  query?: string;
  unreadOnly?: boolean;
  isGroup?: boolean;
  sort?: 'recent' | 'unread';
}

export interface ChatByContactResult {
  /** `found`: one chat chosen; `ambiguous`: several candidates, pick one from `matches`; `no_chat`: the person is known but has no chat; `not_found`: nothing matched. */
  status: 'found' | 'ambiguous' | 'no_chat' | 'not_found';
  chat: ChatView | null;
  contact: ContactMatch | null;
  matches: ContactMatch[];
  /** Chats whose name matched when no contact did (groups, unnamed chats). */
  chatMatches: ChatView[];
  autoSelected: boolean;
}

/** A clear winner: the best match is an exact id, or well ahead of the runner-up. */
function clearWinner(matches: readonly ContactMatch[]): boolean {
  const [a, b] = matches;
  if (!a) return false;
  if (!b) return true;
  return a.score >= 0.9 && a.score - b.score >= 0.15;
}

export class ChatsService {
  private readonly presenter: Presenter;
  /** Chat pages as presented, kept while the store is unchanged: what every poll of list_chats reads. */
  private readonly pages: ReadCache<Page<ChatView>>;

  constructor(private readonly deps: ServiceDeps) {
    this.presenter = presenterFor(deps);
    // 4 MB of estimated size: the pages a few agents poll, bounded whatever they page through.
    this.pages = new ReadCache(() => deps.store.generation(), 4 << 20);
  }

  /**
   * A chat page, from the read cache when the store is unchanged. Pages also depend on our own ids (which
   * the store does not hold until they are known), so those are part of the key.
   */
  private cached(what: string, load: () => Page<ChatView>): Page<ChatView> {
    const me = this.deps.runtime.getStatus().me;
    return this.pages.get(`${me?.id ?? ''} ${me?.lid ?? ''} ${what}`, load);
  }

  /**
   * A chat as a reader sees it. Its preview skips bookkeeping (protocol stubs, empty notices): the newest
   * message with content stands in, or no preview at all (`keepStubs` for list_system_chats, whose point is them).
   */
  view(c: Chat, book: NameBook = this.presenter.names(), keepStubs = false): ChatView {
    let last = c.lastMessage ?? null;
    if (last && !keepStubs && isStub(last)) {
      const ctx = this.deps.store.messages.context(last.id, 50);
      last = ctx ? ([...ctx.before].reverse().find((m) => !isStub(m)) ?? null) : null;
    }
    return this.presenter.chat(c, book, last);
  }

  private page(p: Page<Chat>, keepStubs = false): Page<ChatView> {
    const book = this.presenter.names();
    const items = p.items.map((c) => this.view(c, book, keepStubs));
    return p.nextCursor ? { items, nextCursor: p.nextCursor } : { items };
  }

  /** Pages are shared between callers (read-cache.ts): frozen, never to be changed. */
  list(opts: ChatPageOptions = {}): Page<ChatView> {
    return this.cached(`chats ${JSON.stringify(opts)}`, () => this.page(this.deps.store.chats.listChats(opts)));
  }

  listGroups(opts: ChatPageOptions = {}): Page<ChatView> {
    return this.cached(`groups ${JSON.stringify(opts)}`, () => this.page(this.deps.store.chats.listGroups(opts)));
  }

  listSystem(limit = 20): Page<ChatView> {
    return this.cached(`system ${limit}`, () => this.page(this.deps.store.chats.listChats({ limit, lastMessageTypes: ['protocol', 'system'] }), true));
  }

  /** The stored chat (domain form) by any id, or an error that says how to find one. */
  raw(input: string): Chat {
    const jid = this.deps.store.identity.resolve(input);
    if (jid === null) throw invalidInput(`"${input}" is not a chat id`, 'Pass a chat JID from list_chats (…@s.whatsapp.net, …@g.us or …@lid)');
    const chat = this.deps.store.chats.get(jid);
    if (!chat) throw notFound(`No chat with ${jid}`, 'Use list_chats or get_chat_by_contact to find the chat id');
    return chat;
  }

  get(input: string): ChatView {
    return this.view(this.raw(input));
  }

  /**
   * Marks a chat read up to a message (default: all): sends WhatsApp read receipts for the incoming
   * messages it covers (their senders see blue ticks), then moves the read marker and recounts unread.
   */
  async markAsRead(input: string, upToMessageId?: string): Promise<{ chatId: string; chatName: string; receipts: number; unreadCount: number }> {
    const chat = this.raw(input);
    const target = upToMessageId === undefined ? undefined : upToMessageId.includes(':') ? upToMessageId : `${chat.id}:${upToMessageId.trim()}`;
    const pending = this.deps.store.messages.unreadUpTo(chat.id, target);
    if (!pending) throw notFound(`No message ${upToMessageId ?? ''} in chat ${chat.id}`, 'Take up_to_message_id from list_messages of this chat, or leave it out to read everything');
    if (pending.messages.length > 0) {
      requireOpen(this.deps.runtime);
      const gateway = this.deps.gateway;
      if (!gateway.readMessages) throw notFound('This WhatsApp backend cannot send read receipts', 'Retry once connected to WhatsApp');
      const group = chat.isGroup;
      try {
        await withTimeout(
          gateway.readMessages(pending.messages.map((m) => ({ chatId: chat.id, keyId: m.keyId, ...(group ? { participant: m.sender } : {}) }))),
          this.deps.liveTimeoutMs ?? 10_000,
          'WhatsApp (read receipts)',
        );
      } catch (err) {
        throw toAppError(err, () => this.deps.runtime.getStatus());
      }
    }
    const unreadCount = this.deps.store.chats.markRead(chat.id, pending.marker);
    return { chatId: chat.id, chatName: chat.name, receipts: pending.messages.length, unreadCount };
  }

  /** Normalises "+44 7911 123456" style input to a JID and returns its direct chat (or `chat: null`). */
  directByPhone(phone: string): { jid: string; chat: ChatView | null } {
    const pn = phoneToJid(phone);
    if (pn === null) {
      throw invalidInput(
        `"${phone}" is not a phone number in international format`,
        'Pass the number with its country code, e.g. "+44 7911 123456" or "447911123456"',
      );
    }
    const jid = this.deps.store.identity.canonical(pn);
    const chat = this.deps.store.chats.get(jid);
    return { jid, chat: chat ? this.view(chat) : null };
  }

  byContact(query: string, maxCandidates = 5): ChatByContactResult {
    const q = query.trim();
    if (q.length === 0) throw invalidInput('The query is empty', 'Pass a name, phone number or JID');
    const matches = this.deps.store.contacts.resolve(q, maxCandidates);
    const auto = this.deps.settings?.autoSelectContact() ?? false;
    const exact = matches[0] !== undefined && matches[0].score >= 1 && (matches[1] === undefined || matches[1].score < 1);
    if (matches.length === 1 || exact || (auto && clearWinner(matches))) {
      const contact = matches[0]!;
      const chat = this.deps.store.chats.get(contact.id);
      return {
        status: chat ? 'found' : 'no_chat',
        chat: chat ? this.view(chat) : null,
        contact,
        matches,
        chatMatches: [],
        autoSelected: matches.length > 1,
      };
    }
    if (matches.length > 1) return { status: 'ambiguous', chat: null, contact: null, matches, chatMatches: [], autoSelected: false };
    // No contact matched: a group or an unnamed chat may carry the name.
    const direct = this.deps.store.identity.resolve(q);
    const byId = direct ? this.deps.store.chats.get(direct) : null;
    if (byId) {
      const v = this.view(byId);
      return { status: 'found', chat: v, contact: null, matches: [], chatMatches: [v], autoSelected: false };
    }
    const chats = this.page(this.deps.store.chats.listChats({ query: q, limit: maxCandidates, includeLastMessage: false })).items;
    if (chats.length === 1) return { status: 'found', chat: chats[0]!, contact: null, matches: [], chatMatches: chats, autoSelected: false };
    return { status: chats.length > 1 ? 'ambiguous' : 'not_found', chat: null, contact: null, matches: [], chatMatches: chats, autoSelected: false };
  }
}
