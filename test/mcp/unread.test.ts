/**
 * Unread counts that are true, end to end: the real Baileys backend against the simulator. Counts are
 * exact after N deliveries, after mark_as_read (whose read receipts the simulated WhatsApp records) and
 * after the account's phone reads the chat (a read-self receipt).
 */
import { expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { callOk, simulatorSuite } from './helpers.js';

const suite = simulatorSuite();

const unread = async (jid: string) => (await callOk<{ chat: { unreadCount: number } }>(suite.client, 'get_chat_by_id', { jid })).chat.unreadCount;

it('unread counts each delivery, mark_as_read sends real read receipts, and a read on the phone clears it', async () => {
  const sim = suite.t.app.simulator!;
  const contact = sim.contacts[0]!;
  // History sync says the chat is read (unreadCount 0): its old incoming messages are not counted again.
  await eventually(async () => (await callOk<{ chats: unknown[] }>(suite.client, 'list_chats', { query: contact.jid.split('@')[0]! })).chats.length === 1, 10_000);
  expect(await unread(contact.jid)).toBe(0);
  expect(await callOk(suite.client, 'mark_as_read', { chat_id: contact.jid })).toMatchObject({ receipts: 0, unreadCount: 0 });

  const ids: string[] = [];
  for (const text of ['one', 'two', 'three']) ids.push((await sim.deliverText({ from: contact.jid, text: `unread ${text}` })).id);
  await eventually(async () => (await unread(contact.jid)) === 3, 10_000);
  // Still exactly 3 once everything has settled (Baileys' chats.update increments are not added on top).
  const listed = await callOk<{ chats: Array<{ id: string; unreadCount: number }> }>(suite.client, 'list_chats', { unread_only: true });
  expect(listed.chats.find((c) => c.id === contact.jid)?.unreadCount).toBe(3);

  const r = await callOk<{ receipts: number; unreadCount: number }>(suite.client, 'mark_as_read', { chat_id: contact.jid, up_to_message_id: ids[1] });
  expect(r).toMatchObject({ receipts: 2, unreadCount: 1 });
  // What WhatsApp saw: read receipts for the first two, none for the third.
  await eventually(() => [ids[0]!, ids[1]!].every((id) => sim.deliveryOf(id)?.receipts.some((x) => x.type === 'read')), 10_000);
  expect(sim.deliveryOf(ids[2]!)?.receipts.some((x) => x.type === 'read')).toBe(false);
  expect(await unread(contact.jid)).toBe(1);

  ids.push((await sim.deliverText({ from: contact.jid, text: 'unread four' })).id);
  await eventually(async () => (await unread(contact.jid)) === 2, 10_000);
  // The user reads the chat on the phone.
  sim.phoneRead({ chat: contact.jid, ids: [ids[2]!, ids[3]!] });
  await eventually(async () => (await unread(contact.jid)) === 0, 10_000);
  const none = await callOk<{ chats: Array<{ id: string }> }>(suite.client, 'list_chats', { unread_only: true });
  expect(none.chats.map((c) => c.id)).not.toContain(contact.jid);
}, 60_000);
