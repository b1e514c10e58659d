/**
 * What a reader (an LLM agent) sees of messages and chats: names instead of bare JIDs, an ISO time with
 * offset beside the epoch ms, human text for non-text messages, and nothing repeated that the caller
 * already knows (a list of one chat names the chat once, at the top). Pure functions plus a per-call
 * name book, so one page costs one name lookup per distinct person.
 */
import { jidKind, jidUser, type Chat, type ContactCard, type Message, type MessageDetails, type Store } from '../store/index.js';
import type { ServiceDeps } from './context.js';
import { tallyPoll, type OwnIds } from './polls.js';

// ---- time ---------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string | undefined): Intl.DateTimeFormat {
  const key = tz ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(key, f);
  }
  return f;
}

/**
 * Epoch ms → `2025-01-10T09:00:00+01:00` in `tz` (default: the server's zone); a zero offset is written `Z`.
 * Every row of every page carries one, and Intl's formatToParts costs ~4.5 µs (15 % of a list_chats call),
 * so the zone's offset is looked up exactly at both ends of the UTC day and cached for the day when they
 * agree (a zone changes its offset at most once a day); the fields then come from the shifted instant's
 * UTC getters. A day with a change, or an offset with seconds, takes the exact path.
 */
export function isoTime(ms: number, tz?: string): string {
  const off = dayOffset(Math.floor(ms / DAY_MS), tz);
  if (off === null) return exactIsoTime(ms, tz);
  const d = new Date(ms + off.ms);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${off.text}`;
}

const DAY_MS = 86_400_000;
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const dayOffsets = new Map<string, Map<number, { text: string; ms: number } | null>>();

function dayOffset(day: number, tz: string | undefined): { text: string; ms: number } | null {
  const key = tz ?? '';
  let days = dayOffsets.get(key);
  if (!days) dayOffsets.set(key, (days = new Map()));
  let off = days.get(day);
  if (off === undefined) {
    const a = offsetAt(day * DAY_MS, tz);
    const b = offsetAt((day + 1) * DAY_MS - 1, tz);
    off = a !== null && b !== null && a.text === b.text ? a : null;
    if (days.size > 10_000) days.clear();
    days.set(day, off);
  }
  return off;
}

function offsetAt(ms: number, tz: string | undefined): { text: string; ms: number } | null {
  const text = exactIsoTime(ms, tz).slice(19);
  if (text === 'Z') return { text, ms: 0 };
  const m = /^([+-])(\d\d):(\d\d)$/.exec(text);
  return m ? { text, ms: (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 } : null;
}

/** The reference implementation (Intl), used for the cache's day bounds and by its test. */
export function exactIsoTime(ms: number, tz?: string): string {
  const parts: Record<string, string> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) parts[p.type] = p.value;
  // longOffset is "GMT" for zero and "GMT+05:30" otherwise.
  const raw = (parts.timeZoneName ?? 'GMT').replace('GMT', '');
  const off = raw === '' || raw === '+00:00' || raw === '-00:00' ? 'Z' : raw;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off}`;
}

// ---- text ---------------------------------------------------------------------------------------

const MEDIA_LABEL: Record<string, string> = {
  image: '📷 photo',
  video: '🎥 video',
  audio: '🎤 audio',
  document: '📄 document',
  sticker: '🏷️ sticker',
};

/** True when a message says nothing to a reader (a protocol stub, or a system notice without text). */
export function isStub(m: Pick<Message, 'type' | 'body'>): boolean {
  return m.type === 'protocol' || m.type === 'poll-vote' || m.type === 'edit' || (m.type === 'system' && m.body.trim() === '');
}

/** The text a reader sees: the body, or a description for media, locations, polls, reactions, notices. */
export function readableText(m: Pick<Message, 'type' | 'body' | 'mediaMime'> & { details?: MessageDetails }): string {
  const body = m.body.trim();
  const media = MEDIA_LABEL[m.type];
  if (media) return body ? `${media} (caption: ${body})` : m.type === 'document' && m.mediaMime ? `${media} (${m.mediaMime})` : media;
  const d = m.details;
  switch (m.type) {
    case 'text':
      return m.body;
    case 'location': {
      if (d?.kind !== 'location') return body ? `📍 location ${body}` : '📍 location';
      const at = `${d.latitude}, ${d.longitude}`;
      if (d.live) return `📍 live location${body ? ` "${body}"` : ''} (last known point: ${at})`;
      return body ? `📍 location: ${body} (${at})` : `📍 location (${at})`;
    }
    case 'poll':
      return body ? `📊 poll: ${body}` : '📊 poll';
    case 'contact': {
      if (d?.kind !== 'contact' || d.contacts.length === 0) return body ? `👤 contact: ${body}` : '👤 contact card';
      const cards = d.contacts.map((c) => (c.phones[0] ? `${c.name} (${c.phones[0]})` : c.name));
      return `👤 contact${cards.length > 1 ? 's' : ''}: ${cards.join('; ')}`;
    }
    case 'reaction':
      return body ? `reacted ${body}` : 'removed a reaction';
    case 'system':
      return body || 'ℹ️ system notice';
    case 'protocol':
      return body || '⚙️ protocol message (no content)';
    case 'edit':
      return body ? `✏️ edit: ${body}` : '✏️ edit';
    case 'poll-vote':
      return '🗳️ poll vote';
    default:
      return body || `[${m.type} message]`;
  }
}

