/**
 * The gateway port (../gateway.ts) over the live socket: sends, group metadata, profile pictures,
 * number checks. What a call returns from WhatsApp is written to the store here (through the Ingestor),
 * since the adapter is the only writer of socket data.
 */
import { jidNormalizedUser, proto, type AnyMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import { withTimeout } from '../../errors.js';
import type { Store } from '../../store/index.js';
import { NotConnectedError, type GroupInfo, type OutgoingMedia, type SentMessage, type WhatsAppGateway } from '../gateway.js';
import type { Ingestor } from '../ingest.js';
import type { BaileysLogger } from '../log-signals.js';
import { chatJidOf, messageId, timestampMs } from '../mapping.js';
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

  function quoted(id?: string): WAMessage | undefined {
    if (!id) return undefined;
    const raw = store.messages.getRaw(id);
    if (!raw) throw new Error(`quoted message ${id} is not in the store`);
    return proto.WebMessageInfo.decode(raw) as WAMessage;
  }

  async function send(jid: string, content: AnyMessageContent, quotedId?: string): Promise<SentMessage> {
    const sock = slot.openSocket();
    const msg = await withTimeout(sock.sendMessage(jid, content, { quoted: quoted(quotedId) }), callTimeoutMs, 'WhatsApp (send)');
    if (!msg?.key.id) throw new Error('WhatsApp did not return a message id');
    // Stored now, so a read right after the tool returns sees it; the socket's own echo is skipped.
    ingest.ownSend(msg);
    const chatId = chatJidOf(msg.key) ?? jidNormalizedUser(jid);
    return { id: messageId(chatId, msg.key.id), chatId, keyId: msg.key.id, timestamp: timestampMs(msg.messageTimestamp ?? 0) || Date.now() };
  }

  return {
    isConnected: () => Boolean(slot.current?.open),
    sendText: (jid, text, o) => send(jid, { text }, o?.quotedMessageId),
    sendMedia: (jid, media, o) => send(jid, mediaContent(media), o?.quotedMessageId),
    downloadMedia: (id, destPath) => downloadStoredMedia({ store, slot, baileysLogger: deps.baileysLogger }, id, destPath),
    async groupMetadata(jid): Promise<GroupInfo> {
      const meta = await withTimeout(slot.openSocket().groupMetadata(jid), callTimeoutMs, 'WhatsApp (group metadata)');
      ingest.groups([meta]);
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
