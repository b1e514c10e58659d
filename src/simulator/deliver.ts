import { encodeWAMessage, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { encryptMedia } from './media/crypto.js';
import type { PendingMessage } from './state.js';
import type { MediaKind, SimulatorContact } from './types.js';
import { unixSeconds } from './util/nodes.js';

const BUNDLE_WAIT_MS = 10_000;

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

/** How the message left the server; `queued` when every linked device was offline. */
type WireType = 'pkmsg' | 'msg' | 'plaintext' | 'queued';

async function deliverMessage(
  sim: SimulatorCore,
  contact: SimulatorContact,
  message: proto.IMessage,
  plaintext: boolean,
): Promise<{ id: string; type: WireType }> {
  const devices = [...sim.state.devices.values()];
  if (devices.length === 0) throw new Error('no device is linked to the simulated account');
  const id = sim.nextMessageId();
  const bytes = Buffer.from(proto.Message.encode(message).finish());
  let wireType: WireType = 'queued';
  for (const device of devices) {
    const pending: PendingMessage = { from: contact.number, id, t: unixSeconds(), message: bytes, plaintext };
    const conn = sim.sessions().find(c => c.device === device);
    if (!conn) {
      device.pending.push(pending);
      continue;
    }
    wireType = await sendPending(sim, conn, pending, false);
  }
  return { id, type: wireType };
}

async function sendPending(sim: SimulatorCore, conn: ClientConnection, pending: PendingMessage, offline: boolean): Promise<WireType> {
  const contact = resolveContact(sim, pending.from);
  const message = proto.Message.decode(pending.message);
  const attrs = {
    from: contact.jid,
    id: pending.id,
    t: pending.t,
    type: message.conversation ? 'text' : 'media',
    notify: contact.name,
    sender_lid: contact.lidJid,
    ...(offline ? { offline: '1' } : {}),
  };
  if (pending.plaintext) {
    sim.send(conn, { tag: 'message', attrs, content: [{ tag: 'plaintext', attrs: {}, content: pending.message }] });
    return 'plaintext';
  }
  const enc = await encryptForDevice(sim, conn, contact, message);
  sim.send(conn, { tag: 'message', attrs, content: [enc] });
  return enc.attrs.type === 'pkmsg' ? 'pkmsg' : 'msg';
}

/** Delivers a device's offline queue (before `<ib><offline count>`); returns how many were sent. */
export async function flushPending(sim: SimulatorCore, conn: ClientConnection): Promise<number> {
  const device = conn.device;
  if (!device) return 0;
  const queue = device.pending.splice(0);
  for (const pending of queue) await sendPending(sim, conn, pending, true);
  return queue.length;
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
