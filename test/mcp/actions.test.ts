/**
 * Issue #14 actions end to end: the real Baileys socket sends each action to the built-in simulator,
 * whose contacts decrypt it; the assertions are on what the contact's phone received (the decrypted
 * proto), and on what the store and the reading tools show afterwards.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { proto } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import type { ClientAppStateMutation, ClientBlockChange, ClientPresence, SentMessage } from '../../src/simulator/index.js';
import { blockedJids } from '../../src/simulator/blocklist.js';
import { groupExtras } from '../../src/simulator/group-admin.js';
import { eventually } from '../helpers/app.js';
import { callErr, callOk, simulatorSuite } from './helpers.js';

interface Sent {
  messageId: string;
  chatId: string;
  timestamp: number;
  deduplicated: boolean;
  idempotencyKey: string | null;
}
interface StoredMessage {
  id: string;
  body: string;
  fromMe: boolean;
  type?: string;
  editedAt?: number;
  revokedAt?: number;
}

/** The decoded message a contact received, as plain data. */
type Received = proto.IMessage;
const received = (s: SentMessage) => s.message as Received;

const ctx = simulatorSuite();

/** Waits until a contact received a message matching `pred` after `from` (index into ctx.sim.sent). */
async function sentAfter(from: number, pred: (m: Received, s: SentMessage) => boolean, timeoutMs = 10_000): Promise<SentMessage> {
  const hit = await eventually(() => ctx.sim.sent.slice(from).find((s) => pred(received(s), s)), timeoutMs);
  if (!hit) throw new Error('unreachable: eventually resolves with a truthy value');
  return hit;
}

/** A contact writes to us; resolves with the stored message (bare key id is what tools show). */
async function inbound(contactIdx: number, text: string): Promise<{ keyId: string; id: string; jid: string }> {
  const contact = ctx.sim.contacts[contactIdx]!;
  const { id } = await ctx.sim.deliverText({ from: contact.jid, text });
  const stored = await eventually(() => ctx.t.app.store.messages.get(`${contact.jid}:${id}`), 10_000);
  return { keyId: id, id: stored?.id ?? '', jid: contact.jid };
}

async function outbound(contactIdx: number, text: string): Promise<Sent & { keyId: string }> {
  const contact = ctx.sim.contacts[contactIdx]!;
  const before = ctx.sim.sent.length;
  const r = await callOk<Sent>(ctx.client, 'send_message', { recipient_jid: contact.jid, message: text });
  await sentAfter(before, (m) => m.conversation === text || m.extendedTextMessage?.text === text);
  return { ...r, keyId: r.messageId.slice(r.chatId.length + 1) };
}

const keyIdOf = (messageId: string) => messageId.slice(messageId.lastIndexOf(':') + 1);

describe('react_to_message', () => {
  it('puts the emoji on the right key at the contact, replaces it, and "" removes it', async () => {
    const msg = await inbound(0, 'we reached the summit');
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent & { emoji: string }>(ctx.client, 'react_to_message', { message_id: msg.keyId, emoji: '👍' });
    expect(r).toMatchObject({ messageId: msg.id, chatId: msg.jid, emoji: '👍', deduplicated: false });
    const got = await sentAfter(before, (m) => m.reactionMessage?.key?.id === msg.keyId);
    expect(received(got).reactionMessage).toMatchObject({ text: '👍', key: { id: msg.keyId, fromMe: false } });

    const mid = ctx.sim.sent.length;
    await callOk(ctx.client, 'react_to_message', { message_id: msg.id, emoji: '' });
    const removal = await sentAfter(mid, (m) => m.reactionMessage?.key?.id === msg.keyId);
    expect(received(removal).reactionMessage?.text ?? '').toBe('');
  });

  it('reacts to an own message, once per idempotency key', async () => {
    const mine = await outbound(1, 'photos are uploaded');
    const before = ctx.sim.sent.length;
    const a = await callOk<Sent>(ctx.client, 'react_to_message', { message_id: mine.messageId, emoji: '❤️', idempotency_key: 'react-once-1' });
    const b = await callOk<Sent>(ctx.client, 'react_to_message', { message_id: mine.messageId, emoji: '❤️', idempotency_key: 'react-once-1' });
    expect(b).toMatchObject({ messageId: a.messageId, deduplicated: true });
    const got = await sentAfter(before, (m) => m.reactionMessage?.key?.id === mine.keyId);
    // From the contact's side the reacted message is theirs to receive: the key names our message.
    expect(received(got).reactionMessage).toMatchObject({ text: '❤️', key: { id: mine.keyId, fromMe: true } });
    // Give a duplicate every chance to arrive behind the first, then count.
    await outbound(1, 'sync marker after reaction');
    expect(ctx.sim.sent.slice(before).filter((s) => received(s).reactionMessage?.key?.id === mine.keyId)).toHaveLength(1);
  });

  it('refuses what is not one emoji, and unknown ids', async () => {
    const msg = await inbound(0, 'react to me badly');
    expect(await callErr(ctx.client, 'react_to_message', { message_id: msg.id, emoji: 'yes' })).toMatch(/not a single emoji/);
    expect(await callErr(ctx.client, 'react_to_message', { message_id: msg.id, emoji: '👍👍' })).toMatch(/not a single emoji/);
    expect(await callErr(ctx.client, 'react_to_message', { message_id: 'NOSUCHKEY123', emoji: '👍' })).toMatch(/No message with id NOSUCHKEY123/);
  });
});

