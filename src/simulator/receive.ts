import { proto, unpadRandomMax16, type BinaryNode } from '@whiskeysockets/baileys';
import { isActionContent } from './actions.js';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { decryptMedia } from './media/crypto.js';
import type { DeviceRecord } from './state.js';
import type { MediaKind, SentMessage } from './types.js';
import { splitJid } from './util/jid.js';
import { bytesOf, child, children, unixSeconds } from './util/nodes.js';

const AUTO_RECEIPT_DELAY_MS = 100;

const MEDIA_FIELDS: [keyof proto.IMessage, MediaKind][] = [
  ['imageMessage', 'image'],
  ['videoMessage', 'video'],
  ['audioMessage', 'audio'],
  ['documentMessage', 'document'],
  ['stickerMessage', 'sticker'],
];

/** Fetches and decrypts a media attachment the client uploaded to our host (proves real media crypto). */
async function mediaOf(sim: SimulatorCore, message: proto.IMessage): Promise<SentMessage['media']> {
  for (const [field, kind] of MEDIA_FIELDS) {
    const content = message[field] as
      | { url?: string | null; mediaKey?: Uint8Array | null; mimetype?: string | null; caption?: string | null }
      | null
      | undefined;
    if (!content?.mediaKey) continue;
    const file = sim.media.get(content.url);
    if (!file) return undefined;
    const data = await decryptMedia(file, content.mediaKey, kind);
    return { kind, mimetype: content.mimetype ?? undefined, data, caption: content.caption ?? undefined };
  }
  return undefined;
}

function textOf(message: proto.IMessage): string | undefined {
  return (
    message.conversation ??
    message.extendedTextMessage?.text ??
    message.imageMessage?.caption ??
    message.videoMessage?.caption ??
    message.documentMessage?.caption ??
    undefined
  );
}

function isUserContent(message: proto.IMessage): boolean {
  return textOf(message) !== undefined || MEDIA_FIELDS.some(([field]) => !!message[field]) || isActionContent(message);
}

/**
 * A `<message>` from the companion: decrypt each `<to>` copy with the addressed party's
 * repository (so `sent` holds what contacts really received), ack it, and — like a phone
 * that is online — send the delivery receipt. Group sends carry sender-key distribution
 * messages in the per-device copies and the text once, as `skmsg`.
 */
export async function receiveClientMessage(sim: SimulatorCore, conn: ClientConnection, node: BinaryNode): Promise<void> {
  const id = node.attrs.id ?? '';
  const to = node.attrs.to ?? '';
  const sender = conn.device?.jid;
  // A refused send is answered with an error ack and reaches nobody (WhatsApp's 463 / 429).
  const refusal = sim.refuseSends;
  if (refusal && refusal.remaining > 0) {
    if (--refusal.remaining === 0) sim.refuseSends = null;
    sim.emit('send-refused', { id, to, code: refusal.code });
    sim.send(conn, { tag: 'ack', attrs: { class: 'message', id, from: to, t: unixSeconds(), error: String(refusal.code) } });
    return;
  }
  const copies: { recipient: string; enc: BinaryNode }[] = [];
  for (const target of children(child(node, 'participants'), 'to')) {
    const enc = child(target, 'enc');
    if (enc) copies.push({ recipient: target.attrs.jid ?? '', enc });
  }
  const direct = child(node, 'enc');
  const record = async (recipient: string, type: SentMessage['type'], message: proto.Message): Promise<void> => {
    const media = await mediaOf(sim, message).catch(err => {
      sim.logger.warn({ err, id }, 'simulator: could not decrypt client media');
      return undefined;
    });
    const entry: SentMessage = {
      ...(media ? { media } : {}),
      to,
      recipient,
      id,
      text: textOf(message),
      message: proto.Message.toObject(message, { bytes: Buffer, longs: Number }),
      type,
      at: Date.now(),
    };
    sim.sent.push(entry);
    sim.emit('message-received', entry);
  };

  let deliveredToContact = false;
  const groupReaders: string[] = [];
  if (sender) {
    forwardToCompanions(sim, conn, node, copies);
    for (const { recipient, enc } of copies) {
      const peer = sim.peerFor(recipient);
      const ciphertext = bytesOf(enc);
      const type = enc.attrs.type;
      if (!peer || !ciphertext || (type !== 'pkmsg' && type !== 'msg')) continue;
      try {
        const message = await peer.party.decrypt(sender, type, ciphertext);
        const skdm = message.senderKeyDistributionMessage;
        if (skdm?.groupId && skdm.axolotlSenderKeyDistributionMessage) {
          await peer.party.repository.processSenderKeyDistributionMessage({ item: skdm, authorJid: sender });
        }
        if (peer.kind !== 'contact' || !isUserContent(message)) continue;
        deliveredToContact = true;
        await record(recipient, type, message);
      } catch (err) {
        sim.logger.warn({ err, recipient, id }, 'simulator: could not decrypt client message');
        sim.emit('decrypt-error', { recipient, id, error: String(err) });
      }
    }
    const group = sim.groups.find(g => g.jid === to);
    const skmsg = direct?.attrs.type === 'skmsg' ? bytesOf(direct) : undefined;
    if (group && skmsg) {
      for (const member of group.participants) {
        const peer = sim.peerFor(member.jid);
        if (peer?.kind !== 'contact') continue;
        try {
          const plain = await peer.party.repository.decryptGroupMessage({ group: to, authorJid: sender, msg: skmsg });
          groupReaders.push(member.jid);
          await record(member.jid, 'skmsg', proto.Message.decode(unpadRandomMax16(plain)));
        } catch (err) {
          sim.emit('decrypt-error', { recipient: member.jid, id, error: String(err) });
        }
      }
    }
  }
  sim.send(conn, { tag: 'ack', attrs: { class: 'message', id, from: to, t: unixSeconds() } });
  const device = conn.device;
  if (sim.autoReceipts && device && (deliveredToContact || groupReaders.length)) {
    // A real phone answers after a network round trip; an instant receipt would be merged by
    // Baileys' event buffer into the still-buffered upsert of the sent message (no messages.update).
    const participants = groupReaders.length ? groupReaders : [undefined];
    const timer = setTimeout(() => {
      for (const participant of participants) postReceipt(sim, device, { id, from: to, participant });
    }, AUTO_RECEIPT_DELAY_MS);
    timer.unref();
  }
}

