/**
 * What a contact's phone sends beyond text and media (#14, inbound): reactions, edits and revokes of its
 * own messages, polls, poll votes, locations (live ones too) and contact cards — in a direct chat with the
 * account or in a group. Keys are written from the contact's side, as WhatsApp clients do: in a direct
 * chat the `remoteJid` of a key is the account's JID, and `fromMe` says whether the target is the contact's.
 */
import { randomBytes } from 'node:crypto';
import { proto } from '@whiskeysockets/baileys';
import type { SimulatorCore } from './core.js';
import { deliverGroupMessage, deliverMessage, resolveContact } from './deliver.js';
import type { SimulatorContact } from './types.js';

/** Where the contact acts: its direct chat with the account (default) or a group. */
export interface ContactScope {
  /** A seeded contact (JID, number, LID or name); default the first. */
  from?: string;
  /** A group JID: the action happens in that group instead of the direct chat. */
  group?: string;
}

/** A poll a contact created, remembered so the same or another contact can vote on it. */
export interface ContactPoll {
  id: string;
  creator: string;
  group?: string;
  options: string[];
  secret: Buffer;
}

const polls = new WeakMap<SimulatorCore, Map<string, ContactPoll>>();

export function contactPolls(sim: SimulatorCore): Map<string, ContactPoll> {
  let m = polls.get(sim);
  if (!m) {
    m = new Map();
    polls.set(sim, m);
  }
  return m;
}

async function send(sim: SimulatorCore, contact: SimulatorContact, scope: ContactScope, message: proto.IMessage, reuseId?: string): Promise<{ id: string }> {
  if (scope.group) return deliverGroupMessage(sim, { group: scope.group, from: contact.jid, message, ...(reuseId ? { id: reuseId } : {}) });
  return deliverMessage(sim, contact, message, false, reuseId);
}

/** Did the companion (our account) send message `id`? Then it is not the contact's own. */
function sentByAccount(sim: SimulatorCore, id: string): boolean {
  return sim.sent.some(s => s.id === id);
}

/**
 * The key of a target message as the contact writes it. `author` is who wrote the target: the account
 * (default when the companion sent it) or the contact itself.
 */
function targetKey(sim: SimulatorCore, contact: SimulatorContact, scope: ContactScope, id: string, author?: string): proto.IMessageKey {
  const by = author ?? (sentByAccount(sim, id) ? sim.phone.jid : contact.jid);
  const fromMe = by === contact.jid;
  if (scope.group) return { remoteJid: scope.group, fromMe, id, ...(fromMe ? {} : { participant: by }) };
  return { remoteJid: sim.phone.jid, fromMe, id };
}

export interface ContactReactionInput extends ContactScope {
  /** Key id of the message reacted to. */
  targetId: string;
  /** `""` removes the contact's reaction. */
  emoji: string;
  /** Who wrote the target (JID); default: the account when the companion sent it, else the contact. */
  targetAuthor?: string;
}

export function deliverReaction(sim: SimulatorCore, input: ContactReactionInput): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  return send(sim, contact, input, {
    reactionMessage: { key: targetKey(sim, contact, input, input.targetId, input.targetAuthor), text: input.emoji, senderTimestampMs: Date.now() },
  });
}

export interface ContactEditInput extends ContactScope {
  /** Key id of the contact's own message. */
  targetId: string;
  text: string;
}

/** The contact edits its own text message (`protocolMessage` MESSAGE_EDIT, stanza `edit="1"`). */
export function deliverEdit(sim: SimulatorCore, input: ContactEditInput): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  return send(sim, contact, input, {
    protocolMessage: {
      type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
      key: targetKey(sim, contact, input, input.targetId, contact.jid),
      editedMessage: { conversation: input.text },
      timestampMs: Date.now(),
    },
  });
}

/** The contact deletes its own message for everyone (`protocolMessage` REVOKE, stanza `edit="7"`). */
export function deliverRevoke(sim: SimulatorCore, input: ContactScope & { targetId: string }): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  return send(sim, contact, input, {
    protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: targetKey(sim, contact, input, input.targetId, contact.jid) },
  });
}

export interface ContactPollInput extends ContactScope {
  question: string;
  options: string[];
  /** Any number of choices (`pollCreationMessage`, count 0); default single choice (`pollCreationMessageV3`). */
  multiple?: boolean;
}

/** The contact creates a poll; its 32-byte message secret is what votes are encrypted with. */
export async function deliverPoll(sim: SimulatorCore, input: ContactPollInput): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  const secret = randomBytes(32);
  const body = { name: input.question, options: input.options.map(optionName => ({ optionName })), selectableOptionsCount: input.multiple ? 0 : 1 };
  const message: proto.IMessage = {
    ...(input.multiple ? { pollCreationMessage: body } : { pollCreationMessageV3: body }),
    messageContextInfo: { messageSecret: secret },
  };
  const r = await send(sim, contact, input, message);
  contactPolls(sim).set(r.id, { id: r.id, creator: contact.jid, options: input.options, secret, ...(input.group ? { group: input.group } : {}) });
  return r;
}

export interface ContactLocationInput extends ContactScope {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
  /** A live location share (`liveLocationMessage`). */
  live?: boolean;
  /** Live location: a later point of the same share, sent again under the same message id. */
  updateOf?: string;
  sequence?: number;
  caption?: string;
  accuracyMeters?: number;
}

export function deliverLocation(sim: SimulatorCore, input: ContactLocationInput): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  const message: proto.IMessage = input.live
    ? {
        liveLocationMessage: {
          degreesLatitude: input.latitude,
          degreesLongitude: input.longitude,
          ...(input.caption ? { caption: input.caption } : {}),
          ...(input.accuracyMeters !== undefined ? { accuracyInMeters: input.accuracyMeters } : {}),
          sequenceNumber: input.sequence ?? (input.updateOf ? Date.now() : 1),
        },
      }
    : {
        locationMessage: {
          degreesLatitude: input.latitude,
          degreesLongitude: input.longitude,
          ...(input.name ? { name: input.name } : {}),
          ...(input.address ? { address: input.address } : {}),
        },
      };
  return send(sim, contact, input, message, input.updateOf);
}

export interface ContactCardInput extends ContactScope {
  cards: Array<{ name: string; phone: string }>;
}

/** One vCard 3.0 as WhatsApp phones write it: the number as `waid=<digits>:+<digits>`. */
export function simVcard(name: string, phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${name.replace(/[\\,;]/g, c => `\\${c}`)}`, `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`, 'END:VCARD'].join('\n');
}

/** The contact shares one contact card (`contactMessage`) or several (`contactsArrayMessage`). */
export function deliverContactCard(sim: SimulatorCore, input: ContactCardInput): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  const cards = input.cards.map(c => ({ displayName: c.name, vcard: simVcard(c.name, c.phone) }));
  const message: proto.IMessage =
    cards.length === 1 ? { contactMessage: cards[0] } : { contactsArrayMessage: { displayName: `${cards.length} contacts`, contacts: cards } };
  return send(sim, contact, input, message);
}
