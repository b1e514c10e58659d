/**
 * End to end with the real Baileys backend against the built-in simulator: nothing stands in except the
 * fake phone. A simulated inbound message reaches a subscribed client; send_message reaches the simulator.
 */
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { callOk, connectClient, startMcpApp, type McpTestApp } from './helpers.js';

let t: McpTestApp;
beforeAll(async () => {
  t = await startMcpApp({ simulator: true, env: { WA_SIMULATOR: '1' } });
  await t.app.runtime.waitFor((s) => s.state === 'open', 25_000);
}, 40_000);
afterAll(async () => {
  await t?.stop();
});

it('a subscribed client receives resources/updated for a simulated inbound message', async () => {
  const sim = t.app.simulator!;
  const contact = sim.contacts[0]!;
  const client = await connectClient(t.url);
  const uri = `whatsapp://chats/${encodeURIComponent(contact.jid)}/messages`;
  let resolveUpdated!: () => void;
  const updated = new Promise<void>((r) => (resolveUpdated = r));
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    if (n.params.uri === uri) resolveUpdated();
  });
  await client.subscribeResource({ uri });
  await eventually(() => t.app.mcp.stats().openStreams >= 1);

  await sim.deliverText({ from: contact.jid, text: 'the ferry leaves at noon' });
  await Promise.race([updated, new Promise((_, reject) => setTimeout(() => reject(new Error('no resources/updated within 10 s')), 10_000))]);
  const page = await callOk<{ messages: Array<{ body: string; fromMe: boolean }> }>(client, 'list_messages', { chat_id: contact.jid, limit: 5 });
  expect(page.messages.at(-1)).toMatchObject({ body: 'the ferry leaves at noon', fromMe: false });
  await client.close();
});

it('send_message reaches the simulated phone, once per idempotency key', async () => {
  const sim = t.app.simulator!;
  const contact = sim.contacts[1] ?? sim.contacts[0]!;
  const client = await connectClient(t.url);
  const before = sim.sent.length;
  const a = await callOk<{ messageId: string; deduplicated: boolean }>(client, 'send_message', {
    recipient_jid: contact.jid,
    message: 'see you on the ferry',
    idempotency_key: 'sim-ferry-1',
  });
  expect(a.deduplicated).toBe(false);
  await eventually(() => sim.sent.length > before, 10_000);
  const b = await callOk<{ messageId: string; deduplicated: boolean }>(client, 'send_message', {
    recipient_jid: contact.jid,
    message: 'see you on the ferry',
    idempotency_key: 'sim-ferry-1',
  });
  expect(b).toMatchObject({ messageId: a.messageId, deduplicated: true });
  const mine = sim.sent.slice(before).filter((s) => s.text === 'see you on the ferry');
  expect(mine).toHaveLength(1);
  expect(await callOk(client, 'get_message_by_id', { message_id: a.messageId })).toMatchObject({ message: { fromMe: true, body: 'see you on the ferry' } });
  await client.close();
});

it('one send is one stored message and one resources/updated (the adapter is the only writer; the echo is skipped)', async () => {
  const sim = t.app.simulator!;
  const contact = sim.contacts[2] ?? sim.contacts[0]!;
  const client = await connectClient(t.url);
  const uri = `whatsapp://chats/${encodeURIComponent(contact.jid)}/messages`;
  let updates = 0;
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    if (n.params.uri === uri) updates++;
  });
  await client.subscribeResource({ uri });
  await eventually(() => t.app.mcp.stats().openStreams >= 1);
  const before = t.app.store.counters.get().messages;

  const sent = await callOk<{ messageId: string }>(client, 'send_message', { recipient_jid: contact.jid, message: 'exactly one write, please' });
  // The phone's delivery receipt comes after Baileys' own echo of the send, so once the stored status has
  // moved past "sent", the echo has been seen too.
  await eventually(async () => {
    const m = await callOk<{ message: { status?: string } }>(client, 'get_message_by_id', { message_id: sent.messageId });
    return m.message.status === 'delivered' || m.message.status === 'read';
  }, 10_000);
  expect(t.app.store.counters.get().messages).toBe(before + 1);
  expect(updates).toBe(1);
  await client.close();
});