/** Queues a contact's receipt (`type` undefined: delivered) for one device until it acks it. */
function postReceipt(
  sim: SimulatorCore,
  device: DeviceRecord,
  input: { id: string; from: string; participant?: string; type?: 'read' | 'played' },
): void {
  const t = unixSeconds();
  const attrs: Record<string, string> = { id: input.id, from: input.from, t };
  if (input.participant) attrs.participant = input.participant;
  if (input.type) attrs.type = input.type;
  void sim.outbox.post(device, {
    key: `receipt|${input.id}|${input.type ?? ''}|${input.participant ?? ''}`,
    id: input.id,
    stanza: 'receipt',
    t,
    payload: { kind: 'node', node: { tag: 'receipt', attrs } },
  });
}

/**
 * Copies addressed to the account's *other* linked companions are relayed to them, as the
 * server does (they arrive as fromMe messages in `recipient`'s chat), queued until acknowledged.
 */
function forwardToCompanions(
  sim: SimulatorCore,
  from: ClientConnection,
  node: BinaryNode,
  copies: { recipient: string; enc: BinaryNode }[],
): void {
  for (const { recipient, enc } of copies) {
    const who = splitJid(recipient);
    if (!who || who.device === 0 || (who.user !== sim.phone.number && who.user !== sim.phone.lid)) continue;
    const target = sim.state.devices.get(who.device);
    if (!target || !from.device || target === from.device) continue;
    const id = node.attrs.id ?? '';
    const t = unixSeconds();
    void sim.outbox.post(target, {
      key: `message|${id}`,
      id,
      stanza: 'message',
      t,
      payload: {
        kind: 'node',
        node: { tag: 'message', attrs: { from: from.device.jid, recipient: node.attrs.to ?? '', id, t, type: node.attrs.type ?? 'text' }, content: [enc] },
      },
    });
  }
}

/** A delivery (`type` undefined) or read receipt from `from` for messages the client sent, to every linked device. */
export function sendReceipt(sim: SimulatorCore, input: { id: string; from: string; type?: 'read' | 'played' }): void {
  for (const device of sim.state.devices.values()) postReceipt(sim, device, input);
}

/**
 * The account's own phone read messages of a chat (a `read-self` receipt to every linked device, as
 * WhatsApp relays it): the companion learns the chat is read up to them. In groups the receipt comes
 * from the group with the phone as participant; in a direct chat from the phone with the chat as recipient.
 */
export function sendReadSelf(sim: SimulatorCore, input: { chat: string; ids: string[] }): void {
  const [first, ...rest] = input.ids;
  if (!first) return;
  const me = sim.phone.jid;
  const t = unixSeconds();
  const attrs: Record<string, string> = input.chat.endsWith('@g.us')
    ? { id: first, from: input.chat, participant: me, type: 'read-self', t }
    : { id: first, from: me, recipient: input.chat, type: 'read-self', t };
  const node: BinaryNode = { tag: 'receipt', attrs };
  if (rest.length) node.content = [{ tag: 'list', attrs: {}, content: rest.map(id => ({ tag: 'item', attrs: { id } })) }];
  for (const device of sim.state.devices.values()) {
    void sim.outbox.post(device, { key: `receipt|${first}|read-self|`, id: first, stanza: 'receipt', t, payload: { kind: 'node', node } });
  }
}
