/**
 * The gateway port (../gateway.ts) over the live socket: sends, group metadata, profile pictures,
 * number checks. What a call returns from WhatsApp is written to the store here (through the Ingestor),
 * since the adapter is the only writer of socket data.
 */
import { isJidGroup, jidNormalizedUser, proto, type AnyMessageContent, type ChatModification, type GroupMetadata, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import { AppError, withTimeout } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { NotConnectedError, type GroupInfo, type OutgoingAction, type OutgoingMedia, type SentMessage, type WhatsAppGateway } from '../gateway.js';
import type { Ingestor } from '../ingest.js';
import type { BaileysLogger } from '../log-signals.js';
import { chatJidOf, messageId, timestampMs } from '../mapping.js';
import { takeDeliveryId } from '../../util/delivery-context.js';
import { downloadStoredMedia } from './media-download.js';
import { statusCodeOf, type SocketSlot } from './live-socket.js';

export interface LiveGatewayDeps {
  store: Store;
  slot: SocketSlot;
  ingest: Ingestor;
  baileysLogger: BaileysLogger;
  /** Upper bound for one live call (send, metadata…). */
  callTimeoutMs: number;
}

function mediaContent(m: OutgoingMedia): AnyMessageContent {
  const src = { url: m.path };
  switch (m.kind) {
    case 'image':
      return { image: src, caption: m.caption, mimetype: m.mimetype };
    case 'video':
      return { video: src, caption: m.caption, mimetype: m.mimetype };
    case 'audio':
      return { audio: src, mimetype: m.mimetype, ptt: m.ptt ?? false };
    case 'sticker':
      return { sticker: src, mimetype: m.mimetype };
    default:
      return { document: src, mimetype: m.mimetype, fileName: m.fileName ?? 'file', caption: m.caption };
  }
}

export function liveGateway(deps: LiveGatewayDeps): WhatsAppGateway {
  const { slot, store, ingest, callTimeoutMs } = deps;
  /** Presence subscriptions per socket (a new socket starts with none). */
  const presenceSubscribed = new WeakMap<object, Set<string>>();

  function quoted(id?: string): WAMessage | undefined {
    if (!id) return undefined;
    const raw = store.messages.getRaw(id);
    if (!raw) throw new Error(`quoted message ${id} is not in the store`);
    return proto.WebMessageInfo.decode(raw) as WAMessage;
  }

  /** The stored message as WhatsApp knows it: its raw proto, or (seeded/legacy rows) a rebuilt key and text. */
  function stored(id: string): WAMessage {
    const raw = store.messages.getRaw(id);
    if (raw) return proto.WebMessageInfo.decode(raw) as WAMessage;
    const m = store.messages.get(id);
    if (!m) throw new Error(`message ${id} is not in the store`);
    const key: WAMessageKey = { remoteJid: m.chatId, fromMe: m.fromMe, id: m.id.slice(m.chatId.length + 1) };
    if (isJidGroup(m.chatId) && !m.fromMe) key.participant = m.from;
    return { key, message: m.type === 'text' ? { conversation: m.body } : undefined } as WAMessage;
  }

  function actionContent(a: OutgoingAction): AnyMessageContent {
    switch (a.kind) {
      case 'reaction':
        return { react: { text: a.emoji, key: stored(a.targetId).key } };
      case 'edit':
        return { text: a.text, edit: stored(a.targetId).key };
      case 'revoke':
        return { delete: stored(a.targetId).key };
      case 'forward': {
        // Someone else's message shows "Forwarded", as Baileys does for forwards by reference.
        if (a.file) return { ...mediaContent(a.file), contextInfo: store.messages.get(a.sourceId)?.fromMe ? {} : { isForwarded: true, forwardingScore: 1 } } as AnyMessageContent;
        const src = stored(a.sourceId);
        if (!src.message) throw new Error(`message ${a.sourceId} has no stored content to forward`);
        return { forward: src };
      }
      case 'location':
        return { location: { degreesLatitude: a.latitude, degreesLongitude: a.longitude, name: a.name, address: a.address } };
      case 'contact':
        return { contacts: { displayName: a.displayName, contacts: [{ displayName: a.displayName, vcard: a.vcard }] } };
      case 'poll':
        return { poll: { name: a.question, values: a.options, selectableCount: a.selectableCount } };
    }
  }

  async function send(jid: string, content: AnyMessageContent, quotedId?: string): Promise<SentMessage> {
    const sock = slot.openSocket();
    const msg = await withTimeout(sock.sendMessage(jid, content, { quoted: quoted(quotedId), messageId: takeDeliveryId() }), callTimeoutMs, 'WhatsApp (send)');
    if (!msg?.key.id) throw new Error('WhatsApp did not return a message id');
    // Stored now, so a read right after the tool returns sees it; the socket's own echo is skipped.
    ingest.ownSend(msg);
    const chatId = chatJidOf(msg.key) ?? jidNormalizedUser(jid);
    return { id: messageId(chatId, msg.key.id), chatId, keyId: msg.key.id, timestamp: timestampMs(msg.messageTimestamp ?? 0) || Date.now() };
  }

  function groupInfo(meta: GroupMetadata): GroupInfo {
    return {
      id: meta.id,
      subject: meta.subject,
      description: meta.desc,
      owner: meta.ownerPn ?? meta.owner,
      creation: meta.creation ? timestampMs(meta.creation) : undefined,
      participants: meta.participants.map((p) => ({
        jid: jidNormalizedUser(p.phoneNumber ?? p.id),
        lid: p.lid ?? (p.id.endsWith('@lid') ? p.id : undefined),
        phoneJid: p.phoneNumber ?? (p.id.endsWith('@s.whatsapp.net') ? p.id : undefined),
        admin: p.admin ?? null,
      })),
    };
  }

  /** Re-reads a group after a change so the store shows it at once (best effort: the w:gp2 notification follows). */
  async function refreshGroup(jid: string): Promise<void> {
    try {
      ingest.groups([await withTimeout(slot.openSocket().groupMetadata(jid), callTimeoutMs, 'WhatsApp (group metadata)')]);
    } catch {
      // The notification WhatsApp sends for the change updates the store too.
    }
  }

  return {
    isConnected: () => Boolean(slot.current?.open),
    sendText: (jid, text, o) => send(jid, { text }, o?.quotedMessageId),
    sendMedia: (jid, media, o) => send(jid, mediaContent(media), o?.quotedMessageId),
    downloadMedia: (id, destPath) => downloadStoredMedia({ store, slot, baileysLogger: deps.baileysLogger }, id, destPath),
    async groupMetadata(jid): Promise<GroupInfo> {
      const meta = await withTimeout(slot.openSocket().groupMetadata(jid), callTimeoutMs, 'WhatsApp (group metadata)');
      ingest.groups([meta]);
      return groupInfo(meta);
    },
    async profilePictureUrl(jid) {
      try {
        return (await withTimeout(slot.openSocket().profilePictureUrl(jid, 'image'), callTimeoutMs, 'WhatsApp (profile picture)')) ?? null;
      } catch (err) {
        if (err instanceof NotConnectedError) throw err;
        // 404/401 from WhatsApp: no picture, or hidden by the contact's privacy settings.
        if ([404, 401, 403].includes(statusCodeOf(err) ?? 0) || /item-not-found|not-authorized/.test(String(err))) return null;
        throw err;
      }
    },
    sendAction: (jid, action) => send(jid, actionContent(action)),
    async sendPresence(state, jid) {
      const sock = slot.openSocket();
      // Baileys silently drops account-wide presence until WhatsApp has given the account its push name.
      if ((state === 'available' || state === 'unavailable') && !sock.authState.creds.me?.name) {
        throw new AppError('wrong_state', 'WhatsApp has not sent this account its name yet, so online/offline presence cannot be set', 'Retry in a minute, after the first sync', {
          retryable: true,
          retryAfterMs: 60_000,
        });
      }
      await withTimeout(sock.sendPresenceUpdate(state, jid), callTimeoutMs, 'WhatsApp (presence)');
    },
    /**
     * Asks WhatsApp for a person's or group's presence (online / last seen, and chat states): WhatsApp only
     * sends presence of JIDs a client subscribed to. Once per JID per socket (the subscription lasts as long).
     */
    async subscribePresence(jid) {
      const sock = slot.openSocket();
      const done = presenceSubscribed.get(sock) ?? new Set<string>();
      presenceSubscribed.set(sock, done);
      if (done.has(jid)) return;
      await withTimeout(sock.presenceSubscribe(jid), callTimeoutMs, 'WhatsApp (presence subscribe)');
      done.add(jid);
    },
    async createGroup(subject, participants) {
      const meta = await withTimeout(slot.openSocket().groupCreate(subject, participants), callTimeoutMs, 'WhatsApp (create group)');
      ingest.groups([meta]);
      const inGroup = new Set(meta.participants.flatMap((p) => [p.id, p.phoneNumber, p.lid].filter((x): x is string => Boolean(x)).map((x) => jidNormalizedUser(x))));
      const refused = participants.filter((p) => !inGroup.has(jidNormalizedUser(p))).map((jid) => ({ jid, status: 'not added' }));
      return { group: groupInfo(meta), refused };
    },
    async updateGroupParticipants(jid, action, participants) {
      const res = await withTimeout(slot.openSocket().groupParticipantsUpdate(jid, participants, action), callTimeoutMs, 'WhatsApp (group participants)');
      await refreshGroup(jid);
      return res.map((r) => ({ jid: r.jid ? jidNormalizedUser(r.jid) : '', status: r.status }));
    },
    async updateGroupSettings(jid, change) {
      const sock = slot.openSocket();
      const step = (p: Promise<unknown>, what: string) => withTimeout(p, callTimeoutMs, `WhatsApp (${what})`);
      if (change.subject !== undefined) await step(sock.groupUpdateSubject(jid, change.subject), 'group subject');
      if (change.description !== undefined) await step(sock.groupUpdateDescription(jid, change.description || undefined), 'group description');
      if (change.announce !== undefined) await step(sock.groupSettingUpdate(jid, change.announce ? 'announcement' : 'not_announcement'), 'group settings');
      if (change.locked !== undefined) await step(sock.groupSettingUpdate(jid, change.locked ? 'locked' : 'unlocked'), 'group settings');
      await refreshGroup(jid);
    },
    async groupInviteCode(jid, revoke) {
      const sock = slot.openSocket();
      const code = await withTimeout(revoke ? sock.groupRevokeInvite(jid) : sock.groupInviteCode(jid), callTimeoutMs, 'WhatsApp (invite link)');
      if (!code) throw new Error('WhatsApp returned no invite code');
      return code;
    },
    async joinGroup(code) {
      const jid = await withTimeout(slot.openSocket().groupAcceptInvite(code), callTimeoutMs, 'WhatsApp (join group)');
      if (!jid) throw new Error('WhatsApp returned no group for the invite');
      await refreshGroup(jid);
      return jid;
    },
    async leaveGroup(jid) {
      await withTimeout(slot.openSocket().groupLeave(jid), callTimeoutMs, 'WhatsApp (leave group)');
    },
    async modifyChat(jid, change) {
      const sock = slot.openSocket();
      let mod: ChatModification;
      switch (change.kind) {
        case 'archive': {
          // WhatsApp wants the chat's newest message with the archive flag (the range it applies to).
          const newest = store.messages.list(jid, { limit: 1 }).items.at(-1);
          const raw = newest ? store.messages.getRaw(newest.id) : null;
          const last = raw ? proto.WebMessageInfo.decode(raw) : null;
          mod = { archive: change.on, lastMessages: last?.key && last.messageTimestamp ? [{ key: last.key, messageTimestamp: last.messageTimestamp }] : [] };
          break;
        }
        case 'pin':
          mod = { pin: change.on };
          break;
        case 'mute':
          mod = { mute: change.until };
          break;
        case 'deleteForMe': {
          const m = stored(change.messageId);
          mod = { deleteForMe: { deleteMedia: false, key: m.key, timestamp: Number(m.messageTimestamp ?? 0) || Math.floor(Date.now() / 1000) } };
          break;
        }
      }
      await withTimeout(sock.chatModify(mod, jid), callTimeoutMs, 'WhatsApp (chat change)');
    },
    async setBlocked(jid, on) {
      await withTimeout(slot.openSocket().updateBlockStatus(jid, on ? 'block' : 'unblock'), callTimeoutMs, 'WhatsApp (block list)');
    },
    async readMessages(keys) {
      const sock = slot.openSocket();
      await withTimeout(
        sock.readMessages(
          keys.map((k) => ({ remoteJid: k.chatId, id: k.keyId, fromMe: false, ...(k.participant ? { participant: k.participant } : {}) })),
        ),
        callTimeoutMs,
        'WhatsApp (read receipts)',
      );
    },
    async onWhatsApp(phones) {
      const res = (await withTimeout(slot.openSocket().onWhatsApp(...phones), callTimeoutMs, 'WhatsApp (number check)')) ?? [];
      return phones.map((phone) => {
        const hit = res.find((r) => r.jid.startsWith(`${phone}@`));
        return { phone, exists: Boolean(hit?.exists), jid: hit?.jid };
      });
    },
  };
}
