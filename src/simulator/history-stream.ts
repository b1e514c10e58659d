import { proto } from '@whiskeysockets/baileys';

/** One message of the account's past, as the phone would upload it. */
export interface HistoryMessage {
  /** Chat jid: a user (`…@s.whatsapp.net`, `…@lid`) or a group (`…@g.us`). */
  chatId: string;
  /** Message key id (unique within the chat). */
  id: string;
  fromMe: boolean;
  /** Group messages not from me: the author's jid. */
  participant?: string;
  /** Unix seconds. */
  timestamp: number;
  /** A plain text body (sent as `conversation`); ignored when `message` is given. */
  text?: string;
  /** Any content (extended text, media, reactions …) as a proto.Message. */
  message?: proto.IMessage;
  /** The sender's push name (messages not from me). */
  pushName?: string;
  /** Default: READ for my messages, DELIVERY_ACK for others'. */
  status?: proto.WebMessageInfo.Status;
  /** Reactions the phone keeps on this message (history sync carries them on the message itself). */
  reactions?: proto.IReaction[];
  /** Decrypted votes the phone keeps on this poll (history sync carries them on the poll itself). */
  pollUpdates?: proto.IPollUpdate[];
}

/** Chat metadata; a chat that only appears through messages gets none. */
export interface HistoryChat {
  id: string;
  name?: string;
  /** For a chat under its phone-number jid: its LID (`…@lid`), and the reverse. */
  lidJid?: string;
  pnJid?: string;
  unreadCount?: number;
  archived?: boolean;
  /** Pin timestamp (seconds), 0/undefined when not pinned. */
  pinned?: number;
  /** Mute end (ms epoch). */
  muteEndTime?: number;
  /** Last activity (seconds). */
  conversationTimestamp?: number;
}

/** A contact's push name and/or LID mapping; push names travel in PUSH_NAME chunks. */
export interface HistoryContact {
  /** Phone-number jid (`…@s.whatsapp.net`). */
  id: string;
  pushName?: string;
  lidJid?: string;
}

export type HistoryItem =
  | { type: 'chat'; chat: HistoryChat }
  | { type: 'message'; message: HistoryMessage }
  | { type: 'contact'; contact: HistoryContact };

/**
 * The account's history as a stream: items (or arrays of items, for generators that batch) in the
 * order the phone should upload them — WhatsApp sends the newest first. Sync or async; consumed
 * once per linked device, lazily, so it never needs to be in memory as a whole.
 */
export type HistoryStream =
  | Iterable<HistoryItem | readonly HistoryItem[]>
  | AsyncIterable<HistoryItem | readonly HistoryItem[]>;

export interface HistoryChunkOptions {
  /** Messages per HistorySync chunk (default 2,000). */
  messagesPerChunk?: number;
  /** Push names per PUSH_NAME chunk (default 5,000). */
  pushNamesPerChunk?: number;
  /** Message chunks after the INITIAL_BOOTSTRAP one typed RECENT (default 1); the rest are FULL. */
  recentChunks?: number;
  /** Total messages, when known: gives every message chunk a progress percentage. */
  totalMessages?: number;
  /** Mappings every chunk set carries first (the phone's own PN → LID). */
  ownMappings?: proto.IPhoneNumberToLIDMapping[];
}

/** One HistorySync blob to upload, with what it holds. */
export interface HistoryChunk {
  sync: proto.IHistorySync;
  messages: number;
  conversations: number;
  pushNames: number;
}

const Type = proto.HistorySync.HistorySyncType;
const { READ, DELIVERY_ACK } = proto.WebMessageInfo.Status;