describe('edit_message', () => {
  it('the contact receives the edit of our message; the store shows the new text and editedAt', async () => {
    const mine = await outbound(0, 'meet at 5');
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent & { editedAt: number }>(ctx.client, 'edit_message', { message_id: mine.keyId, text: 'meet at 6' });
    expect(r).toMatchObject({ messageId: mine.messageId, chatId: mine.chatId, deduplicated: false });
    const got = await sentAfter(before, (m) => m.protocolMessage?.key?.id === mine.keyId);
    const p = received(got).protocolMessage!;
    expect(p.type).toBe(proto.Message.ProtocolMessage.Type.MESSAGE_EDIT);
    expect(p.editedMessage?.conversation ?? p.editedMessage?.extendedTextMessage?.text).toBe('meet at 6');
    const stored = await callOk<{ message: StoredMessage }>(ctx.client, 'get_message_by_id', { message_id: mine.messageId });
    expect(stored.message).toMatchObject({ body: 'meet at 6', fromMe: true });
    expect(stored.message.editedAt).toEqual(expect.any(Number));
  });

  it("refuses someone else's message, a message older than 15 minutes, non-text, and unknown ids — nothing is sent", async () => {
    const theirs = await inbound(1, 'this is mine, not yours');
    const contact = ctx.sim.contacts[1]!;
    ctx.t.app.store.messages.upsertMessages([
      { chatId: contact.jid, keyId: 'OLDOWN0001', fromMe: true, timestamp: Date.now() - 16 * 60_000, type: 'text', body: 'said long ago' },
      { chatId: contact.jid, keyId: 'OWNLOC0001', fromMe: true, timestamp: Date.now(), type: 'location', body: 'Harbour' },
    ]);
    const before = ctx.sim.sent.length;
    expect(await callErr(ctx.client, 'edit_message', { message_id: theirs.id, text: 'hacked' })).toMatch(/sent by someone else.*only lets you edit your own/);
    expect(await callErr(ctx.client, 'edit_message', { message_id: `${contact.jid}:OLDOWN0001`, text: 'late fix' })).toMatch(/within 15 minutes/);
    expect(await callErr(ctx.client, 'edit_message', { message_id: 'OWNLOC0001', text: 'x' })).toMatch(/Only text messages can be edited/);
    expect(await callErr(ctx.client, 'edit_message', { message_id: 'NOSUCHKEY456', text: 'x' })).toMatch(/No message with id NOSUCHKEY456/);
    await outbound(1, 'sync marker after refused edits');
    expect(ctx.sim.sent.slice(before).filter((s) => received(s).protocolMessage)).toHaveLength(0);
  });
});

describe('delete_message', () => {
  it('revokes our message at the contact; the store marks it deleted', async () => {
    const mine = await outbound(2, 'wrong chat, sorry');
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent & { forEveryone: boolean }>(ctx.client, 'delete_message', { message_id: mine.messageId });
    expect(r).toMatchObject({ messageId: mine.messageId, forEveryone: true });
    const got = await sentAfter(before, (m) => m.protocolMessage?.key?.id === mine.keyId);
    expect(received(got).protocolMessage?.type).toBe(proto.Message.ProtocolMessage.Type.REVOKE);
    await eventually(() => ctx.t.app.store.messages.get(mine.messageId)?.revokedAt !== undefined, 5_000);
    expect(await callErr(ctx.client, 'react_to_message', { message_id: mine.messageId, emoji: '👍' })).toMatch(/This message was deleted/);
  });

  it('a retry with the same idempotency key returns the first result, although the message is deleted by then', async () => {
    const mine = await outbound(2, 'delete me once');
    const before = ctx.sim.sent.length;
    const a = await callOk<Sent>(ctx.client, 'delete_message', { message_id: mine.messageId, idempotency_key: 'del-once-1' });
    await eventually(() => ctx.t.app.store.messages.get(mine.messageId)?.revokedAt !== undefined, 5_000);
    const b = await callOk<Sent>(ctx.client, 'delete_message', { message_id: mine.messageId, idempotency_key: 'del-once-1' });
    expect(b).toMatchObject({ messageId: a.messageId, deduplicated: true });
    expect(await callErr(ctx.client, 'delete_message', { message_id: mine.messageId, idempotency_key: 'del-once-2' })).toMatch(/This message was deleted/);
    await outbound(2, 'sync marker after deletes');
    expect(ctx.sim.sent.slice(before).filter((s) => received(s).protocolMessage?.key?.id === mine.keyId)).toHaveLength(1);
  });

  it("refuses someone else's message in a direct chat", async () => {
    const theirs = await inbound(2, 'you cannot delete this');
    expect(await callErr(ctx.client, 'delete_message', { message_id: theirs.id })).toMatch(/only your own messages can be deleted for everyone/);
  });

  it("as group admin, revokes a member's message for every member", async () => {
    const group = ctx.sim.groups[0]!;
    const author = ctx.sim.contacts[0]!;
    const { id } = await ctx.sim.deliverGroupText({ group: group.jid, from: author.jid, text: 'spam in the group' });
    await eventually(() => ctx.t.app.store.messages.get(`${group.jid}:${id}`), 10_000);
    const before = ctx.sim.sent.length;
    await callOk(ctx.client, 'delete_message', { message_id: `${group.jid}:${id}`, for_everyone: true });
    const got = await sentAfter(before, (m) => m.protocolMessage?.key?.id === id);
    expect(got.to).toBe(group.jid);
    expect(received(got).protocolMessage).toMatchObject({ type: proto.Message.ProtocolMessage.Type.REVOKE, key: { id, participant: expect.stringContaining('@') } });
  });
});

