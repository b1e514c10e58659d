/**
 * Issue #14, inbound: the simulator's contacts react, edit, revoke, vote, share locations and contact cards,
 * change groups and type, through the real Baileys socket; the store and the reading tools (real MCP SDK
 * client, output schemas checked) show each one where WhatsApp would: on the message it concerns.
 */
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { callOk, simulatorSuite } from './helpers.js';

interface View {
  id: string;
  from?: string;
  fromName?: string;
  fromMe: boolean;
  type?: string;
  body: string;
  editedAt?: number;
  revokedAt?: number;
  deleted?: true;
  deletedFor?: 'everyone' | 'me';
  reactions?: Array<{ emoji: string; from: string; fromName: string; time: string }>;
  location?: { latitude: number; longitude: number; name?: string; address?: string; live?: true; accuracyMeters?: number };
  contacts?: Array<{ name: string; phones: string[]; waIds: string[] }>;
  poll?: { question: string; multiple: boolean; options: Array<{ name: string; votes: number }>; voters: number };
  notice?: { action: string; actor?: string; actorName?: string; participants?: Array<{ jid: string; name: string }>; value?: string };
}
interface Page {
  chatId: string;
  messages: View[];
}
interface ChatOut {
  chat: { id: string; unreadCount: number; lastMessage?: View };
  presence?: { state: string; time?: string; lastSeen?: string; people?: Array<{ jid: string; name: string; state: string }> };
}

const ctx = simulatorSuite();

const page = (chat: string, limit = 50) => callOk<Page>(ctx.client, 'list_messages', { chat_id: chat, limit });
const viewOf = async (chat: string, keyId: string) => (await page(chat)).messages.find((m) => m.id === keyId);

/** Waits until list_messages shows message `keyId` of `chat` in a state `pred` accepts. */
async function shown(chat: string, keyId: string, pred: (m: View) => boolean, timeoutMs = 10_000): Promise<View> {
  let last: View | undefined;
  await eventually(async () => {
    last = await viewOf(chat, keyId);
    return last !== undefined && pred(last);
  }, timeoutMs, 50);
  return last!;
}

async function inbound(contactIdx: number, text: string): Promise<{ keyId: string; jid: string }> {
  const contact = ctx.sim.contacts[contactIdx]!;
  const { id } = await ctx.sim.deliverText({ from: contact.jid, text });
  await eventually(() => ctx.t.app.store.messages.get(`${contact.jid}:${id}`), 10_000);
  return { keyId: id, jid: contact.jid };
}

/** The first contact writes `text` in the first group; resolves once it is stored, with the group and two members. */
async function groupInbound(text: string) {
  const group = ctx.sim.groups[0]!.jid;
  const [a, b] = [ctx.sim.contacts[0]!, ctx.sim.contacts[1]!];
  const { id } = await ctx.sim.deliverGroupText({ group, from: a.jid, text });
  await eventually(() => ctx.t.app.store.messages.get(`${group}:${id}`), 10_000);
  return { group, a, b, id };
}

