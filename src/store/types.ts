/**
 * Domain types served by the store. Output shapes match SPEC §3 (Message, Chat, Contact); input shapes
 * are plain data (no Baileys types) that the engine adapter builds from WAMessage / Chat / Contact events.
 * All timestamps are epoch milliseconds.
 */

/** Delivery status of a message; only ever moves forward (see `STATUS_RANK`). */
export type MessageStatus = 'error' | 'pending' | 'sent' | 'delivered' | 'read' | 'played';

/** Forward order of statuses. `error` may only replace `pending` (a send that failed before the server ack). */
export const STATUS_RANK: Readonly<Record<MessageStatus, number>> = {
  error: 0,
  pending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  played: 5,
};

export const STATUS_BY_RANK: readonly MessageStatus[] = ['error', 'pending', 'sent', 'delivered', 'read', 'played'];

/** SPEC §3 Message. `id` is `<chatJid>:<messageKeyId>`. */
export interface Message {
  id: string;
  chatId: string;
  /** Canonical author id (phone JID preferred over LID when the mapping is known). */
  from: string;
  fromMe: boolean;
  timestamp: number;
  /** Text of the message, or the caption of a media message; `''` when there is none. */
  body: string;
  type: string;
  hasMedia: boolean;
  status?: MessageStatus;
  /** Id (`<chatJid>:<keyId>`) of the quoted message. */
  quotedId?: string;
  mediaMime?: string;
  /** Set when the message was edited; the previous texts are kept in `message_edits`. */
  editedAt?: number;
  /** Set when the message was revoked ("deleted for everyone"); its text left the search index. */
  revokedAt?: number;
  /** Set when the message was deleted on this account only ("delete for me"). */
  deletedAt?: number;
  /** Structured fields of locations, contact cards, polls and system notices. */
  details?: MessageDetails;
  /** Current reactions (one per person, oldest first). */
  reactions?: Reaction[];
}

export interface Reaction {
  emoji: string;
  /** Canonical reactor JID (`'me'` for own reactions stored before our JID was known). */
  from: string;
  /** Sender timestamp (ms). */
  time: number;
}

/** A vCard of a contact message, reduced to what a reader needs. */
export interface ContactCard {
  name: string;
  phones: string[];
  /** WhatsApp ids (`waid=` digits) named in the card. */
  waIds: string[];
}

/** Structured fields of non-text messages (stored as JSON beside the human text). */
export type MessageDetails =
  | {
      kind: 'location';
      latitude: number;
      longitude: number;
      name?: string;
      address?: string;
      url?: string;
      /** A live location share: the point is the last one received. */
      live?: boolean;
      accuracyMeters?: number;
      /** Live location: the sender's update counter. */
      sequence?: number;
      caption?: string;
    }
  | { kind: 'contact'; contacts: ContactCard[] }
  | { kind: 'poll'; question: string; options: string[]; multiple: boolean }
  | {
      kind: 'notice';
      /** e.g. participants_added, participants_removed, participant_left, joined_via_link, promoted, demoted, subject_changed. */
      action: string;
      /** Who did it (JID), when known. */
      actor: string | null;
      /** People it is about (JIDs). */
      participants: string[];
      /** New subject / description / setting, when the notice carries one. */
      value?: string;
    };

export interface ReactionInput {
  /** Chat of the reaction (the reacting message's chat). */
  chatId: string;
  /** Key id of the message reacted to. */
  targetKeyId: string;
  from?: string | null;
  fromMe: boolean;
  /** `''` removes the sender's reaction. */
  emoji: string;
  /** Sender timestamp (ms): a newer reaction of the same person replaces the older one. */
  timestamp: number;
}

export interface PollVoteInput {
  chatId: string;
  pollKeyId: string;
  from?: string | null;
  fromMe: boolean;
  timestamp: number;
  /** The vote's WebMessageInfo bytes (still encrypted under the poll's secret). */
  raw: Uint8Array;
}

export interface StoredPollVote {
  voter: string;
  fromMe: boolean;
  timestamp: number;
  raw: Uint8Array;
}

/** SPEC §3 Chat. */
export interface Chat {
  id: string;
  name: string;
  isGroup: boolean;
  unreadCount: number;
  /** Timestamp of the newest message (or of the chat's last activity when it has no stored message). */
  timestamp: number;
  lastMessage?: Message;
}

/** SPEC §3 Contact. */
export interface Contact {
  /** Canonical id: the phone JID when known, otherwise the LID. */
  id: string;
  name: string | null;
  pushname: string | null;
  /** Phone number digits (E.164 without `+`) when known. */
  number: string | null;
  isMyContact: boolean;
  /** The LID of this person when known. */
  lid?: string;
}

export type ContactMatchField = 'jid' | 'lid' | 'phone' | 'name' | 'pushname' | 'verifiedName';

export interface ContactMatch extends Contact {
  matchedBy: ContactMatchField;
  /** 0..1, higher is better. 1 = exact id / number match. */
  score: number;
}