describe('delete_message without admin rights', () => {
  it("refuses a member's message in a group where we are not admin (checked live), and sends nothing", async () => {
    const group = ctx.sim.groups[0]!;
    const author = ctx.sim.contacts[1]!;
    const { id } = await ctx.sim.deliverGroupText({ group: group.jid, from: author.jid, text: 'not yours to delete' });
    await eventually(() => ctx.t.app.store.messages.get(`${group.jid}:${id}`), 10_000);
    ctx.sim.groupParticipants({ group: group.jid, action: 'demote', participants: [ctx.sim.phone.jid], by: author.jid });
    try {
      const before = ctx.sim.sent.length;
      expect(await callErr(ctx.client, 'delete_message', { message_id: `${group.jid}:${id}` })).toMatch(/not an admin of this group/);
      await outbound(1, 'sync marker after refused delete');
      expect(ctx.sim.sent.slice(before).filter((s) => received(s).protocolMessage)).toHaveLength(0);
    } finally {
      ctx.sim.groupParticipants({ group: group.jid, action: 'promote', participants: [ctx.sim.phone.jid], by: author.jid });
    }
  });
});

describe('forward_message', () => {
  it("forwards a contact's photo: the other contact downloads and decrypts the same bytes", async () => {
    const from = ctx.sim.contacts[0]!;
    const to = ctx.sim.contacts[2]!;
    const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('forwarded photo bytes '.repeat(40))]);
    const { id } = await ctx.sim.deliverMedia({ from: from.jid, kind: 'image', data, mimetype: 'image/jpeg', caption: 'the view' });
    await eventually(() => ctx.t.app.store.messages.getRaw(`${from.jid}:${id}`), 10_000);
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent>(ctx.client, 'forward_message', { message_id: id, recipient_jid: to.jid });
    const got = await sentAfter(before, (m) => !!m.imageMessage);
    expect(keyIdOf(r.messageId)).toBe(got.id);
    expect(got.media).toMatchObject({ kind: 'image', mimetype: 'image/jpeg', caption: 'the view' });
    expect(got.media?.data.equals(data)).toBe(true);
    expect(received(got).imageMessage?.contextInfo).toMatchObject({ isForwarded: true, forwardingScore: 1 });
  });

  it("forwards a contact's text to another contact, marked as forwarded", async () => {
    const msg = await inbound(0, 'the trail is closed on Sunday');
    const to = ctx.sim.contacts[1]!;
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent & { sourceId: string }>(ctx.client, 'forward_message', { message_id: msg.keyId, recipient_jid: to.jid });
    expect(r).toMatchObject({ sourceId: msg.id, chatId: to.jid });
    expect(keyIdOf(r.messageId)).not.toBe(msg.keyId);
    const got = await sentAfter(before, (m) => m.extendedTextMessage?.text === 'the trail is closed on Sunday');
    expect(received(got).extendedTextMessage?.contextInfo).toMatchObject({ isForwarded: true, forwardingScore: 1 });
    const stored = await callOk<{ message: StoredMessage }>(ctx.client, 'get_message_by_id', { message_id: r.messageId });
    expect(stored.message).toMatchObject({ fromMe: true, body: 'the trail is closed on Sunday' });
  });

  it('uploads the downloaded copy again when only the file (not the media keys) is stored', async () => {
    const from = ctx.sim.contacts[1]!;
    const to = ctx.sim.contacts[2]!;
    const data = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('an old report '.repeat(50))]);
    mkdirSync(ctx.t.app.config.mediaDir, { recursive: true });
    writeFileSync(join(ctx.t.app.config.mediaDir, 'fwd-old-report.pdf'), data);
    ctx.t.app.store.messages.upsertMessages([
      { chatId: from.jid, keyId: 'OLDDOC0001', fromMe: false, timestamp: Date.now() - 86_400_000, type: 'document', body: 'Q3 report', hasMedia: true, mediaMime: 'application/pdf' },
    ]);
    ctx.t.app.store.media.add({
      id: 'fwd-old-report',
      fileName: 'fwd-old-report.pdf',
      originalName: 'report.pdf',
      mime: 'application/pdf',
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      messageId: `${from.jid}:OLDDOC0001`,
      createdAt: Date.now(),
    });
    const before = ctx.sim.sent.length;
    await callOk(ctx.client, 'forward_message', { message_id: `${from.jid}:OLDDOC0001`, recipient_jid: to.jid });
    const got = await sentAfter(before, (m) => !!m.documentMessage);
    expect(got.media?.data.equals(data)).toBe(true);
    expect(received(got).documentMessage).toMatchObject({ fileName: 'report.pdf', mimetype: 'application/pdf', contextInfo: { isForwarded: true, forwardingScore: 1 } });
  });

  it('forwards our own location pin unchanged and without the "Forwarded" label (WhatsApp marks only others\' messages)', async () => {
    const [a, b] = [ctx.sim.contacts[0]!, ctx.sim.contacts[1]!];
    const before = ctx.sim.sent.length;
    const pin = await callOk<Sent>(ctx.client, 'send_location', { recipient_jid: a.jid, latitude: 48.8584, longitude: 2.2945, name: 'Tour Eiffel' });
    await sentAfter(before, (m) => m.locationMessage?.name === 'Tour Eiffel');
    const mid = ctx.sim.sent.length;
    await callOk(ctx.client, 'forward_message', { message_id: pin.messageId, recipient_jid: b.jid });
    const got = await sentAfter(mid, (m) => m.locationMessage?.name === 'Tour Eiffel');
    expect(got.recipient.split('@')[0]?.split(':')[0]).toMatch(new RegExp(`^(${b.number}|${b.lidJid.split('@')[0]})$`));
    expect(received(got).locationMessage).toMatchObject({ degreesLatitude: 48.8584, degreesLongitude: 2.2945 });
    expect(received(got).locationMessage?.contextInfo?.isForwarded ?? false).toBe(false);
  });

  it('refuses an invalid recipient before sending anything', async () => {
    const msg = await inbound(0, 'forward me nowhere');
    expect(await callErr(ctx.client, 'forward_message', { message_id: msg.id, recipient_jid: 'status@broadcast' })).toMatch(/not a WhatsApp/);
  });
});

