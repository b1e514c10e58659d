import { deflateSync } from 'node:zlib';
import { proto } from '@whiskeysockets/baileys';
import type { HistoryOptions, PhoneOptions, SimulatorContact } from './types.js';
import type { SeededRandom } from './util/rng.js';

const WORDS = ['lunch', 'tomorrow', 'meeting', 'photos', 'train', 'coffee', 'invoice', 'call', 'weekend', 'project', 'thanks', 'later'];
/** Fixed epoch so a seed yields byte-identical history regardless of when the test runs. */
const HISTORY_EPOCH = 1_700_000_000;

export interface HistoryPeer {
  jid: string;
  lidJid: string;
  name: string;
}

/**
 * The account's pre-existing chats as the phone would upload them on first link: one
 * conversation per peer (seeded contacts first, then synthetic peers), deterministic by seed.
 */
export function buildHistorySync(
  rng: SeededRandom,
  phone: PhoneOptions,
  contacts: SimulatorContact[],
  options: HistoryOptions,
): proto.IHistorySync {
  const r = rng.fork('history');
  const peers: HistoryPeer[] = [];
  for (let i = 0; i < options.chats; i++) {
    const contact = contacts[i];
    if (contact) {
      peers.push({ jid: contact.jid, lidJid: contact.lidJid, name: contact.name });
    } else {
      const number = `1555${r.digits(7)}`;
      peers.push({ jid: `${number}@s.whatsapp.net`, lidJid: `${r.digits(14)}@lid`, name: `History Peer ${i + 1}` });
    }
  }
  const conversations: proto.IConversation[] = peers.map((peer, chatIndex) => {
    const messages: proto.IHistorySyncMsg[] = [];
    // Newest first, as the phone sends them.
    for (let m = options.messagesPerChat - 1; m >= 0; m--) {
      const fromMe = r.int(2) === 0;
      const text = `${r.pick(WORDS)} ${r.pick(WORDS)} #${chatIndex + 1}.${m + 1}`;
      messages.push({
        msgOrderId: m + 1,
        message: {
          key: { remoteJid: peer.jid, fromMe, id: `HIST${r.hex(8)}` },
          message: { conversation: text },
          messageTimestamp: HISTORY_EPOCH + chatIndex * 10_000 + m * 60,
          status: fromMe ? proto.WebMessageInfo.Status.READ : proto.WebMessageInfo.Status.DELIVERY_ACK,
          ...(fromMe ? {} : { pushName: peer.name }),
        },
      });
    }
    return {
      id: peer.jid,
      name: peer.name,
      lidJid: peer.lidJid,
      messages,
      unreadCount: 0,
      conversationTimestamp: HISTORY_EPOCH + chatIndex * 10_000 + options.messagesPerChat * 60,
    };
  });
  return {
    syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
    conversations,
    phoneNumberToLidMappings: [
      { pnJid: `${phone.number}@s.whatsapp.net`, lidJid: `${phone.lid}@lid` },
      ...peers.map(p => ({ pnJid: p.jid, lidJid: p.lidJid })),
    ],
    pushnames: peers.map(p => ({ id: p.jid, pushname: p.name })),
    chunkOrder: 0,
    progress: 100,
  };
}

/** The protocol message the phone sends to a new companion, with the history inline (no media host). */
export function historyNotificationMessage(history: proto.IHistorySync): proto.IMessage {
  const payload = deflateSync(proto.HistorySync.encode(history).finish());
  return {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION,
      historySyncNotification: {
        syncType: proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP,
        initialHistBootstrapInlinePayload: payload,
        chunkOrder: 0,
        progress: 100,
      },
    },
  };
}