export interface MessageInput {
  /** Chat JID (normalised on write; a LID chat is stored under the phone JID when the mapping is known). */
  chatId: string;
  /** WhatsApp message key id. */
  keyId: string;
  /** Author JID. Defaults to the chat JID for incoming direct messages, `ownJid`/`'me'` for own ones. */
  from?: string | null;
  fromMe: boolean;
  timestamp: number;
  /** e.g. `text`, `image`, `video`, `audio`, `document`, `sticker`, `reaction`, `protocol`, `system`. */
  type: string;
  body?: string | null;
  caption?: string | null;
  hasMedia?: boolean;
  mediaMime?: string | null;
  status?: MessageStatus | null;
  /** Id of the quoted message: either `<chatJid>:<keyId>` or a bare key id (same chat). */
  quotedId?: string | null;
  /** The raw WAMessage proto bytes (`proto.WebMessageInfo.encode(msg).finish()`), kept for media download and retries. */
  raw?: Uint8Array | null;
  /** Structured fields (location, contact card, poll, notice); a re-delivery replaces them (a live location moves). */
  details?: MessageDetails | null;
}

export interface ChatInput {
  id: string;
  /** Display name; ignored when empty or when it is only a JID / number (never downgrades a stored name). */
  name?: string | null;
  isGroup?: boolean;
  /** Absolute unread count (history sync); messages up to `timestamp` are covered by it. */
  unreadCount?: number | null;
  /** The chat was read elsewhere (the phone): unread becomes 0 up to the newest stored message. */
  markedRead?: boolean;
  /** The chat was marked unread on the phone: unread becomes at least 1. */
  markedUnread?: boolean;
  /** Conversation timestamp (ms); the chat timestamp only moves forward. */
  timestamp?: number | null;
  archived?: boolean | null;
}

export interface ContactInput {
  /** JID, LID or phone JID of the contact. */
  id: string;
  /** Phone JID of this person if the event carries it (e.g. Baileys `phoneNumber` on a LID contact). */
  phoneJid?: string | null;
  /** LID of this person if known. */
  lid?: string | null;
  /** Address-book name (makes `isMyContact` true). */
  name?: string | null;
  /** Push name chosen by the person. */
  pushname?: string | null;
  verifiedName?: string | null;
  isMyContact?: boolean | null;
}

export type ParticipantRole = 'member' | 'admin' | 'superadmin';

export interface GroupParticipant {
  /** Canonical participant id (phone JID preferred). */
  id: string;
  role: ParticipantRole;
  /** Best known display name (address book, push name) or null. */
  name: string | null;
}

export interface GroupInput {
  id: string;
  subject?: string | null;
  description?: string | null;
  owner?: string | null;
  createdAt?: number | null;
  announce?: boolean | null;
  restrict?: boolean | null;
  /** Full participant list; when given it replaces the stored one. */
  participants?: ReadonlyArray<{ id: string; role?: ParticipantRole | null; phoneJid?: string | null; lid?: string | null }>;
}

export interface GroupInfo {
  id: string;
  subject: string | null;
  description: string | null;
  owner: string | null;
  createdAt: number | null;
  announce: boolean;
  restrict: boolean;
  participants: GroupParticipant[];
  /** When the metadata was last stored (ms). */
  updatedAt: number;
}

export interface MediaFile {
  id: string;
  /** Stored (random, safe) file name inside the media dir. */
  fileName: string;
  /** Original file name, metadata only. */
  originalName: string | null;
  mime: string;
  size: number;
  sha256: string;
  messageId?: string;
  createdAt: number;
}

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, absent on the last page. */
  nextCursor?: string;
}

export interface SearchHit {
  message: Message;
  /** Text with the matched terms wrapped in `**`. */
  snippet: string;
  /** Relevance: negated BM25 (lower is more relevant, as with SQLite's `bm25()`). */
  score: number;
}

export interface SearchOptions {
  chatId?: string;
  /** Author JID / LID / phone, or `'me'`; matches every known alias of that person. */
  from?: string;
  /** Our own JID: with `from: 'me'`, messages stored under it count as ours too. */
  ownJid?: string;
  /** Inclusive lower time bound (ms). */
  since?: number;
  /** Inclusive upper time bound (ms). */
  until?: number;
  /** 1–500, default 20. */
  limit?: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /**
   * How many of the newest matches were re-ranked by BM25. When `truncated` is true, more messages
   * match than the candidate window holds; the hits are the most relevant among the newest matches.
   */
  candidates: number;
  truncated: boolean;
}

export interface MessageContext {
  before: Message[];
  target: Message;
  after: Message[];
}

export interface StoreCounters {
  messages: number;
  chats: number;
  groups: number;
  contacts: number;
  mediaFiles: number;
  /** Timestamp of the newest stored message (ms), 0 when empty. */
  lastMessageAt: number;
  /** Database file size (bytes, main file only). */
  dbBytes: number;
  schemaVersion: number;
}

export interface IdempotencyRecord {
  key: string;
  tool: string;
  fingerprint: string;
  result: unknown;
  createdAt: number;
  expiresAt: number;
}