describe('send_location', () => {
  it('the contact receives a location pin with the exact coordinates, name and address', async () => {
    const to = ctx.sim.contacts[0]!;
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent>(ctx.client, 'send_location', { recipient_jid: to.jid, latitude: 51.5007292, longitude: -0.1246254, name: 'Big Ben', address: 'London SW1A 0AA' });
    expect(r).toMatchObject({ chatId: to.jid, deduplicated: false });
    const got = await sentAfter(before, (m) => !!m.locationMessage);
    expect(keyIdOf(r.messageId)).toBe(got.id);
    expect(received(got).locationMessage).toMatchObject({ degreesLatitude: 51.5007292, degreesLongitude: -0.1246254, name: 'Big Ben', address: 'London SW1A 0AA' });
    expect(await callOk<{ message: StoredMessage }>(ctx.client, 'get_message_by_id', { message_id: r.messageId })).toMatchObject({ message: { type: 'location', fromMe: true } });
  });

  it('refuses a number that is not on WhatsApp (usync) before sending anything', async () => {
    const before = ctx.sim.sent.length;
    expect(await callErr(ctx.client, 'send_location', { recipient_jid: '+44 7700 900777', latitude: 1, longitude: 2 })).toMatch(/\+447700900777 is not on WhatsApp/);
    expect(await callErr(ctx.client, 'send_poll', { recipient_jid: '447700900777', question: 'Q', options: ['a', 'b'] })).toMatch(/not on WhatsApp/);
    await outbound(0, 'sync marker after refused location');
    expect(ctx.sim.sent.slice(before).filter((s) => received(s).locationMessage ?? received(s).pollCreationMessageV3)).toHaveLength(0);
  });

  it('refuses coordinates out of range', async () => {
    expect(await callErr(ctx.client, 'send_location', { recipient_jid: ctx.sim.contacts[0]!.jid, latitude: 91, longitude: 0 })).toMatch(/latitude/i);
  });
});