function isIterable(stream: HistoryStream): stream is Iterable<HistoryItem | readonly HistoryItem[]> {
  return typeof (stream as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** Items handed over per step; a sync source is read this many at a time with no promise per item. */
const BATCH = 512;

/** The stream as batches of items: one async step per batch, not per item. */
async function* batches(stream: HistoryStream): AsyncGenerator<readonly HistoryItem[]> {
  if (isIterable(stream)) {
    let batch: HistoryItem[] = [];
    for (const item of stream) {
      if (Array.isArray(item)) {
        if (batch.length) yield batch;
        batch = [];
        yield item as readonly HistoryItem[];
      } else {
        batch.push(item as HistoryItem);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length) yield batch;
    return;
  }
  for await (const item of stream) yield Array.isArray(item) ? (item as readonly HistoryItem[]) : [item as HistoryItem];
}

function webMessage(m: HistoryMessage): proto.IWebMessageInfo {
  // Built by assignment, not spreads: this runs once per message of a possibly huge history.
  const key: proto.IMessageKey = { remoteJid: m.chatId, fromMe: m.fromMe, id: m.id };
  const out: proto.IWebMessageInfo = {
    key,
    message: m.message ?? { conversation: m.text ?? '' },
    messageTimestamp: m.timestamp,
    status: m.status ?? (m.fromMe ? READ : DELIVERY_ACK),
  };
  if (m.reactions) out.reactions = m.reactions;
  if (m.pollUpdates) out.pollUpdates = m.pollUpdates;
  if (!m.fromMe) {
    if (m.participant && m.chatId.endsWith('@g.us')) key.participant = out.participant = m.participant;
    if (m.pushName) out.pushName = m.pushName;
  }
  return out;
}

function conversation(id: string, meta: HistoryChat | undefined): proto.IConversation {
  return {
    id,
    messages: [],
    ...(meta?.name ? { name: meta.name } : {}),
    ...(meta?.lidJid ? { lidJid: meta.lidJid } : {}),
    ...(meta?.pnJid ? { pnJid: meta.pnJid } : {}),
    ...(meta?.unreadCount !== undefined ? { unreadCount: meta.unreadCount } : {}),
    ...(meta?.archived ? { archived: true } : {}),
    ...(meta?.pinned ? { pinned: meta.pinned } : {}),
    ...(meta?.muteEndTime ? { muteEndTime: meta.muteEndTime } : {}),
    ...(meta?.conversationTimestamp ? { conversationTimestamp: meta.conversationTimestamp } : {}),
  };
}

/**
 * Cuts a history stream into HistorySync chunks the way a phone uploads them: message chunks (the
 * first INITIAL_BOOTSTRAP, then `recentChunks` RECENT, then FULL), each with the conversations its
 * messages belong to (newest message first), and PUSH_NAME chunks for push names (never before the
 * bootstrap). Holds at most one chunk of messages plus chat metadata (O(chats)) at a time. The last
 * chunk of each sync type gets progress 100, which Baileys reads as "that sync type is complete"
 * (a full chunk waits for the next message before it leaves, so the stream's end is known in time).
 */
export async function* historyChunks(stream: HistoryStream, options: HistoryChunkOptions = {}): AsyncGenerator<HistoryChunk> {
  const perChunk = Math.max(1, options.messagesPerChunk ?? 2_000);
  const perPushNames = Math.max(1, options.pushNamesPerChunk ?? 5_000);
  const recentChunks = Math.max(0, options.recentChunks ?? 1);
  const chatMeta = new Map<string, HistoryChat>();
  const order = new Map<proto.HistorySync.HistorySyncType, number>();
  let conversations = new Map<string, proto.IConversation>();
  let messages = 0;
  let mappings: proto.IPhoneNumberToLIDMapping[] = [];
  const pushNames: proto.IPushname[] = [];
  let messageChunks = 0;
  let sentMessages = 0;

  const next = (type: proto.HistorySync.HistorySyncType): number => {
    const n = order.get(type) ?? 0;
    order.set(type, n + 1);
    return n;
  };
  const messageChunk = (last: boolean): HistoryChunk => {
    const index = messageChunks++;
    const syncType = index === 0 ? Type.INITIAL_BOOTSTRAP : index <= recentChunks ? Type.RECENT : Type.FULL;
    const lastOfType = last || index === 0 || index === recentChunks;
    sentMessages += messages;
    const convs = [...conversations.values()];
    // Newest first within a conversation, as the phone sends them (Baileys takes [0] as the latest).
    for (const c of convs) c.messages?.sort((a, b) => Number(b.message?.messageTimestamp ?? 0) - Number(a.message?.messageTimestamp ?? 0));
    const progress = lastOfType ? 100 : options.totalMessages ? Math.min(99, Math.floor((sentMessages / options.totalMessages) * 100)) : undefined;
    const sync: proto.IHistorySync = {
      syncType,
      chunkOrder: next(syncType),
      conversations: convs,
      phoneNumberToLidMappings: [...(options.ownMappings ?? []), ...mappings],
      ...(progress !== undefined ? { progress } : {}),
    };
    const chunk = { sync, messages, conversations: convs.length, pushNames: 0 };
    conversations = new Map();
    messages = 0;
    mappings = [];
    return chunk;
  };
  const pushNameChunk = (last: boolean): HistoryChunk => {
    const names = pushNames.splice(0, perPushNames);
    return {
      sync: {
        syncType: Type.PUSH_NAME,
        chunkOrder: next(Type.PUSH_NAME),
        pushnames: names,
        phoneNumberToLidMappings: [...(options.ownMappings ?? [])],
        ...(last && pushNames.length === 0 ? { progress: 100 } : {}),
      },
      messages: 0,
      conversations: 0,
      pushNames: names.length,
    };
  };

  for await (const batch of batches(stream)) for (const item of batch) {
    if (item.type === 'chat') {
      chatMeta.set(item.chat.id, item.chat);
      const existing = conversations.get(item.chat.id);
      conversations.set(item.chat.id, { ...conversation(item.chat.id, item.chat), messages: existing?.messages ?? [] });
    } else if (item.type === 'contact') {
      const { id, pushName, lidJid } = item.contact;
      if (pushName) pushNames.push({ id, pushname: pushName });
      if (lidJid) mappings.push({ pnJid: id, lidJid });
      if (pushNames.length >= perPushNames && messageChunks > 0) yield pushNameChunk(false);
    } else {
      if (messages >= perChunk) {
        // The stream goes on: the full chunk is not the last one.
        yield messageChunk(false);
        while (pushNames.length >= perPushNames) yield pushNameChunk(false);
      }
      const m = item.message;
      let conv = conversations.get(m.chatId);
      if (!conv) {
        conv = conversation(m.chatId, chatMeta.get(m.chatId));
        conversations.set(m.chatId, conv);
      }
      conv.messages?.push({ message: webMessage(m), msgOrderId: sentMessages + messages + 1 });
      messages++;
    }
  }
  if (messages > 0 || conversations.size > 0 || mappings.length > 0 || messageChunks === 0) yield messageChunk(true);
  while (pushNames.length > 0) yield pushNameChunk(true);
}