const JID_IN_TEXT = /\b\d{5,20}@(?:s\.whatsapp\.net|lid)\b/g;

// ---- names --------------------------------------------------------------------------------------

/** Name lookups memoised for one tool call. */
export class NameBook {
  private readonly people = new Map<string, string>();
  private readonly chats = new Map<string, string>();

  constructor(private readonly store: Store) {}

  /** Address-book name, push name or verified name; `+<number>` or the JID when none is known. */
  person(jid: string): string {
    let n = this.people.get(jid);
    if (n === undefined) {
      n = this.store.contacts.displayName(jid) ?? (jidKind(jid) === 'pn' ? `+${jidUser(jid)}` : jid);
      this.people.set(jid, n);
    }
    return n;
  }

  chat(jid: string): string {
    let n = this.chats.get(jid);
    if (n === undefined) {
      n = this.store.chats.get(jid)?.name ?? (jidKind(jid) === 'group' ? jid : this.person(jid));
      this.chats.set(jid, n);
    }
    return n;
  }

  /** Seed the chat name cache from a row that already carries it. */
  knowChat(jid: string, name: string): void {
    this.chats.set(jid, name);
  }
}

// ---- views --------------------------------------------------------------------------------------

/**
 * One message as a reader sees it. `id` is the WhatsApp key id (tools take it as message_id).
 * `chatId` / `chatName` appear only where rows come from several chats. `from` / `fromName` name the
 * author in groups; in a direct chat a message not fromMe is from the chat's person (chatName).
 */
export interface MessageView {
  id: string;
  chatId?: string;
  chatName?: string;
  time: string;
  timestamp: number;
  from?: string;
  fromName?: string;
  fromMe: boolean;
  /** Absent for plain text. */
  type?: string;
  body: string;
  hasMedia?: true;
  mediaMime?: string;
  status?: string;
  quotedId?: string;
  editedAt?: number;
  revokedAt?: number;
  /** Deleted: for everyone (a revoke: the text is gone) or on this account only ("delete for me"). */
  deleted?: true;
  deletedFor?: 'everyone' | 'me';
  /** Current reactions, one per person. */
  reactions?: ReactionView[];
  location?: LocationView;
  contacts?: ContactCard[];
  poll?: PollView;
  notice?: NoticeView;
}

export interface ReactionView {
  emoji: string;
  from: string;
  fromName: string;
  time: string;
}

export interface LocationView {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  url?: string;
  /** A live location share: the point is the last one received. */
  live?: true;
  accuracyMeters?: number;
}

export interface PollView {
  question: string;
  multiple: boolean;
  /** Live tally (decrypted votes; voter names via get_poll_results). */
  options: Array<{ name: string; votes: number }>;
  voters: number;
}

export interface NoticeView {
  action: string;
  actor?: string;
  actorName?: string;
  participants?: Array<{ jid: string; name: string }>;
  value?: string;
}

export interface ChatView {
  id: string;
  name: string;
  isGroup: boolean;
  unreadCount: number;
  time: string;
  timestamp: number;
  lastMessage?: MessageView;
}

export interface ViewOptions {
  /** The rows all belong to this chat (named at the top level): no per-row chat fields. */
  inChat?: string;
  /** A chat's preview: the human text only, without the structured details (location, cards, poll, notice). */
  preview?: boolean;
}

export class Presenter {
  constructor(
    private readonly store: Store,
    private readonly tz: string | undefined,
    /** Our own ids (own reactions read "you"; votes on our polls stored before our JID was known still decrypt). */
    private readonly me?: () => OwnIds | null | undefined,
  ) {}

  names(): NameBook {
    return new NameBook(this.store);
  }

  time(ms: number): string {
    return isoTime(ms, this.tz);
  }

