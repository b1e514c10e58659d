import { encodeWAMessage, proto, unpadRandomMax16, type BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { decryptMedia, encryptMedia } from './media/crypto.js';
import type { MediaKind, SentMessage, SimulatorContact } from './types.js';
import { splitJid } from './util/jid.js';
import { bytesOf, child, children, unixSeconds } from './util/nodes.js';

const BUNDLE_WAIT_MS = 10_000;
const AUTO_RECEIPT_DELAY_MS = 100;

/** Self-addressed message from the phone (device 0) — history sync, key shares. Sent as `<plaintext>`. */
export async function deliverFromPhone(sim: SimulatorCore, conn: ClientConnection, message: proto.IMessage): Promise<string> {
  const id = sim.nextMessageId();
  sim.send(conn, {
    tag: 'message',
    attrs: { from: sim.phone.jid, id, t: unixSeconds(), type: 'text', category: 'peer' },
    content: [{ tag: 'plaintext', attrs: {}, content: proto.Message.encode(message).finish() }],
  });
  return id;
}

/** The companion uploads its prekeys right after `success`; Signal delivery must wait for them. */
async function waitForBundle(conn: ClientConnection): Promise<void> {
  const deadline = Date.now() + BUNDLE_WAIT_MS;
  while (!conn.device?.bundle) {
    if (!conn.isOpen || Date.now() > deadline) throw new Error('companion has not uploaded prekeys');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

export interface DeliverTextInput {
  from?: string;
  text: string;
  /** Skip Signal and send the `<plaintext>` shortcut. */
  plaintext?: boolean;
}

export function resolveContact(sim: SimulatorCore, from: string | undefined): SimulatorContact {
  const contact = from
    ? sim.contacts.find(c => c.jid === from || c.number === from || c.lidJid === from || c.lid === from || c.name === from)
    : sim.contacts[0];
  if (!contact) throw new Error(from ? `unknown contact ${from}` : 'the simulator has no contacts');
  return contact;
}

/**
 * A contact sends a text to every linked device: real Signal (`pkmsg` until the contact has
 * heard back, `msg` afterwards) encrypted by the contact's own libsignal repository.
 */
export function deliverText(sim: SimulatorCore, input: DeliverTextInput): Promise<{ id: string; type: WireType }> {
  return deliverMessage(sim, resolveContact(sim, input.from), { conversation: input.text }, input.plaintext === true);
}

export interface DeliverMediaInput {
  from?: string;
  kind: MediaKind;
  data: Buffer;
  mimetype: string;
  caption?: string;
  fileName?: string;
}

/** A contact sends media: encrypted like WhatsApp does, stored on the local media host. */
export async function deliverMedia(sim: SimulatorCore, input: DeliverMediaInput): Promise<{ id: string; type: WireType }> {
  const encrypted = await encryptMedia(input.data, input.kind);
  const content = {
    url: sim.media.put(encrypted.file),
    mimetype: input.mimetype,
    mediaKey: encrypted.mediaKey,
    fileSha256: encrypted.fileSha256,
    fileEncSha256: encrypted.fileEncSha256,
    fileLength: encrypted.fileLength,
    mediaKeyTimestamp: Math.floor(Date.now() / 1000),
  };
  const message: proto.IMessage =
    input.kind === 'image'
      ? { imageMessage: { ...content, caption: input.caption } }
      : input.kind === 'video'
        ? { videoMessage: { ...content, caption: input.caption } }
        : input.kind === 'audio'
          ? { audioMessage: content }
          : input.kind === 'sticker'
            ? { stickerMessage: content }
            : { documentMessage: { ...content, caption: input.caption, fileName: input.fileName ?? 'file' } };
  return deliverMessage(sim, resolveContact(sim, input.from), message, false);
}

type WireType = 'pkmsg' | 'msg' | 'plaintext';

async function deliverMessage(
  sim: SimulatorCore,
  contact: SimulatorContact,
  message: proto.IMessage,
  plaintext: boolean,
): Promise<{ id: string; type: WireType }> {
  const sessions = sim.sessions();
  if (sessions.length === 0) throw new Error('no linked device is connected');
  const id = sim.nextMessageId();
  const messageType = message.conversation !== undefined ? 'text' : 'media';
  let wireType: WireType = 'plaintext';
  for (const conn of sessions) {
    const device = conn.device;
    if (!device) continue;
    const attrs = { from: contact.jid, id, t: unixSeconds(), type: messageType, notify: contact.name, sender_lid: contact.lidJid };
    if (plaintext) {
      sim.send(conn, { tag: 'message', attrs, content: [{ tag: 'plaintext', attrs: {}, content: proto.Message.encode(message).finish() }] });
      continue;
    }
    const enc = await encryptForDevice(sim, conn, contact, message);
    wireType = enc.attrs.type === 'pkmsg' ? 'pkmsg' : 'msg';
    sim.send(conn, { tag: 'message', attrs, content: [enc] });
  }
  return { id, type: wireType };
}

/** `<enc>` for one linked device from a contact, starting the Signal session from the device's bundle if needed. */
async function encryptForDevice(
  sim: SimulatorCore,
  conn: ClientConnection,
  contact: SimulatorContact,
  message: proto.IMessage,
): Promise<BinaryNode> {
  const peer = sim.peerFor(contact.jid);
  if (!peer) throw new Error(`no Signal party for ${contact.jid}`);
  await waitForBundle(conn);
  const device = conn.device;
  const bundle = device?.bundle;
  if (!device || !bundle) throw new Error('companion prekeys missing');
  if (!(await peer.party.hasSession(device.jid))) await peer.party.startSession(device.jid, bundle);
  const { type, ciphertext } = await peer.party.encrypt(device.jid, message);
  return { tag: 'enc', attrs: { v: '2', type }, content: ciphertext };
}

/** Sender keys a contact already handed to a device (per simulator run; resending is harmless). */
const distributed = new WeakMap<SimulatorCore, Set<string>>();

/**
 * A contact writes in a group: the text travels once as `skmsg` under the contact's sender key;
 * a device that has not seen that key first gets it in a Signal-encrypted distribution message.
 */
export async function deliverGroupText(
  sim: SimulatorCore,
  input: { group?: string; from?: string; text: string },
): Promise<{ id: string; group: string }> {
  const group = input.group ? sim.groups.find(g => g.jid === input.group) : sim.groups[0];
  if (!group) throw new Error(input.group ? `unknown group ${input.group}` : 'the simulator has no groups');
  const contact = resolveContact(sim, input.from);
  const peer = sim.peerFor(contact.jid);
  if (!peer) throw new Error(`no Signal party for ${contact.jid}`);
  const { ciphertext, senderKeyDistributionMessage } = await peer.party.repository.encryptGroupMessage({
    group: group.jid,
    meId: contact.jid,
    data: encodeWAMessage({ conversation: input.text }),
  });
  const seen = distributed.get(sim) ?? new Set<string>();
  distributed.set(sim, seen);
  const id = sim.nextMessageId();
  for (const conn of sim.sessions()) {
    const device = conn.device;
    if (!device) continue;
    const content: BinaryNode[] = [];
    const memo = `${group.jid}|${contact.jid}|${device.jid}`;
    if (!seen.has(memo)) {
      const skdm = { groupId: group.jid, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage };
      content.push(await encryptForDevice(sim, conn, contact, { senderKeyDistributionMessage: skdm }));
      seen.add(memo);
    }
    content.push({ tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: ciphertext });
    sim.send(conn, {
      tag: 'message',
      attrs: { from: group.jid, participant: contact.jid, id, t: unixSeconds(), type: 'text', notify: contact.name, addressing_mode: 'pn' },
      content,
    });
  }
  return { id, group: group.jid };
}

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
  return textOf(message) !== undefined || MEDIA_FIELDS.some(([field]) => !!message[field]);
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
  if (sim.autoReceipts && (deliveredToContact || groupReaders.length)) {
    // A real phone answers after a network round trip; an instant receipt would be merged by
    // Baileys' event buffer into the still-buffered upsert of the sent message (no messages.update).
    const receipts: BinaryNode[] = groupReaders.length
      ? groupReaders.map(participant => ({ tag: 'receipt', attrs: { id, from: to, participant, t: unixSeconds() } }))
      : [{ tag: 'receipt', attrs: { id, from: to, t: unixSeconds() } }];
    const timer = setTimeout(() => receipts.forEach(r => sim.send(conn, r)), AUTO_RECEIPT_DELAY_MS);
    timer.unref();
  }
}

/**
 * Copies addressed to the account's *other* linked companions are relayed to them, as the
 * server does (they arrive as fromMe messages in `recipient`'s chat).
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
    const target = sim.sessions().find(c => c !== from && c.device?.device === who.device);
    if (!target || !from.device) continue;
    sim.send(target, {
      tag: 'message',
      attrs: { from: from.device.jid, recipient: node.attrs.to ?? '', id: node.attrs.id ?? '', t: unixSeconds(), type: node.attrs.type ?? 'text' },
      content: [enc],
    });
  }
}

/** A delivery (`type` undefined) or read receipt from `from` for messages the client sent. */
export function sendReceipt(sim: SimulatorCore, input: { id: string; from: string; type?: 'read' | 'played' }): void {
  for (const conn of sim.sessions()) {
    sim.send(conn, {
      tag: 'receipt',
      attrs: { id: input.id, from: input.from, t: unixSeconds(), ...(input.type ? { type: input.type } : {}) },
    });
  }
}