describe('send_contact', () => {
  it('sends a vCard of a known contact (name and WhatsApp id) or of a name and phone', async () => {
    const to = ctx.sim.contacts[1]!;
    const shared = ctx.sim.contacts[2]!;
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent & { name: string; phone: string }>(ctx.client, 'send_contact', { recipient_jid: to.jid, contact_jid: shared.jid });
    expect(r.phone).toBe(shared.number);
    const got = await sentAfter(before, (m) => !!m.contactMessage);
    const card = received(got).contactMessage!;
    expect(card.displayName).toBe(r.name);
    expect(card.vcard).toContain(`TEL;type=CELL;type=VOICE;waid=${shared.number}:+${shared.number}`);
    expect(card.vcard).toMatch(/^BEGIN:VCARD\nVERSION:3\.0\nFN:.+\n/);

    const mid = ctx.sim.sent.length;
    await callOk(ctx.client, 'send_contact', { recipient_jid: to.jid, name: 'Plumber; Joe, 24h', phone: '+44 7911 123456' });
    const second = await sentAfter(mid, (m) => !!m.contactMessage);
    expect(received(second).contactMessage).toMatchObject({ displayName: 'Plumber; Joe, 24h' });
    expect(received(second).contactMessage?.vcard).toContain('FN:Plumber\\; Joe\\, 24h\nTEL;type=CELL;type=VOICE;waid=447911123456:+447911123456');
  });

  it('needs contact_jid, or name and phone', async () => {
    expect(await callErr(ctx.client, 'send_contact', { recipient_jid: ctx.sim.contacts[1]!.jid, name: 'Only a name' })).toMatch(/needs a name and a phone/);
    expect(await callErr(ctx.client, 'send_contact', { recipient_jid: ctx.sim.contacts[1]!.jid, name: 'Bad', phone: '12345678x' })).toMatch(/not a phone number/);
  });
});

describe('send_poll', () => {
  it('single choice arrives as a poll (v3) with every option and a 32-byte message secret', async () => {
    const to = ctx.sim.contacts[0]!;
    const before = ctx.sim.sent.length;
    const r = await callOk<Sent>(ctx.client, 'send_poll', { recipient_jid: to.jid, question: 'Which trail?', options: ['Coast', 'Ridge', 'Forest'] });
    const got = await sentAfter(before, (m) => !!(m.pollCreationMessageV3 ?? m.pollCreationMessage));
    expect(keyIdOf(r.messageId)).toBe(got.id);
    const m = received(got);
    expect(m.pollCreationMessageV3).toMatchObject({ name: 'Which trail?', selectableOptionsCount: 1 });
    expect(m.pollCreationMessageV3?.options?.map((o) => o.optionName)).toEqual(['Coast', 'Ridge', 'Forest']);
    expect(Buffer.from(m.messageContextInfo?.messageSecret ?? []).length).toBe(32);
  });

  it('multiple choice allows any number of answers (selectableOptionsCount 0)', async () => {
    const to = ctx.sim.contacts[0]!;
    const before = ctx.sim.sent.length;
    await callOk(ctx.client, 'send_poll', { recipient_jid: to.jid, question: 'Which days?', options: ['Sat', 'Sun'], multiple: true });
    const got = await sentAfter(before, (m) => m.pollCreationMessage?.name === 'Which days?');
    expect(received(got).pollCreationMessage?.selectableOptionsCount ?? 0).toBe(0);
  });

  it('get_poll_results decrypts the contacts\' votes; a newer vote replaces the older one', async () => {
    const a = ctx.sim.contacts[0]!;
    const before = ctx.sim.sent.length;
    const p = await callOk<Sent>(ctx.client, 'send_poll', { recipient_jid: a.jid, question: 'Lunch?', options: ['Pizza', 'Sushi', 'Salad'], multiple: true });
    await sentAfter(before, (m) => m.pollCreationMessage?.name === 'Lunch?');
    const pollId = keyIdOf(p.messageId);
    // Votes attach to their poll (one per voter, the newest kept), not stored as messages (#14 inbound).
    const voteAt = () => ctx.t.app.store.messages.pollVotes(p.messageId)[0]?.timestamp ?? 0;
    await ctx.sim.deliverPollVote({ from: a.jid, pollId, selected: ['Sushi'] });
    await eventually(() => voteAt() > 0, 10_000);
    const firstAt = voteAt();
    let r = await callOk<{ question: string; multiple: boolean; options: Array<{ name: string; votes: number; voters: Array<{ jid: string }> }>; voters: number; undecryptable: number }>(
      ctx.client,
      'get_poll_results',
      { message_id: pollId },
    );
    expect(r).toMatchObject({ question: 'Lunch?', multiple: true, voters: 1, undecryptable: 0 });
    expect(r.options.map((o) => [o.name, o.votes])).toEqual([['Pizza', 0], ['Sushi', 1], ['Salad', 0]]);
    expect(r.options[1]?.voters.map((v) => v.jid)).toEqual([a.jid]);

    await ctx.sim.deliverPollVote({ from: a.jid, pollId, selected: ['Pizza', 'Salad'] });
    await eventually(() => voteAt() > firstAt, 10_000);
    r = await callOk(ctx.client, 'get_poll_results', { message_id: p.messageId });
    expect(r.options.map((o) => [o.name, o.votes])).toEqual([['Pizza', 1], ['Sushi', 0], ['Salad', 1]]);
    expect(await callErr(ctx.client, 'get_poll_results', { message_id: (await inbound(1, 'not a poll')).id })).toMatch(/not a poll/);
  });

  it('refuses duplicate options and fewer than 2 or more than 12', async () => {
    const to = ctx.sim.contacts[0]!.jid;
    expect(await callErr(ctx.client, 'send_poll', { recipient_jid: to, question: 'Q', options: ['Yes', 'yes'] })).toMatch(/listed twice/);
    expect(await callErr(ctx.client, 'send_poll', { recipient_jid: to, question: 'Q', options: ['Only'] })).toMatch(/options/);
    const many = Array.from({ length: 13 }, (_, i) => `o${i}`);
    expect(await callErr(ctx.client, 'send_poll', { recipient_jid: to, question: 'Q', options: many })).toMatch(/options/);
  });
});

