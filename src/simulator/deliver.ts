import { encodeWAMessage, proto, type BinaryNode } from '@whiskeysockets/baileys';
import type { ClientConnection } from './connection.js';
import type { SimulatorCore } from './core.js';
import { encryptMedia } from './media/crypto.js';
import type { OutboxEntry } from './outbox.js';
import type { DeviceRecord } from './state.js';
import type { MediaKind, SimulatorContact } from './types.js';
import { unixSeconds } from './util/nodes.js';

const BUNDLE_WAIT_MS = 10_000;

/** A queued stanza made ready for one transmission. */
export interface Rendered {
  node: BinaryNode;
  /** How it travels: the Signal message type for encrypted messages, `node` for prebuilt stanzas. */
  wire: 'pkmsg' | 'msg' | 'skmsg' | 'plaintext' | 'node';
  /** Runs once the device acknowledges this transmission. */
  onAcked?: () => void;
}

/**
 * Self-addressed message from the phone (device 0) — history sync, key shares — queued for one
 * companion and sent as `<plaintext>`, category peer. Resolves with the message id.
 */
export async function deliverFromPhone(sim: SimulatorCore, device: DeviceRecord, message: proto.IMessage): Promise<string> {
  const id = sim.nextMessageId();
  await sim.outbox.post(device, {
    key: `message|${id}`,
    id,
    stanza: 'message',
    t: unixSeconds(),
    payload: { kind: 'phone', message: Buffer.from(proto.Message.encode(message).finish()) },
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

/** How the message left the server; `queued` when no linked device took it at once. */
type WireType = 'pkmsg' | 'msg' | 'plaintext' | 'queued';

export async function deliverMessage(
  sim: SimulatorCore,
  contact: SimulatorContact,
  message: proto.IMessage,
  plaintext: boolean,
  reuseId?: string,
): Promise<{ id: string; type: WireType }> {
  const devices = [...sim.state.devices.values()];
  if (devices.length === 0) throw new Error('no device is linked to the simulated account');
  const id = reuseId ?? sim.nextMessageId();
  const t = unixSeconds();
  const bytes = Buffer.from(proto.Message.encode(message).finish());
  const results = await Promise.all(
    devices.map(device =>
      sim.outbox.post(device, { key: `message|${id}`, id, stanza: 'message', t, payload: { kind: 'contact', from: contact.number, message: bytes, plaintext } }),
    ),
  );
  const sent = results.find((r): r is 'pkmsg' | 'msg' | 'plaintext' => r === 'pkmsg' || r === 'msg' || r === 'plaintext');
  return { id, type: sent ?? 'queued' };
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

/** Sender keys each device has acknowledged receiving, per simulator run (resending is harmless). */
const distributed = new WeakMap<SimulatorCore, Set<string>>();

function distributedTo(sim: SimulatorCore): Set<string> {
  let seen = distributed.get(sim);
  if (!seen) {
    seen = new Set();
    distributed.set(sim, seen);
  }
  return seen;
}

/**
 * A contact writes in a group: the text travels as `skmsg` under the contact's sender key; a
 * device that has not acknowledged that key yet also gets it, in a Signal-encrypted
 * distribution message. Queued per device like every other stanza.
 */
export async function deliverGroupText(
  sim: SimulatorCore,
  input: { group?: string; from?: string; text: string },
): Promise<{ id: string; group: string }> {
  return deliverGroupMessage(sim, { group: input.group, from: input.from, message: { conversation: input.text } });
}

/** A contact sends any message in a group (sender keys); `id` reuses a message id (a live-location update). */
export async function deliverGroupMessage(
  sim: SimulatorCore,
  input: { group?: string; from?: string; message: proto.IMessage; id?: string },
): Promise<{ id: string; group: string }> {
  const group = input.group ? sim.groups.find(g => g.jid === input.group) : sim.groups[0];
  if (!group) throw new Error(input.group ? `unknown group ${input.group}` : 'the simulator has no groups');
  const contact = resolveContact(sim, input.from);
  if (!sim.peerFor(contact.jid)) throw new Error(`no Signal party for ${contact.jid}`);
  const id = input.id ?? sim.nextMessageId();
  const t = unixSeconds();
  const message = Buffer.from(proto.Message.encode(input.message).finish());
  await Promise.all(
    [...sim.state.devices.values()].map(device =>
      sim.outbox.post(device, { key: `message|${id}`, id, stanza: 'message', t, payload: { kind: 'group', group: group.jid, from: contact.number, message } }),
    ),
  );
  return { id, group: group.jid };
}

/**
 * Stanza attributes WhatsApp puts on a message by its content (`Socket/messages-send.js` `getMessageType`
 * and the `edit` attribute): reactions and polls have their own type, media (locations and contact cards
 * included) is `media`; an edit carries `edit="1"`, a sender's revoke `edit="7"`.
 */
export function stanzaAttrsOf(message: proto.IMessage): Record<string, string> {
  const p = message.protocolMessage;
  const edit: Record<string, string> =
    p?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT ? { edit: '1' } : p?.type === proto.Message.ProtocolMessage.Type.REVOKE ? { edit: '7' } : {};
  if (message.reactionMessage) return { type: 'reaction' };
  if (message.pollCreationMessage || message.pollCreationMessageV2 || message.pollCreationMessageV3 || message.pollUpdateMessage) return { type: 'poll' };
  if (message.conversation || message.extendedTextMessage || p) return { type: 'text', ...edit };
  return { type: 'media' };
}

/** Builds the wire stanza for one transmission of a queued entry (encrypting against the current sessions). */
export async function renderStanza(sim: SimulatorCore, conn: ClientConnection, entry: OutboxEntry, offline: boolean): Promise<Rendered> {
  const mark: Record<string, string> = offline ? { offline: '1' } : {};
  const payload = entry.payload;
  switch (payload.kind) {
    case 'node':
      return { node: { ...payload.node, attrs: { ...payload.node.attrs, ...mark } }, wire: 'node' };
    case 'phone':
      return {
        node: {
          tag: 'message',
          attrs: { from: sim.phone.jid, id: entry.id, t: entry.t, type: 'text', category: 'peer', ...mark },
          content: [{ tag: 'plaintext', attrs: {}, content: payload.message }],
        },
        wire: 'plaintext',
      };
    case 'contact': {
      const contact = resolveContact(sim, payload.from);
      const message = proto.Message.decode(payload.message);
      const attrs = {
        from: contact.jid,
        id: entry.id,
        t: entry.t,
        ...stanzaAttrsOf(message),
        notify: contact.name,
        sender_lid: contact.lidJid,
        ...mark,
      };
      if (payload.plaintext) {
        return { node: { tag: 'message', attrs, content: [{ tag: 'plaintext', attrs: {}, content: payload.message }] }, wire: 'plaintext' };
      }
      const enc = await encryptForDevice(sim, conn, contact, message);
      return { node: { tag: 'message', attrs, content: [enc] }, wire: enc.attrs.type === 'pkmsg' ? 'pkmsg' : 'msg' };
    }
    case 'group': {
      const contact = resolveContact(sim, payload.from);
      const peer = sim.peerFor(contact.jid);
      const device = conn.device;
      if (!peer || !device) throw new Error(`no Signal party for ${contact.jid}`);
      const message = proto.Message.decode(payload.message);
      const { ciphertext, senderKeyDistributionMessage } = await peer.party.repository.encryptGroupMessage({
        group: payload.group,
        meId: contact.jid,
        data: encodeWAMessage(message),
      });
      const content: BinaryNode[] = [];
      const memo = `${payload.group}|${contact.jid}|${device.jid}`;
      const seen = distributedTo(sim);
      if (!seen.has(memo)) {
        const skdm = { groupId: payload.group, axolotlSenderKeyDistributionMessage: senderKeyDistributionMessage };
        content.push(await encryptForDevice(sim, conn, contact, { senderKeyDistributionMessage: skdm }));
      }
      content.push({ tag: 'enc', attrs: { v: '2', type: 'skmsg' }, content: ciphertext });
      return {
        node: {
          tag: 'message',
          attrs: { from: payload.group, participant: contact.jid, id: entry.id, t: entry.t, ...stanzaAttrsOf(message), notify: contact.name, addressing_mode: 'pn', ...mark },
          content,
        },
        wire: 'skmsg',
        onAcked: () => seen.add(memo),
      };
    }
  }
}
