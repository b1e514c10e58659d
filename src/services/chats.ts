/** Chats: pages, lookups by id / phone / contact name. */
import { phoneToJid, type Chat, type ContactMatch, type Page } from '../store/index.js';
import type { ServiceDeps } from './context.js';
import { invalidInput, notFound } from '../errors.js';

export interface ChatPageOptions {
  limit?: number;
  includeLastMessage?: boolean;
  cursor?: string;
}

export interface ChatByContactResult {
  /** `found`: one chat chosen; `ambiguous`: several candidates, pick one from `matches`; `no_chat`: the person is known but has no chat; `not_found`: nothing matched. */
  status: 'found' | 'ambiguous' | 'no_chat' | 'not_found';
  chat: Chat | null;
  contact: ContactMatch | null;
  matches: ContactMatch[];
  /** Chats whose name matched when no contact did (groups, unnamed chats). */
  chatMatches: Chat[];
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
  constructor(private readonly deps: ServiceDeps) {}

  list(opts: ChatPageOptions = {}): Page<Chat> {
    return this.deps.store.chats.listChats(opts);
  }

  listGroups(opts: ChatPageOptions = {}): Page<Chat> {
    return this.deps.store.chats.listGroups(opts);
  }

  listSystem(limit = 20): Page<Chat> {
    return this.deps.store.chats.listChats({ limit, lastMessageTypes: ['protocol', 'system'] });
  }

  get(input: string): Chat {
    const jid = this.deps.store.identity.resolve(input);
    if (jid === null) throw invalidInput(`"${input}" is not a chat id`, 'Pass a chat JID from list_chats (…@s.whatsapp.net, …@g.us or …@lid)');
    const chat = this.deps.store.chats.get(jid);
    if (!chat) throw notFound(`No chat with ${jid}`, 'Use list_chats or get_chat_by_contact to find the chat id');
    return chat;
  }

  /** Normalises "+44 7911 123456" style input to a JID and returns its direct chat (or `chat: null`). */
  directByPhone(phone: string): { jid: string; chat: Chat | null } {
    const pn = phoneToJid(phone);
    if (pn === null) {
      throw invalidInput(
        `"${phone}" is not a phone number in international format`,
        'Pass the number with its country code, e.g. "+44 7911 123456" or "447911123456"',
      );
    }
    const jid = this.deps.store.identity.canonical(pn);
    return { jid, chat: this.deps.store.chats.get(jid) };
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
        chat,
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
    if (byId) return { status: 'found', chat: byId, contact: null, matches: [], chatMatches: [byId], autoSelected: false };
    const chats = this.deps.store.chats.listChats({ query: q, limit: maxCandidates, includeLastMessage: false }).items;
    if (chats.length === 1) return { status: 'found', chat: chats[0]!, contact: null, matches: [], chatMatches: chats, autoSelected: false };
    return { status: chats.length > 1 ? 'ambiguous' : 'not_found', chat: null, contact: null, matches: [], chatMatches: chats, autoSelected: false };
  }
}