describe('set_presence', () => {
  it('typing / recording / paused reach the chat as chatstate; available is account-wide presence', async () => {
    const to = ctx.sim.contacts[1]!;
    const seen: ClientPresence[] = [];
    const listener = (p: ClientPresence) => seen.push(p);
    ctx.sim.on('client-presence', listener);
    try {
      await callOk(ctx.client, 'set_presence', { state: 'available' });
      await eventually(() => seen.some((p) => p.tag === 'presence' && p.state === 'available'));
      for (const state of ['typing', 'recording', 'paused'] as const) {
        const r = await callOk<{ state: string; chatId: string }>(ctx.client, 'set_presence', { state, chat_id: to.jid });
        expect(r).toMatchObject({ state, chatId: to.jid });
      }
      const states = await eventually(() => {
        const chat = seen.filter((p) => p.tag === 'chatstate');
        return chat.length >= 3 ? chat : undefined;
      });
      expect((states ?? []).map((p) => [p.to, p.state])).toEqual([
        [to.jid, 'composing'],
        [to.jid, 'recording'],
        [to.jid, 'paused'],
      ]);
      const presence = seen.find((p) => p.tag === 'presence');
      expect(presence?.attrs.name).toBeTruthy();
    } finally {
      ctx.sim.off('client-presence', listener);
    }
  });

  it('typing needs a chat; available takes none', async () => {
    expect(await callErr(ctx.client, 'set_presence', { state: 'typing' })).toMatch(/Pass chat_id/);
    expect(await callErr(ctx.client, 'set_presence', { state: 'available', chat_id: ctx.sim.contacts[0]!.jid })).toMatch(/account-wide/);
  });
});

describe('check_whatsapp_numbers', () => {
  it('asks WhatsApp (usync) and answers per number, with the JID of those on WhatsApp', async () => {
    const known = ctx.sim.contacts[0]!;
    const r = await callOk<{ results: Array<{ input: string; phone: string; exists: boolean; jid: string | null }> }>(ctx.client, 'check_whatsapp_numbers', {
      phones: [`+${known.number}`, '+44 7700 900999'],
    });
    expect(r.results).toEqual([
      { input: `+${known.number}`, phone: known.number, exists: true, jid: known.jid },
      { input: '+44 7700 900999', phone: '447700900999', exists: false, jid: null },
    ]);
  });

  it('refuses what is not a phone number, and more than 50', async () => {
    expect(await callErr(ctx.client, 'check_whatsapp_numbers', { phones: ['call me maybe'] })).toMatch(/not a phone number/);
    expect(await callErr(ctx.client, 'check_whatsapp_numbers', { phones: Array.from({ length: 51 }, (_, i) => `+4477009${String(i).padStart(5, '0')}`) })).toMatch(/phones/);
  });
});