describe('reactions', () => {
  it('attach to their target, one per person, replaced and removed; never a message of their own', async () => {
    const c = ctx.sim.contacts[0]!;
    const msg = await inbound(0, 'shall we hike on Saturday?');
    const before = await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid });
    const rows = (await page(c.jid)).messages.length;

    await ctx.sim.deliverReaction({ from: c.jid, targetId: msg.keyId, emoji: '👍' });
    let v = await shown(c.jid, msg.keyId, (m) => m.reactions?.[0]?.emoji === '👍');
    expect(v.reactions).toHaveLength(1);
    expect(v.reactions?.[0]).toMatchObject({ emoji: '👍', from: c.jid, fromName: c.name });
    expect(v.reactions?.[0]?.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // A new emoji from the same person replaces the old one.
    await ctx.sim.deliverReaction({ from: c.jid, targetId: msg.keyId, emoji: '😂' });
    v = await shown(c.jid, msg.keyId, (m) => m.reactions?.[0]?.emoji === '😂');
    expect(v.reactions).toHaveLength(1);

    // No reaction rows, no unread, the chat's last message is still the text.
    const after = await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid });
    expect((await page(c.jid)).messages.length).toBe(rows);
    expect((await page(c.jid)).messages.some((m) => m.type === 'reaction')).toBe(false);
    expect(after.chat.unreadCount).toBe(before.chat.unreadCount);
    expect(after.chat.lastMessage?.id).toBe(msg.keyId);
    expect(after.chat.lastMessage?.reactions?.[0]?.emoji).toBe('😂');

    // "" removes it.
    await ctx.sim.deliverReaction({ from: c.jid, targetId: msg.keyId, emoji: '' });
    v = await shown(c.jid, msg.keyId, (m) => m.reactions === undefined);
    expect(v.body).toBe('shall we hike on Saturday?');
  });

  it('on our own message: the contact writes the key with fromMe false, it lands on our message', async () => {
    const c = ctx.sim.contacts[1]!;
    const sent = await callOk<{ messageId: string; chatId: string }>(ctx.client, 'send_message', { recipient_jid: c.jid, message: 'photos from the trip are up' });
    const keyId = sent.messageId.slice(sent.chatId.length + 1);
    await eventually(() => ctx.sim.sent.some((s) => s.id === keyId), 10_000);
    await ctx.sim.deliverReaction({ from: c.jid, targetId: keyId, emoji: '❤️' });
    const v = await shown(c.jid, keyId, (m) => (m.reactions?.length ?? 0) > 0);
    expect(v.fromMe).toBe(true);
    expect(v.reactions).toEqual([expect.objectContaining({ emoji: '❤️', from: c.jid, fromName: c.name })]);
  });

  it('our own reaction (react_to_message) shows beside theirs as "you"', async () => {
    const c = ctx.sim.contacts[2]!;
    const msg = await inbound(2, 'summit reached!');
    await ctx.sim.deliverReaction({ from: c.jid, targetId: msg.keyId, emoji: '⛰️' });
    await callOk(ctx.client, 'react_to_message', { message_id: `${c.jid}:${msg.keyId}`, emoji: '🎉' });
    const v = await shown(c.jid, msg.keyId, (m) => (m.reactions?.length ?? 0) === 2);
    expect(v.reactions?.map((r) => [r.from, r.fromName, r.emoji])).toEqual([
      [c.jid, c.name, '⛰️'],
      ['me', 'you', '🎉'],
    ]);
  });

  it('in a group, from two members, each shown with their name', async () => {
    const { group, a, b, id } = await groupInbound('new route posted');
    await ctx.sim.deliverReaction({ from: a.jid, group, targetId: id, emoji: '🔥' });
    await ctx.sim.deliverReaction({ from: b.jid, group, targetId: id, emoji: '👏', targetAuthor: a.jid });
    const v = await shown(group, id, (m) => (m.reactions?.length ?? 0) === 2);
    expect(new Set(v.reactions?.map((r) => `${r.fromName} ${r.emoji}`))).toEqual(new Set([`${a.name} 🔥`, `${b.name} 👏`]));
  });
});

describe('edits and revokes', () => {
  it('an edit replaces the text (search follows) and keeps editedAt', async () => {
    const c = ctx.sim.contacts[2]!;
    const msg = await inbound(2, 'meet at the quarry gate');
    await ctx.sim.deliverEdit({ from: c.jid, targetId: msg.keyId, text: 'meet at the harbour gate' });
    const v = await shown(c.jid, msg.keyId, (m) => m.editedAt !== undefined);
    expect(v.body).toBe('meet at the harbour gate');
    const hits = (q: string) => callOk<{ hits: Array<{ id: string }> }>(ctx.client, 'search_messages', { query: q, chat_id: c.jid });
    expect((await hits('harbour')).hits.map((h) => h.id)).toContain(msg.keyId);
    expect((await hits('quarry')).hits.map((h) => h.id)).not.toContain(msg.keyId);
  });

  it("edits and revokes of someone else's message are ignored (only the author edits; the author or an admin revokes)", async () => {
    const { group, b, id } = await groupInbound('bring water');
    await ctx.sim.deliverEdit({ from: b.jid, group, targetId: id, text: 'bring beer' });
    await ctx.sim.deliverRevoke({ from: b.jid, group, targetId: id });
    // A later message from b shows both were processed (one chain, in order) before it.
    const marker = await ctx.sim.deliverGroupText({ group, from: b.jid, text: 'ok' });
    await eventually(() => ctx.t.app.store.messages.get(`${group}:${marker.id}`), 10_000);
    const v = await viewOf(group, id);
    expect(v).toMatchObject({ body: 'bring water' });
    expect(v?.editedAt).toBeUndefined();
    expect(v?.deleted).toBeUndefined();
  });

  it('a revoke marks the message deleted for everyone and drops its text from views and search', async () => {
    const c = ctx.sim.contacts[2]!;
    const msg = await inbound(2, 'the gate code is 4417');
    expect((await callOk<{ hits: Array<{ id: string }> }>(ctx.client, 'search_messages', { query: '4417' })).hits.map((h) => h.id)).toContain(msg.keyId);
    await ctx.sim.deliverRevoke({ from: c.jid, targetId: msg.keyId });
    const v = await shown(c.jid, msg.keyId, (m) => m.deleted === true);
    expect(v).toMatchObject({ deleted: true, deletedFor: 'everyone' });
    expect(v.revokedAt).toBeGreaterThan(0);
    expect(v.body).not.toContain('4417');
    expect((await callOk<{ hits: Array<{ id: string }> }>(ctx.client, 'search_messages', { query: '4417' })).hits).toHaveLength(0);
    const got = await callOk<{ message: View }>(ctx.client, 'get_message_by_id', { message_id: `${c.jid}:${msg.keyId}` });
    expect(got.message).toMatchObject({ deleted: true, deletedFor: 'everyone' });
  });
});

