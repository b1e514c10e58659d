/**
 * A contact votes on a poll the companion sent (#14): the vote is encrypted the way WhatsApp does it
 * (AES-256-GCM under a key derived from the poll's message secret, the poll id, the creator and the
 * voter; options as SHA-256 of their names) and delivered as a `pollUpdateMessage`.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { aesEncryptGCM, proto } from '@whiskeysockets/baileys';
import { contactPolls } from './contact-actions.js';
import type { SimulatorCore } from './core.js';
import { deliverGroupMessage, deliverMessage, resolveContact } from './deliver.js';

export interface DeliverPollVoteInput {
  /** Voter (a seeded contact); default the first. */
  from?: string;
  /** Key id of the poll: one the companion sent to this contact, or one a contact created (`deliverPoll`). */
  pollId: string;
  /** Option names; `[]` withdraws the vote. */
  selected: string[];
}

export async function deliverPollVote(sim: SimulatorCore, input: DeliverPollVoteInput): Promise<{ id: string }> {
  const contact = resolveContact(sim, input.from);
  const own = contactPolls(sim).get(input.pollId);
  const poll = own
    ? undefined
    : sim.sent.find(s => s.id === input.pollId && (s.recipient.startsWith(`${contact.number}@`) || s.recipient.startsWith(`${contact.number}:`) || s.recipient.startsWith(`${contact.lid}@`) || s.recipient.startsWith(`${contact.lid}:`)));
  const message = poll?.message as proto.IMessage | undefined;
  const secret = own?.secret ?? message?.messageContextInfo?.messageSecret;
  if (!secret) throw new Error(`contact ${contact.jid} did not receive a poll ${input.pollId}`);
  // The key derivation names the poll's creator and the voter by JID (phone JIDs here).
  const creator = own?.creator ?? sim.phone.jid;
  const voter = contact.jid;
  const sign = Buffer.concat([Buffer.from(input.pollId), Buffer.from(creator), Buffer.from(voter), Buffer.from('Poll Vote'), Buffer.from([1])]);
  const key0 = createHmac('sha256', Buffer.alloc(32)).update(secret).digest();
  const key = createHmac('sha256', key0).update(sign).digest();
  const iv = randomBytes(12);
  const vote = proto.Message.PollVoteMessage.encode({ selectedOptions: input.selected.map(o => createHash('sha256').update(o).digest()) }).finish();
  const encPayload = aesEncryptGCM(vote, key, iv, Buffer.from(`${input.pollId}\u0000${voter}`));
  // The poll's key as the voter writes it: in a direct chat its remoteJid is the account; fromMe when the voter created it.
  const fromMe = creator === voter;
  const pollCreationMessageKey: proto.IMessageKey = own?.group
    ? { remoteJid: own.group, fromMe, id: input.pollId, ...(fromMe ? {} : { participant: creator }) }
    : { remoteJid: fromMe ? sim.phone.jid : creator, fromMe, id: input.pollId };
  const update: proto.IMessage = { pollUpdateMessage: { pollCreationMessageKey, vote: { encPayload, encIv: iv }, senderTimestampMs: Date.now() } };
  if (own?.group) return deliverGroupMessage(sim, { group: own.group, from: contact.jid, message: update });
  return deliverMessage(sim, contact, update, false);
}