  message(m: Message, book: NameBook, opts: ViewOptions = {}): MessageView {
    const inChat = opts.inChat === m.chatId;
    // Built in reading order (JSON keys keep insertion order): where, when, who, what, details.
    // The bare WhatsApp key id: tools accept it as message_id (and <chatJid>:<keyId>, the domain id).
    const id = m.id.slice(m.chatId.length + 1);
    const out = { id } as MessageView;
    if (!inChat) {
      out.chatId = m.chatId;
      out.chatName = book.chat(m.chatId);
    }
    out.time = this.time(m.timestamp);
    out.timestamp = m.timestamp;
    if (!m.fromMe && m.from !== m.chatId) {
      out.from = m.from;
      out.fromName = book.person(m.from);
    }
    out.fromMe = m.fromMe;
    if (m.type !== 'text') out.type = m.type;
    // Notices name people by JID when stored (mapping.ts); the reader sees names.
    out.body = m.type === 'system' ? readableText(m).replace(JID_IN_TEXT, (j) => (m.fromMe && j === m.from ? 'you' : book.person(j))) : readableText(m);
    // The type already says it is media; the MIME type matters for documents and audio only.
    if (m.hasMedia && !MEDIA_LABEL[m.type]) out.hasMedia = true;
    if (m.mediaMime && (m.type === 'document' || m.type === 'audio')) out.mediaMime = m.mediaMime;
    if (m.fromMe && m.status) out.status = m.status;
    // Quotes are of the same chat: shown as the bare key id like every other id.
    if (m.quotedId) out.quotedId = m.quotedId.startsWith(`${m.chatId}:`) ? m.quotedId.slice(m.chatId.length + 1) : m.quotedId;
    if (m.editedAt !== undefined) out.editedAt = m.editedAt;
    if (m.revokedAt !== undefined) out.revokedAt = m.revokedAt;
    if (!opts.preview) this.details(m, out, book);
    else if (m.details?.kind === 'poll') this.details(m, out, book); // the tally goes into the body text
    if (m.reactions?.length) {
      out.reactions = m.reactions.map((r) => {
        const own = r.from === 'me' || this.isMe(r.from);
        return { emoji: r.emoji, from: own ? 'me' : r.from, fromName: own ? 'you' : book.person(r.from), time: this.time(r.time) };
      });
    }
    if (m.revokedAt !== undefined) {
      // WhatsApp shows only that it was deleted; the old text stays out of views and search.
      out.deleted = true;
      out.deletedFor = 'everyone';
      out.body = m.fromMe ? '🚫 You deleted this message' : '🚫 This message was deleted';
      delete out.location;
      delete out.contacts;
      delete out.poll;
      delete out.reactions;
    } else if (m.deletedAt !== undefined) {
      out.deleted = true;
      out.deletedFor = 'me';
    }
    return out;
  }

  private isMe(jid: string): boolean {
    const me = this.me?.();
    if (!me) return false;
    return [me.id, me.lid].some((id) => id && this.store.identity.resolve(id.replace(/:\d+@/, '@')) === jid);
  }

  /** Structured fields of locations, contact cards, polls (with the live tally) and system notices. */
  private details(m: Message, out: MessageView, book: NameBook): void {
    const d = m.details;
    if (!d) return;
    if (d.kind === 'location') {
      const loc: LocationView = { latitude: d.latitude, longitude: d.longitude };
      if (d.name) loc.name = d.name;
      if (d.address) loc.address = d.address;
      if (d.url) loc.url = d.url;
      if (d.live) loc.live = true;
      if (d.accuracyMeters !== undefined) loc.accuracyMeters = d.accuracyMeters;
      out.location = loc;
    } else if (d.kind === 'contact') {
      out.contacts = d.contacts;
    } else if (d.kind === 'poll') {
      const tally = tallyPoll(this.store, m, this.me?.());
      const options = d.options.map((name) => ({ name, votes: tally?.options.find((o) => o.name === name)?.voters.length ?? 0 }));
      out.poll = { question: d.question, multiple: d.multiple, options, voters: tally?.voters ?? 0 };
      if (tally && options.some((o) => o.votes > 0)) out.body = `${out.body} — ${options.map((o) => `${o.name} (${o.votes})`).join(', ')}`;
    } else if (d.kind === 'notice') {
      const n: NoticeView = { action: d.action };
      if (d.actor) {
        n.actor = d.actor;
        n.actorName = m.fromMe && d.actor === m.from ? 'you' : book.person(d.actor);
      }
      if (d.participants.length) n.participants = d.participants.map((jid) => ({ jid, name: book.person(jid) }));
      if (d.value !== undefined) n.value = d.value;
      out.notice = n;
    }
  }

  chat(c: Chat, book: NameBook, lastMessage?: Message | null): ChatView {
    book.knowChat(c.id, c.name);
    const v: ChatView = { id: c.id, name: c.name, isGroup: c.isGroup, unreadCount: c.unreadCount, time: this.time(c.timestamp), timestamp: c.timestamp };
    const last = lastMessage === undefined ? c.lastMessage : (lastMessage ?? undefined);
    if (last) {
      const view = this.message(last, book, { inChat: c.id, preview: true });
      delete view.poll;
      v.lastMessage = view;
    }
    return v;
  }
}

/** The services' presenter: the display time zone, and our own ids (our reactions read "you", our polls' votes decrypt). */
export function presenterFor(deps: Pick<ServiceDeps, 'store' | 'config' | 'runtime'>): Presenter {
  return new Presenter(deps.store, deps.config.displayTimeZone, () => deps.runtime.getStatus().me);
}
