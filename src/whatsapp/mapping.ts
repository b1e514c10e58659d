/**
 * Pure conversions from Baileys' event payloads to the store's plain input types. No I/O here, so
 * every rule (which id is the chat, what counts as media, how statuses map) is unit-testable.
 */
import {
  getContentType,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  toNumber,
  type Chat as WAChat,
  type Contact as WAContact,
  type GroupMetadata,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { ChatInput, ContactInput, GroupInput, MessageInput, MessageStatus } from '../store/index.js';

const MEDIA_TYPES: Record<string, string> = {
  imageMessage: 'image',
  videoMessage: 'video',
  audioMessage: 'audio',
  documentMessage: 'document',
  documentWithCaptionMessage: 'document',
  stickerMessage: 'sticker',
  ptvMessage: 'video',
};

const TEXT_TYPES: Record<string, string> = {
  conversation: 'text',
  extendedTextMessage: 'text',
  reactionMessage: 'reaction',
  protocolMessage: 'protocol',
  senderKeyDistributionMessage: 'protocol',
  messageContextInfo: 'protocol',
  contactMessage: 'contact',
  contactsArrayMessage: 'contact',
  locationMessage: 'location',
  liveLocationMessage: 'location',
  pollCreationMessage: 'poll',
  pollCreationMessageV3: 'poll',
  pollUpdateMessage: 'poll-vote',
  editedMessage: 'edit',
};

/** Baileys' numeric status (proto.WebMessageInfo.Status) → our forward-only status. */
export function mapStatus(status: number | null | undefined): MessageStatus | null {
  switch (status) {
    case proto.WebMessageInfo.Status.ERROR:
      return 'error';
    case proto.WebMessageInfo.Status.PENDING:
      return 'pending';
    case proto.WebMessageInfo.Status.SERVER_ACK:
      return 'sent';
    case proto.WebMessageInfo.Status.DELIVERY_ACK:
      return 'delivered';
    case proto.WebMessageInfo.Status.READ:
      return 'read';
    case proto.WebMessageInfo.Status.PLAYED:
      return 'played';
    default:
      return null;
  }
}

/**
 * The chat a message belongs to, preferring the phone-number JID when Baileys gives both
 * (`remoteJidAlt` carries the PN for LID-addressed chats).
 */
export function chatJidOf(key: WAMessageKey): string | null {
  const remote = key.remoteJid;
  if (!remote) return null;
  const alt = (key as { remoteJidAlt?: string | null }).remoteJidAlt;
  if (remote.endsWith('@lid') && alt && alt.endsWith('@s.whatsapp.net')) return jidNormalizedUser(alt);
  return jidNormalizedUser(remote);
}

/** Pairs of (lid, pn) that a message key reveals. */
export function lidPairsOf(key: WAMessageKey): Array<{ lid: string; pn: string }> {
  const out: Array<{ lid: string; pn: string }> = [];
  const k = key as WAMessageKey & { remoteJidAlt?: string | null; participantAlt?: string | null };
  const add = (a?: string | null, b?: string | null) => {
    if (!a || !b) return;
    const [lid, pn] = a.endsWith('@lid') ? [a, b] : b.endsWith('@lid') ? [b, a] : [null, null];
    if (lid && pn && pn.endsWith('@s.whatsapp.net')) out.push({ lid: jidNormalizedUser(lid), pn: jidNormalizedUser(pn) });
  };
  add(k.remoteJid, k.remoteJidAlt);
  add(k.participant, k.participantAlt);
  return out;
}

export function messageId(chatJid: string, keyId: string): string {
  return `${chatJid}:${keyId}`;
}

/** Baileys timestamp (seconds, sometimes Long) → epoch ms; the one rule for every conversion. */
export function timestampMs(t: unknown): number {
  const n = toNumber(t as number);
  // Baileys timestamps are seconds; anything already in ms (> year 33658 in s) is left alone.
  return n > 1e12 ? n : n * 1000;
}

interface Extracted {
  type: string;
  body: string;
  caption: string | null;
  hasMedia: boolean;
  mediaMime: string | null;
  quotedKeyId: string | null;
}

export function extractContent(message: proto.IMessage | null | undefined): Extracted {
  const content = normalizeMessageContent(message);
  const kind = getContentType(content);
  const empty: Extracted = { type: 'system', body: '', caption: null, hasMedia: false, mediaMime: null, quotedKeyId: null };
  if (!content || !kind) return empty;
  const inner = (content as Record<string, unknown>)[kind] as Record<string, unknown> | string | null | undefined;
  const obj = inner && typeof inner === 'object' ? inner : {};
  const ctx = (obj.contextInfo ?? null) as proto.IContextInfo | null;
  const quotedKeyId = ctx?.stanzaId ?? null;
  if (kind in MEDIA_TYPES) {
    const docInner =
      kind === 'documentWithCaptionMessage'
        ? ((obj.message as proto.IMessage | undefined)?.documentMessage as Record<string, unknown> | undefined) ?? {}
        : obj;
    const caption = typeof docInner.caption === 'string' ? docInner.caption : null;
    return {
      type: MEDIA_TYPES[kind]!,
      body: caption ?? '',
      caption,
      hasMedia: true,
      mediaMime: typeof docInner.mimetype === 'string' ? docInner.mimetype : null,
      quotedKeyId,
    };
  }
  let body = '';
  if (kind === 'conversation' && typeof inner === 'string') body = inner;
  else if (typeof obj.text === 'string') body = obj.text;
  else if (kind === 'contactMessage' && typeof obj.displayName === 'string') body = obj.displayName;
  else if (kind === 'locationMessage' && typeof obj.name === 'string') body = obj.name;
  else if (kind === 'pollCreationMessage' || kind === 'pollCreationMessageV3') body = typeof obj.name === 'string' ? obj.name : '';
  return { type: TEXT_TYPES[kind] ?? kind.replace(/Message$/, ''), body, caption: null, hasMedia: false, mediaMime: null, quotedKeyId };
}

const ST = proto.WebMessageInfo.StubType;

/** A stub parameter → a JID when it is one (plain, or the JSON `{id, phoneNumber}` newer servers send). */
function stubParty(p: string): string {
  let v = p;
  if (p.startsWith('{')) {
    try {
      const o = JSON.parse(p) as { phoneNumber?: string; id?: string };
      v = o.phoneNumber ?? o.id ?? p;
    } catch {
      return p;
    }
  }
  return v.includes('@') ? jidNormalizedUser(v) : v;
}

/**
 * A system notice in words, with JIDs where people are named (the reader turns them into names).
 * Empty for stubs that are placeholders of a message still to come (CIPHERTEXT): an empty body is
 * filled when the message arrives; text here would block that.
 */
export function stubText(type: number, params: readonly string[], actor: string | null): string {
  const who = params.map(stubParty).join(', ');
  const by = actor ?? 'someone';
  switch (type) {
    case ST.CIPHERTEXT:
      return '';
    case ST.GROUP_CREATE:
      return `${by} created the group "${params[0] ?? ''}"`;
    case ST.GROUP_CHANGE_SUBJECT:
      return `${by} changed the subject to "${params[0] ?? ''}"`;
    case ST.GROUP_CHANGE_DESCRIPTION:
      return `${by} changed the group description`;
    case ST.GROUP_CHANGE_ICON:
      return `${by} changed the group icon`;
    case ST.GROUP_PARTICIPANT_ADD:
      return actor && who && who !== actor ? `${by} added ${who}` : `${who || by} joined`;
    case ST.GROUP_PARTICIPANT_REMOVE:
      return `${by} removed ${who}`;
    case ST.GROUP_PARTICIPANT_LEAVE:
      return `${who || by} left`;
    case ST.GROUP_PARTICIPANT_INVITE:
      return `${who || by} joined using an invite link`;
    case ST.GROUP_PARTICIPANT_PROMOTE:
      return `${by} made ${who} an admin`;
    case ST.GROUP_PARTICIPANT_DEMOTE:
      return `${by} removed ${who} as admin`;
    case ST.CALL_MISSED_VOICE:
    case ST.CALL_MISSED_GROUP_VOICE:
      return 'missed voice call';
    case ST.CALL_MISSED_VIDEO:
    case ST.CALL_MISSED_GROUP_VIDEO:
      return 'missed video call';
    case ST.REVOKE:
      return 'message deleted';
    case ST.E2E_IDENTITY_CHANGED:
      return `${who || by}'s security code changed`;
    default: {
      const name = ST[type];
      return name ? `notice: ${name.toLowerCase().replace(/_/g, ' ')}` : '';
    }
  }
}

/** A WAMessage → store input; null for messages without a usable key. */
export function toMessageInput(msg: WAMessage, ownJid: string | null): MessageInput | null {
  const key = msg.key;
  const chatId = key ? chatJidOf(key) : null;
  if (!key || !chatId || !key.id) return null;
  const c = extractContent(msg.message);
  const fromMe = Boolean(key.fromMe);
  const participant = (key as { participantAlt?: string | null }).participantAlt?.endsWith('@s.whatsapp.net')
    ? (key as { participantAlt?: string }).participantAlt
    : key.participant;
  const from = fromMe ? ownJid : participant ? jidNormalizedUser(participant) : chatId;
  const stub = msg.messageStubType ?? 0;
  const type = stub ? 'system' : c.type;
  const actor = stub ? (fromMe ? ownJid : (from ?? null)) : null;
  return {
    chatId,
    keyId: key.id,
    from,
    fromMe,
    timestamp: timestampMs(msg.messageTimestamp ?? 0) || Date.now(),
    type,
    body: stub && !c.body ? stubText(stub, msg.messageStubParameters ?? [], actor) : c.body,
    caption: c.caption,
    hasMedia: c.hasMedia,
    mediaMime: c.mediaMime,
    status: mapStatus(msg.status ?? null) ?? (fromMe ? 'sent' : null),
    quotedId: c.quotedKeyId,
    raw: proto.WebMessageInfo.encode(msg).finish(),
  };
}

/** A chat of a history sync → store input (its unread count is absolute). */
export function toChatInput(chat: Partial<WAChat> & { id?: string | null }): ChatInput | null {
  if (!chat.id) return null;
  const id = jidNormalizedUser(chat.id);
  const ts = chat.conversationTimestamp ?? chat.lastMessageRecvTimestamp;
  return {
    id,
    name: chat.name ?? null,
    isGroup: id.endsWith('@g.us'),
    // History sync: a snapshot, so no count means none unread (the store must not count its old messages).
    unreadCount: typeof chat.unreadCount === 'number' ? Math.max(0, chat.unreadCount) : 0,
    timestamp: ts ? timestampMs(ts) : null,
    archived: typeof chat.archived === 'boolean' ? chat.archived : null,
  };
}

/**
 * A live `chats.update` / `chats.upsert` → store input. Baileys' `unreadCount` there is not a count:
 * a positive value is the increment for messages just received (the store counts those itself from
 * the messages), 0 means the chat was read on another device, -1 that it was marked unread.
 */
export function toChatUpdateInput(chat: Partial<WAChat> & { id?: string | null }): ChatInput | null {
  const base = toChatInput(chat);
  if (!base) return null;
  const u = chat.unreadCount;
  const out: ChatInput = { ...base, unreadCount: null };
  if (u === 0) out.markedRead = true;
  else if (typeof u === 'number' && u < 0) out.markedUnread = true;
  return out;
}

export function toContactInput(c: Partial<WAContact>): ContactInput | null {
  if (!c.id) return null;
  const id = jidNormalizedUser(c.id);
  return {
    id,
    phoneJid: c.phoneNumber ? jidNormalizedUser(c.phoneNumber) : id.endsWith('@s.whatsapp.net') ? id : null,
    lid: c.lid ? jidNormalizedUser(c.lid) : id.endsWith('@lid') ? id : null,
    name: c.name ?? null,
    pushname: c.notify ?? null,
    verifiedName: c.verifiedName ?? null,
    isMyContact: c.name ? true : null,
  };
}

export function toGroupInput(g: Partial<GroupMetadata> & { id?: string }): GroupInput | null {
  if (!g.id) return null;
  return {
    id: jidNormalizedUser(g.id),
    subject: g.subject ?? null,
    description: g.desc ?? null,
    owner: g.ownerPn ?? g.owner ?? null,
    createdAt: g.creation ? timestampMs(g.creation) : null,
    announce: typeof g.announce === 'boolean' ? g.announce : null,
    restrict: typeof g.restrict === 'boolean' ? g.restrict : null,
    participants: g.participants?.map((p) => ({
      id: jidNormalizedUser(p.phoneNumber ?? p.id),
      role: p.admin === 'superadmin' ? 'superadmin' : p.admin === 'admin' ? 'admin' : 'member',
      phoneJid: p.phoneNumber ? jidNormalizedUser(p.phoneNumber) : null,
      lid: p.lid ? jidNormalizedUser(p.lid) : p.id.endsWith('@lid') ? jidNormalizedUser(p.id) : null,
    })),
  };
}