describe('delete for me (from the phone)', () => {
  it('is kept apart from a revoke: flagged deletedFor "me", text kept in view, gone from search', async () => {
    const c = ctx.sim.contacts[1]!;
    const msg = await inbound(1, 'the spare key is under the plant');
    await ctx.sim.sendAppStatePatch(
      { deleteForMe: { deleteMedia: false, key: { remoteJid: c.jid, fromMe: false, id: msg.keyId }, timestamp: Date.now() } },
      c.jid,
    );
    const v = await shown(c.jid, msg.keyId, (m) => m.deleted === true);
    expect(v).toMatchObject({ deleted: true, deletedFor: 'me', body: 'the spare key is under the plant' });
    expect(v.revokedAt).toBeUndefined();
    expect((await callOk<{ hits: Array<{ id: string }> }>(ctx.client, 'search_messages', { query: 'spare plant' })).hits).toHaveLength(0);
  });
});

describe('polls', () => {
  it("a contact's poll shows its question, options and live tally; get_poll_results names the voters", async () => {
    const c = ctx.sim.contacts[0]!;
    const { id } = await ctx.sim.deliverPoll({ from: c.jid, question: 'Which trail?', options: ['Coast', 'Ridge', 'Forest'], multiple: true });
    let v = await shown(c.jid, id, (m) => m.poll !== undefined);
    expect(v.type).toBe('poll');
    expect(v.poll).toEqual({ question: 'Which trail?', multiple: true, options: [{ name: 'Coast', votes: 0 }, { name: 'Ridge', votes: 0 }, { name: 'Forest', votes: 0 }], voters: 0 });

    await ctx.sim.deliverPollVote({ from: c.jid, pollId: id, selected: ['Ridge', 'Forest'] });
    v = await shown(c.jid, id, (m) => m.poll?.voters === 1);
    expect(v.poll?.options.map((o) => o.votes)).toEqual([0, 1, 1]);
    expect(v.body).toContain('Which trail?');
    // The vote is not a message of its own: the poll stays the chat's last message, with its tally.
    expect((await page(c.jid)).messages.some((m) => m.type === 'poll-vote')).toBe(false);
    expect((await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid })).chat.lastMessage?.body).toBe('📊 poll: Which trail? — Coast (0), Ridge (1), Forest (1)');

    const r = await callOk<{ options: Array<{ name: string; votes: number; voters: Array<{ jid: string; name: string }> }>; voters: number; undecryptable: number }>(
      ctx.client,
      'get_poll_results',
      { message_id: `${c.jid}:${id}` },
    );
    expect(r.voters).toBe(1);
    expect(r.undecryptable).toBe(0);
    expect(r.options[1]?.voters).toEqual([{ jid: c.jid, name: c.name }]);

    // A newer vote replaces the older one.
    await ctx.sim.deliverPollVote({ from: c.jid, pollId: id, selected: ['Coast'] });
    v = await shown(c.jid, id, (m) => m.poll?.options[0]?.votes === 1);
    expect(v.poll?.options.map((o) => o.votes)).toEqual([1, 0, 0]);
  });

  it('in a group: another member votes on a single-choice poll', async () => {
    const group = ctx.sim.groups[0]!.jid;
    const [a, b] = [ctx.sim.contacts[0]!, ctx.sim.contacts[1]!];
    const { id } = await ctx.sim.deliverPoll({ from: a.jid, group, question: 'Start time?', options: ['8:00', '9:30'] });
    await shown(group, id, (m) => m.poll !== undefined);
    await ctx.sim.deliverPollVote({ from: b.jid, pollId: id, selected: ['9:30'] });
    const v = await shown(group, id, (m) => m.poll?.voters === 1);
    expect(v.poll).toMatchObject({ question: 'Start time?', multiple: false, options: [{ name: '8:00', votes: 0 }, { name: '9:30', votes: 1 }] });
    const r = await callOk<{ options: Array<{ voters: Array<{ name: string }> }> }>(ctx.client, 'get_poll_results', { message_id: `${group}:${id}` });
    expect(r.options[1]?.voters.map((x) => x.name)).toEqual([b.name]);
  });
});