describe('group administration', () => {
  interface Outcome {
    jid: string;
    ok: boolean;
    status: string;
    error?: string;
  }
  const simGroup = (jid: string) => ctx.sim.groups.find((g) => g.jid === jid);
  const members = (jid: string) => simGroup(jid)?.participants.map((p) => [p.jid, p.admin ?? null]) ?? [];
  let groupId = '';

  it('create_group: WhatsApp creates it with us as superadmin and the members; the store has it', async () => {
    const [a, b] = [ctx.sim.contacts[0]!, ctx.sim.contacts[1]!];
    const r = await callOk<{ groupId: string; subject: string; participants: Array<{ jid: string; admin: string | null }>; refused: Outcome[] }>(ctx.client, 'create_group', {
      subject: 'Summit team',
      participants: [a.jid, `+${b.number}`],
      idempotency_key: 'create-summit-1',
    });
    groupId = r.groupId;
    expect(r).toMatchObject({ subject: 'Summit team', refused: [] });
    expect(simGroup(groupId)).toMatchObject({ subject: 'Summit team', owner: ctx.sim.phone.jid });
    expect(members(groupId)).toEqual([
      [ctx.sim.phone.jid, 'superadmin'],
      [a.jid, null],
      [b.jid, null],
    ]);
    expect(r.participants).toEqual(expect.arrayContaining([{ jid: ctx.sim.phone.jid, admin: 'superadmin' }, { jid: a.jid, admin: null }]));
    expect(ctx.t.app.store.groups.get(groupId)).toMatchObject({ subject: 'Summit team' });
    const again = await callOk<{ groupId: string; deduplicated: boolean }>(ctx.client, 'create_group', { subject: 'Summit team', participants: [a.jid, `+${b.number}`], idempotency_key: 'create-summit-1' });
    expect(again).toMatchObject({ groupId, deduplicated: true });
    expect(ctx.sim.groups.filter((g) => g.subject === 'Summit team')).toHaveLength(1);
  });

  it('refuses numbers that are not on WhatsApp before creating or adding anything', async () => {
    const count = ctx.sim.groups.length;
    expect(await callErr(ctx.client, 'create_group', { subject: 'Ghosts', participants: [ctx.sim.contacts[0]!.jid, '+44 7700 900999'] })).toMatch(/Not on WhatsApp: \+447700900999/);
    expect(ctx.sim.groups).toHaveLength(count);
    const before = members(groupId);
    expect(await callErr(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'add', participants: ['447700900998'] })).toMatch(/Not on WhatsApp: \+447700900998/);
    expect(members(groupId)).toEqual(before);
  });

  it('update_group_participants: add, promote, demote, remove — one status per participant', async () => {
    const c = ctx.sim.contacts[2]!;
    const add = await callOk<{ results: Outcome[] }>(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'add', participants: [c.jid] });
    expect(add.results).toEqual([{ jid: c.jid, ok: true, status: '200' }]);
    expect(members(groupId)).toContainEqual([c.jid, null]);
    await callOk(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'promote', participants: [c.jid] });
    expect(members(groupId)).toContainEqual([c.jid, 'admin']);
    await callOk(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'demote', participants: [c.jid] });
    expect(members(groupId)).toContainEqual([c.jid, null]);
    const d = ctx.sim.contacts[3]!;
    const mixed = await callOk<{ results: Outcome[] }>(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'add', participants: [c.jid, d.jid] });
    expect(mixed.results).toEqual([
      { jid: c.jid, ok: false, status: '409', error: 'already a member of this group' },
      { jid: d.jid, ok: true, status: '200' },
    ]);
    expect(members(groupId)).toContainEqual([d.jid, null]);
    const removed = await callOk<{ results: Outcome[] }>(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'remove', participants: [c.jid] });
    expect(removed.results).toEqual([{ jid: c.jid, ok: true, status: '200' }]);
    expect(members(groupId).map(([j]) => j)).not.toContain(c.jid);
  });

  it('update_group_settings: subject, description, announce and locked reach WhatsApp', async () => {
    const r = await callOk<{ changed: string[] }>(ctx.client, 'update_group_settings', {
      group_jid: groupId,
      subject: 'Summit team 2027',
      description: 'Kit list and dates',
      announce: true,
      locked: true,
    });
    expect(r.changed.sort()).toEqual(['announce', 'description', 'locked', 'subject']);
    const g = simGroup(groupId)!;
    expect(g.subject).toBe('Summit team 2027');
    expect(groupExtras(g)).toMatchObject({ description: 'Kit list and dates', announce: true, locked: true });
    await eventually(() => ctx.t.app.store.groups.get(groupId)?.subject === 'Summit team 2027', 5_000);
    expect(ctx.t.app.store.groups.get(groupId)).toMatchObject({ description: 'Kit list and dates', announce: true, restrict: true });
    expect(await callErr(ctx.client, 'update_group_settings', { group_jid: groupId })).toMatch(/Nothing to change/);
  });

  it('invite link: get, revoke (the old code stops working), leave, then join back with the link', async () => {
    const first = await callOk<{ code: string; link: string }>(ctx.client, 'get_group_invite_link', { group_jid: groupId });
    const g = simGroup(groupId)!;
    expect(first.code).toBe(groupExtras(g).inviteCode);
    expect(first.link).toBe(`https://chat.whatsapp.com/${first.code}`);
    const fresh = await callOk<{ code: string; revoked: boolean }>(ctx.client, 'get_group_invite_link', { group_jid: groupId, revoke: true });
    expect(fresh.revoked).toBe(true);
    expect(fresh.code).not.toBe(first.code);
    expect(groupExtras(g).inviteCode).toBe(fresh.code);

    await callOk(ctx.client, 'leave_group', { group_jid: groupId });
    expect(members(groupId).map(([j]) => j)).not.toContain(ctx.sim.phone.jid);
    expect(await callErr(ctx.client, 'join_group', { invite_link: first.link })).toMatch(/did not accept|not-acceptable|406/);
    const joined = await callOk<{ groupId: string }>(ctx.client, 'join_group', { invite_link: `https://chat.whatsapp.com/${fresh.code}` });
    expect(joined.groupId).toBe(groupId);
    expect(members(groupId).map(([j]) => j)).toContain(ctx.sim.phone.jid);
    expect(await callErr(ctx.client, 'join_group', { invite_link: 'https://example.com/x' })).toMatch(/not a WhatsApp invite link/);
  });

  it('a member who is not admin gets a clear error and nothing changes', async () => {
    // After rejoining by link we are a plain member.
    expect(members(groupId)).toContainEqual([ctx.sim.phone.jid, null]);
    expect(await callErr(ctx.client, 'update_group_settings', { group_jid: groupId, subject: 'Hijacked' })).toMatch(/not an admin of Summit team 2027/);
    expect(await callErr(ctx.client, 'update_group_participants', { group_jid: groupId, action: 'remove', participants: [ctx.sim.contacts[0]!.jid] })).toMatch(/not an admin/);
    expect(simGroup(groupId)?.subject).toBe('Summit team 2027');
    expect(members(groupId).map(([j]) => j)).toContain(ctx.sim.contacts[0]!.jid);
  });
});

