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
import type { ChatInput, ContactCard, ContactInput, GroupInput, MessageDetails, MessageInput, MessageStatus, PollVoteInput, ReactionInput } from '../store/index.js';

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
  pollCreationMessageV2: 'poll',
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
  details?: MessageDetails;
}

/** Unfolds vCard continuation lines and unescapes RFC 2426 text values. */
function vcardLines(vcard: string): string[] {
  return vcard.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
}

/** The reader-relevant parts of a vCard: name, phone numbers, WhatsApp ids (`waid=`). */
export function parseVcard(vcard: string, fallbackName: string): ContactCard {
  let name = '';
  const phones: string[] = [];
  const waIds: string[] = [];
  for (const line of vcardLines(vcard)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const head = line.slice(0, colon).toUpperCase();
    const value = line.slice(colon + 1).replace(/\\([\\,;nN])/g, (_m, c: string) => (c === 'n' || c === 'N' ? ' ' : c)).trim();
    const prop = head.split(';')[0]?.replace(/^ITEM\d+\./, '');
    if (prop === 'FN' && value) name = value;
    else if (prop === 'TEL') {
      if (value) phones.push(value);
      const waid = /WAID=(\d+)/.exec(head)?.[1];
      if (waid) waIds.push(waid);
    }
  }
  return { name: name || fallbackName, phones, waIds };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** Structured fields of locations, contact cards and polls (null for other kinds). */
function detailsOf(kind: string, obj: Record<string, unknown>): MessageDetails | undefined {
  if (kind === 'locationMessage' || kind === 'liveLocationMessage') {
    const latitude = num(obj.degreesLatitude);
    const longitude = num(obj.degreesLongitude);
    if (latitude === undefined || longitude === undefined) return undefined;
    const live = kind === 'liveLocationMessage';
    const d: MessageDetails = { kind: 'location', latitude, longitude };
    const name = str(obj.name);
    const address = str(obj.address);
    const url = str(obj.url);
    const caption = str(obj.caption);
    const accuracy = num(obj.accuracyInMeters);
    const seq = toNumber(obj.sequenceNumber as number);
    if (name) d.name = name;
    if (address) d.address = address;
    if (url) d.url = url;
    if (caption) d.caption = caption;
    if (live) d.live = true;
    if (accuracy !== undefined) d.accuracyMeters = accuracy;
    if (live && Number.isFinite(seq) && seq > 0) d.sequence = seq;
    return d;
  }
  if (kind === 'contactMessage') {
    const display = str(obj.displayName) ?? '';
    return { kind: 'contact', contacts: [parseVcard(str(obj.vcard) ?? '', display)] };
  }
  if (kind === 'contactsArrayMessage') {
    const list = Array.isArray(obj.contacts) ? (obj.contacts as proto.Message.IContactMessage[]) : [];
    return { kind: 'contact', contacts: list.map((c) => parseVcard(c.vcard ?? '', c.displayName ?? '')) };
  }
  if (kind === 'pollCreationMessage' || kind === 'pollCreationMessageV2' || kind === 'pollCreationMessageV3') {
    const options = Array.isArray(obj.options) ? (obj.options as proto.Message.PollCreationMessage.IOption[]).map((o) => o.optionName ?? '') : [];
    // V3 is WhatsApp's single-choice poll; otherwise selectableOptionsCount 1 is single, 0 (or n > 1) multiple.
    const count = num(obj.selectableOptionsCount) ?? 0;
    return { kind: 'poll', question: str(obj.name) ?? '', options, multiple: kind !== 'pollCreationMessageV3' && count !== 1 };
  }
  return undefined;
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
  const details = detailsOf(kind, obj);
  if (kind === 'conversation' && typeof inner === 'string') body = inner;
  else if (typeof obj.text === 'string') body = obj.text;
  else if (kind === 'contactMessage' && typeof obj.displayName === 'string') body = obj.displayName;
  else if (kind === 'contactsArrayMessage' && details?.kind === 'contact') body = str(obj.displayName) ?? details.contacts.map((c) => c.name).join(', ');
  else if (kind === 'locationMessage') body = [str(obj.name), str(obj.address)].filter(Boolean).join(', ');
  else if (kind === 'liveLocationMessage') body = str(obj.caption) ?? '';
  else if (details?.kind === 'poll') body = details.question;
  const out: Extracted = { type: TEXT_TYPES[kind] ?? kind.replace(/Message$/, ''), body, caption: null, hasMedia: false, mediaMime: null, quotedKeyId };
  if (details) out.details = details;
  return out;
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
      // Someone adding themselves is a join through the group's invite link (an admin adds others).
      return actor && who && who !== actor ? `${by} added ${who}` : `${who || by} joined using an invite link`;
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

const NOTICE_ACTIONS: Partial<Record<number, string>> = {
  [ST.GROUP_CREATE]: 'group_created',
  [ST.GROUP_CHANGE_SUBJECT]: 'subject_changed',
  [ST.GROUP_CHANGE_DESCRIPTION]: 'description_changed',
  [ST.GROUP_CHANGE_ICON]: 'icon_changed',
  [ST.GROUP_CHANGE_ANNOUNCE]: 'announce_changed',
  [ST.GROUP_CHANGE_RESTRICT]: 'locked_changed',
  [ST.GROUP_CHANGE_INVITE_LINK]: 'invite_link_changed',
  [ST.GROUP_PARTICIPANT_ADD]: 'participants_added',
  [ST.GROUP_PARTICIPANT_REMOVE]: 'participants_removed',
  [ST.GROUP_PARTICIPANT_LEAVE]: 'participant_left',
  [ST.GROUP_PARTICIPANT_INVITE]: 'joined_via_link',
  [ST.GROUP_PARTICIPANT_PROMOTE]: 'promoted',
  [ST.GROUP_PARTICIPANT_DEMOTE]: 'demoted',
  [ST.GROUP_PARTICIPANT_CHANGE_NUMBER]: 'changed_number',
};

const PARTY_STUBS = new Set<number>([
  ST.GROUP_PARTICIPANT_ADD,
  ST.GROUP_PARTICIPANT_REMOVE,
  ST.GROUP_PARTICIPANT_LEAVE,
  ST.GROUP_PARTICIPANT_INVITE,
  ST.GROUP_PARTICIPANT_PROMOTE,
  ST.GROUP_PARTICIPANT_DEMOTE,
  ST.GROUP_PARTICIPANT_CHANGE_NUMBER,
  ST.E2E_IDENTITY_CHANGED,
]);

/** Structured fields of a system notice: what happened, who did it, to whom, and a new value if any. */
export function stubDetails(type: number, params: readonly string[], actor: string | null): MessageDetails | undefined {
  if (!type || type === ST.CIPHERTEXT) return undefined;
  const participants = PARTY_STUBS.has(type) ? params.map(stubParty).filter((p) => p.includes('@')) : [];
  let action = NOTICE_ACTIONS[type] ?? (ST[type] ?? `stub_${type}`).toLowerCase();
  if (type === ST.GROUP_PARTICIPANT_ADD && (participants.length === 0 || (actor !== null && participants.every((p) => p === actor)))) action = 'joined_via_link';
  const d: MessageDetails = { kind: 'notice', action, actor, participants };
  const value = PARTY_STUBS.has(type) ? undefined : params[0];
  if (value !== undefined && value !== '') d.value = value;
  return d;
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
  const details = stub ? stubDetails(stub, msg.messageStubParameters ?? [], actor) : c.details;
  const input: MessageInput = {
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
  if (details) input.details = details;
  return input;
}

/**
 * A reaction message → the reaction on its target. The target key is written from the reactor's side (its
 * `remoteJid` may be our own JID in a direct chat), so the chat is the reacting message's chat.
 */
export function toReactionInput(msg: WAMessage, ownJid: string | null): ReactionInput | null {
  const r = normalizeMessageContent(msg.message)?.reactionMessage;
  const base = r?.key?.id ? toMessageInput({ ...msg, message: { conversation: '' } } as WAMessage, ownJid) : null;
  if (!r?.key?.id || !base) return null;
  const sent = toNumber(r.senderTimestampMs as number);
  return { chatId: base.chatId, targetKeyId: r.key.id, from: base.from, fromMe: base.fromMe, emoji: r.text ?? '', timestamp: sent > 0 ? sent : base.timestamp };
}

/** A poll vote message → the voter's (still encrypted) vote on its poll. */
export function toPollVoteInput(msg: WAMessage, ownJid: string | null): PollVoteInput | null {
  const u = normalizeMessageContent(msg.message)?.pollUpdateMessage;
  const pollKeyId = u?.pollCreationMessageKey?.id;
  const base = pollKeyId ? toMessageInput({ ...msg, message: { conversation: '' } } as WAMessage, ownJid) : null;
  if (!pollKeyId || !base) return null;
  const sent = toNumber(u.senderTimestampMs as number);
  return { chatId: base.chatId, pollKeyId, from: base.from, fromMe: base.fromMe, timestamp: sent > 0 ? sent : base.timestamp, raw: proto.WebMessageInfo.encode(msg).finish() };
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