describe('locations and contact cards', () => {
  it('a location pin keeps its coordinates, name and address', async () => {
    const c = ctx.sim.contacts[1]!;
    const { id } = await ctx.sim.deliverLocation({ from: c.jid, latitude: 51.5033, longitude: -0.1196, name: 'London Eye', address: 'Riverside Building, London' });
    const v = await shown(c.jid, id, (m) => m.location !== undefined);
    expect(v.type).toBe('location');
    expect(v.location).toEqual({ latitude: 51.5033, longitude: -0.1196, name: 'London Eye', address: 'Riverside Building, London' });
    expect(v.body).toContain('London Eye');
    expect(v.body).toContain('51.5033, -0.1196');
  });

  it('a live location shows its last known point', async () => {
    const c = ctx.sim.contacts[1]!;
    const { id } = await ctx.sim.deliverLocation({ from: c.jid, live: true, latitude: 48.8584, longitude: 2.2945, caption: 'on my way', sequence: 1 });
    let v = await shown(c.jid, id, (m) => m.location !== undefined);
    expect(v.location).toMatchObject({ latitude: 48.8584, longitude: 2.2945, live: true });
    await ctx.sim.deliverLocation({ from: c.jid, live: true, latitude: 48.8606, longitude: 2.3376, updateOf: id, sequence: 2 });
    v = await shown(c.jid, id, (m) => m.location?.latitude === 48.8606);
    expect(v.location).toMatchObject({ latitude: 48.8606, longitude: 2.3376, live: true });
    expect(v.body).toContain('last known point: 48.8606, 2.3376');
    expect((await page(c.jid)).messages.filter((m) => m.id === id)).toHaveLength(1);
  });

  it('contact cards (one, and several) show names, numbers and WhatsApp ids', async () => {
    const c = ctx.sim.contacts[2]!;
    const one = await ctx.sim.deliverContactCard({ from: c.jid, cards: [{ name: 'Dr. Ruth Baker', phone: '+44 7700 900123' }] });
    let v = await shown(c.jid, one.id, (m) => m.contacts !== undefined);
    expect(v.type).toBe('contact');
    expect(v.contacts).toEqual([{ name: 'Dr. Ruth Baker', phones: ['+447700900123'], waIds: ['447700900123'] }]);
    expect(v.body).toBe('👤 contact: Dr. Ruth Baker (+447700900123)');
    const two = await ctx.sim.deliverContactCard({ from: c.jid, cards: [{ name: 'Ann', phone: '+15550001111' }, { name: 'Ben', phone: '+15550002222' }] });
    v = await shown(c.jid, two.id, (m) => m.contacts !== undefined);
    expect(v.contacts?.map((x) => x.waIds[0])).toEqual(['15550001111', '15550002222']);
  });
});