describe('app-state changes: archive, pin, mute, delete for me', () => {
  async function mutations(act: () => Promise<unknown>, count: number): Promise<ClientAppStateMutation[]> {
    const seen: ClientAppStateMutation[] = [];
    const listener = (m: ClientAppStateMutation) => seen.push(m);
    ctx.sim.on('client-app-state', listener);
    try {
      await act();
      await eventually(() => seen.length >= count, 10_000);
      return seen;
    } finally {
      ctx.sim.off('client-app-state', listener);
    }
  }

  it('archive_chat and pin_chat reach the phone as app-state mutations of that chat', async () => {
    const chat = ctx.sim.contacts[0]!.jid;
    const [archived] = await mutations(() => callOk(ctx.client, 'archive_chat', { chat_id: chat, on: true }), 1);
    expect(archived).toMatchObject({ index: ['archive', chat], value: { archiveChatAction: { archived: true } } });
    const [unarchived] = await mutations(() => callOk(ctx.client, 'archive_chat', { chat_id: chat, on: false }), 1);
    expect(unarchived?.value?.archiveChatAction?.archived ?? false).toBe(false);
    const [pinned] = await mutations(() => callOk(ctx.client, 'pin_chat', { chat_id: chat, on: true }), 1);
    expect(pinned).toMatchObject({ index: ['pin_v1', chat], value: { pinAction: { pinned: true } } });
  });

  it('mute_chat mutes until the given time, and unmutes', async () => {
    const chat = ctx.sim.contacts[1]!.jid;
    const until = Date.now() + 3600_000;
    const [muted] = await mutations(async () => expect(await callOk(ctx.client, 'mute_chat', { chat_id: chat, on: true, until: new Date(until).toISOString() })).toMatchObject({ on: true }), 1);
    expect(muted?.index).toEqual(['mute', chat]);
    expect(muted?.value?.muteAction).toMatchObject({ muted: true });
    expect(Math.abs(Number(muted?.value?.muteAction?.muteEndTimestamp) - until)).toBeLessThan(1000);
    const [unmuted] = await mutations(() => callOk(ctx.client, 'mute_chat', { chat_id: chat, on: false }), 1);
    expect(unmuted?.value?.muteAction?.muted ?? false).toBe(false);
    expect(await callErr(ctx.client, 'mute_chat', { chat_id: chat, on: true, until: '2020-01-01' })).toMatch(/in the past/);
  });

  it('delete_message for_everyone: false deletes only on our account (no revoke reaches the contact)', async () => {
    const msg = await inbound(2, 'delete this just for me');
    const before = ctx.sim.sent.length;
    const [m] = await mutations(async () => expect(await callOk(ctx.client, 'delete_message', { message_id: msg.id, for_everyone: false })).toMatchObject({ forEveryone: false }), 1);
    expect(m?.index.slice(0, 4)).toEqual(['deleteMessageForMe', msg.jid, msg.keyId, '0']);
    expect(m?.value?.deleteMessageForMeAction).toBeTruthy();
    // Baileys applies its own patch locally (messages.delete): stored as deleted on this account only, not as a revoke.
    await eventually(() => ctx.t.app.store.messages.get(msg.id)?.deletedAt !== undefined, 5_000);
    expect(ctx.t.app.store.messages.get(msg.id)?.revokedAt).toBeUndefined();
    await outbound(2, 'sync marker after delete for me');
    expect(ctx.sim.sent.slice(before).filter((s) => received(s).protocolMessage)).toHaveLength(0);
  });
});

describe('block_contact', () => {
  it('blocks by LID with the phone JID beside it, then unblocks; the phone keeps the list', async () => {
    const c = ctx.sim.contacts[4]!;
    const seen: ClientBlockChange[] = [];
    const listener = (b: ClientBlockChange) => seen.push(b);
    ctx.sim.on('client-blocklist', listener);
    try {
      expect(await callOk(ctx.client, 'block_contact', { jid: c.jid, on: true })).toMatchObject({ jid: c.jid, blocked: true });
      expect(blockedJids(ctx.sim).has(c.lidJid)).toBe(true);
      await callOk(ctx.client, 'block_contact', { jid: `+${c.number}`, on: false });
      expect(blockedJids(ctx.sim).has(c.lidJid)).toBe(false);
      expect(seen).toEqual([
        { action: 'block', jid: c.lidJid, pnJid: c.jid },
        { action: 'unblock', jid: c.lidJid },
      ]);
    } finally {
      ctx.sim.off('client-blocklist', listener);
    }
    expect(await callErr(ctx.client, 'block_contact', { jid: ctx.sim.groups[0]!.jid, on: true })).toMatch(/Groups cannot be blocked/);
  });
});
