/**
 * Presence of chats (typing, recording, online, last seen), kept in memory only: it is live state, worth
 * nothing after a restart, so it never touches SQLite. The adapter writes what WhatsApp reports; readers
 * (get_chat_by_id) and the MCP hub (resource notifications) read and listen. Bounded: the least recently
 * updated chats are forgotten beyond `MAX_CHATS`, and entries older than `TTL_MS` are dropped.
 */

/** What a person is doing in a chat, as WhatsApp reports it. */
export type PresenceState = 'typing' | 'recording' | 'online' | 'offline';

export interface PersonPresence {
  /** Canonical JID of the person. */
  jid: string;
  state: PresenceState;
  /** When they were last online (ms), when WhatsApp shares it. */
  lastSeen?: number;
  /** When this was reported (ms). */
  at: number;
}

const MAX_CHATS = 5_000;
const TTL_MS = 24 * 3_600_000;
/** WhatsApp clients stop showing "typing…" after about 25 s without a new chat state. */
export const TYPING_TIMEOUT_MS = 25_000;

export class PresenceBook {
  private readonly chats = new Map<string, Map<string, PersonPresence>>();
  private readonly listeners = new Set<(chatId: string) => void>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a person's state in a chat (a direct chat: the person is the chat) and tells listeners. */
  update(chatId: string, p: Omit<PersonPresence, 'at'> & { at?: number }): void {
    let people = this.chats.get(chatId);
    if (people) this.chats.delete(chatId); // re-insert: Map order is recency
    else people = new Map();
    const prev = people.get(p.jid);
    const entry: PersonPresence = { jid: p.jid, state: p.state, at: p.at ?? this.now() };
    const lastSeen = p.lastSeen ?? (p.state === 'offline' ? undefined : prev?.lastSeen);
    if (lastSeen !== undefined) entry.lastSeen = lastSeen;
    people.set(p.jid, entry);
    this.chats.set(chatId, people);
    while (this.chats.size > MAX_CHATS) this.chats.delete(this.chats.keys().next().value as string);
    for (const l of this.listeners) l(chatId);
  }

  /**
   * Current presence in a chat, newest first. A typing/recording state older than TYPING_TIMEOUT_MS reads
   * as online (the person stopped without WhatsApp saying so).
   */
  get(chatId: string): PersonPresence[] {
    const people = this.chats.get(chatId);
    if (!people) return [];
    const now = this.now();
    const out: PersonPresence[] = [];
    for (const [jid, p] of people) {
      if (now - p.at > TTL_MS) {
        people.delete(jid);
        continue;
      }
      const stale = (p.state === 'typing' || p.state === 'recording') && now - p.at > TYPING_TIMEOUT_MS;
      out.push(stale ? { ...p, state: 'online' } : { ...p });
    }
    if (people.size === 0) this.chats.delete(chatId);
    return out.sort((a, b) => b.at - a.at);
  }

  /** Calls `listener(chatId)` on every update; returns the unsubscribe function. */
  subscribe(listener: (chatId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