describe('group notices', () => {
  it('added / promoted / removed / subject changed / joined via link are stored with text and structured fields', async () => {
    const group = ctx.sim.groups[0]!;
    const [a, b] = [ctx.sim.contacts[0]!, ctx.sim.contacts[1]!];
    const newcomer = ctx.sim.contacts[3] ?? ctx.sim.contacts[2]!;
    const notices = async () => (await page(group.jid, 100)).messages.filter((m) => m.type === 'system' && m.notice);
    const count = (await notices()).length;

    ctx.sim.groupParticipants({ group: group.jid, action: 'remove', participants: [newcomer.jid], by: a.jid });
    ctx.sim.groupParticipants({ group: group.jid, action: 'add', participants: [newcomer.jid], by: a.jid });
    ctx.sim.groupParticipants({ group: group.jid, action: 'promote', participants: [b.jid], by: a.jid });
    ctx.sim.groupSubject({ group: group.jid, subject: 'Saturday hikers', by: b.jid });
    ctx.sim.groupParticipants({ group: group.jid, action: 'remove', participants: [newcomer.jid], by: a.jid });
    ctx.sim.groupJoinViaLink({ group: group.jid, who: newcomer.jid });
    await eventually(async () => (await notices()).length >= count + 6, 15_000, 100);
    const got = (await notices()).slice(count);
    const byAction = (action: string) => got.filter((m) => m.notice?.action === action);

    const added = byAction('participants_added')[0];
    expect(added?.notice).toMatchObject({ actor: a.jid, actorName: a.name, participants: [{ jid: newcomer.jid, name: newcomer.name }] });
    expect(added?.body).toBe(`${a.name} added ${newcomer.name}`);
    const promoted = byAction('promoted')[0];
    expect(promoted?.notice?.participants?.map((p) => p.jid)).toEqual([b.jid]);
    expect(promoted?.body).toBe(`${a.name} made ${b.name} an admin`);
    expect(byAction('participants_removed')[0]?.body).toBe(`${a.name} removed ${newcomer.name}`);
    const subject = byAction('subject_changed')[0];
    expect(subject?.notice).toMatchObject({ actor: b.jid, value: 'Saturday hikers' });
    expect(subject?.body).toBe(`${b.name} changed the subject to "Saturday hikers"`);
    const joined = byAction('joined_via_link')[0];
    expect(joined?.notice?.participants?.map((p) => p.jid)).toEqual([newcomer.jid]);
    expect(joined?.body).toBe(`${newcomer.name} joined using an invite link`);
  });
});

describe('presence', () => {
  it('get_chat_by_id subscribes; typing, recording, online and last seen are shown and notified on the chat resource', async () => {
    const c = ctx.sim.contacts[0]!;
    const first = await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid });
    expect(first.presence).toBeDefined();
    // WhatsApp sends presence only after the subscription (which get_chat_by_id started) reached it.
    await eventually(() => ctx.sim.contactChatState({ from: c.jid, state: 'composing' }).delivered > 0, 10_000, 100);
    await eventually(async () => (await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid })).presence?.state === 'typing', 10_000, 50);

    const uri = `whatsapp://chats/${encodeURIComponent(c.jid)}`;
    const updates: string[] = [];
    ctx.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await ctx.client.subscribeResource({ uri });
    ctx.sim.contactChatState({ from: c.jid, state: 'recording' });
    await eventually(() => updates.includes(uri), 10_000);
    expect((await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid })).presence?.state).toBe('recording');

    const lastSeen = Math.floor(Date.now() / 1000) - 120;
    ctx.sim.contactPresence({ from: c.jid, state: 'unavailable', lastSeen });
    await eventually(async () => (await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid })).presence?.state === 'offline', 10_000, 50);
    const off = await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: c.jid });
    expect(Date.parse(off.presence?.lastSeen ?? '')).toBe(lastSeen * 1000);
    // The chat resource carries the same presence.
    const read = await ctx.client.readResource({ uri });
    const text = read.contents[0] && 'text' in read.contents[0] ? String(read.contents[0].text) : '{}';
    expect((JSON.parse(text) as ChatOut).presence?.state).toBe('offline');
    // Kept in memory only: nothing about presence is in the database.
    const tables = ctx.t.app.store.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%presence%'`).all();
    expect(tables).toEqual([]);
  });

  it('subscribing to a chat resource subscribes to its presence at WhatsApp too', async () => {
    const c = ctx.sim.contacts[2]!;
    expect(ctx.sim.contactChatState({ from: c.jid, state: 'composing' }).delivered).toBe(0);
    const uri = `whatsapp://chats/${encodeURIComponent(c.jid)}`;
    const updates: string[] = [];
    ctx.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params.uri);
    });
    await ctx.client.subscribeResource({ uri });
    await eventually(() => ctx.sim.contactChatState({ from: c.jid, state: 'composing' }).delivered > 0, 10_000, 100);
    await eventually(() => updates.includes(uri), 10_000);
    await ctx.client.unsubscribeResource({ uri });
  });

  it('in a group, who is typing is named', async () => {
    const group = ctx.sim.groups[0]!.jid;
    const b = ctx.sim.contacts[1]!;
    await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: group });
    await eventually(() => ctx.sim.contactChatState({ from: b.jid, group, state: 'composing' }).delivered > 0, 10_000, 100);
    const out = await eventually(async () => {
      const r = await callOk<ChatOut>(ctx.client, 'get_chat_by_id', { jid: group });
      return r.presence?.state === 'typing' ? r : undefined;
    }, 10_000, 50);
    expect(out?.presence?.people?.[0]).toMatchObject({ jid: b.jid, name: b.name, state: 'typing' });
  });
});
