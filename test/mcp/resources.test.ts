/** Resources, subscriptions (resources/updated on new messages and state changes) and the logging capability. */
import {
  LoggingMessageNotificationSchema,
  ResourceUpdatedNotificationSchema,
  type LoggingMessageNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { ALICE, ALICE_LID, BOB, connectClient, openApp, seed, type McpTestApp } from './helpers.js';

let t: McpTestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const messagesUri = (jid: string) => `whatsapp://chats/${encodeURIComponent(jid)}/messages`;

/** Collects resources/updated URIs; `next(uri)` resolves when that URI is updated (or rejects after 1 s). */
function watchUpdates(client: Client) {
  const seen: string[] = [];
  const waiters: Array<{ uri: string; resolve: () => void }> = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
    seen.push(n.params.uri);
    for (const w of waiters.splice(0)) {
      if (w.uri === n.params.uri) w.resolve();
      else waiters.push(w);
    }
  });
  return {
    seen,
    next(uri: string, withinMs = 1_000): Promise<void> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no resources/updated for ${uri} within ${withinMs} ms (seen: ${seen.join(', ')})`)), withinMs);
        waiters.push({ uri, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

describe('resources', () => {
  it('lists and reads whatsapp://connection, whatsapp://chats and whatsapp://chats/{jid}/messages', async () => {
    t = (await openApp()).t;
    seed(t.app.store);
    const c = await connectClient(t.url);
    const caps = c.getServerCapabilities();
    expect(caps?.resources).toMatchObject({ subscribe: true });
    expect(caps?.logging).toBeDefined();
    const { resources } = await c.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['whatsapp://connection', 'whatsapp://chats', messagesUri(ALICE)]));
    const { resourceTemplates } = await c.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toContain('whatsapp://chats/{jid}/messages');

    const conn = await c.readResource({ uri: 'whatsapp://connection' });
    expect(JSON.parse((conn.contents[0] as { text: string }).text)).toMatchObject({ state: 'open', ready: true });
    const chats = await c.readResource({ uri: 'whatsapp://chats' });
    const chatList = JSON.parse((chats.contents[0] as { text: string }).text) as { chats: Array<{ id: string }> };
    expect(chatList.chats).toHaveLength(6);
    const msgs = await c.readResource({ uri: messagesUri(ALICE) });
    const page = JSON.parse((msgs.contents[0] as { text: string }).text) as { chatId: string; messages: Array<{ id: string }> };
    expect(page.chatId).toBe(ALICE);
    expect(page.messages).toHaveLength(30);
    expect(page.messages.at(-1)!.id).toBe('A029');
    await expect(c.readResource({ uri: messagesUri('447799999999@s.whatsapp.net') })).rejects.toThrow(/No chat/);
    await expect(c.subscribeResource({ uri: 'whatsapp://nope' })).rejects.toThrow(/Unknown resource/);
    await c.close();
  });

  it('a subscribed client receives resources/updated within 1 s of a new message in that chat only', async () => {
    t = (await openApp()).t;
    seed(t.app.store);
    const c = await connectClient(t.url);
    const updates = watchUpdates(c);
    // Subscribe by LID: the server matches the chat whatever id form the client used.
    await c.subscribeResource({ uri: messagesUri(ALICE_LID) });
    await eventually(() => t!.app.mcp.stats().openStreams === 1); // the client's notification stream is up

    // A message in another chat does not notify this subscription.
    t.app.store.messages.upsertMessages([{ chatId: BOB, keyId: 'NEWB1', fromMe: false, timestamp: Date.now(), type: 'text', body: 'unrelated' }]);
    t.app.mcp.notifyNewMessages([BOB]);
    const arrived = updates.next(messagesUri(ALICE_LID));
    t.app.store.messages.upsertMessages([{ chatId: ALICE, keyId: 'NEWA1', fromMe: false, timestamp: Date.now(), type: 'text', body: 'fresh news' }]);
    t.app.mcp.notifyNewMessages([ALICE]);
    await arrived;
    expect(updates.seen).toEqual([messagesUri(ALICE_LID)]);
    const page = JSON.parse(((await c.readResource({ uri: messagesUri(ALICE) })).contents[0] as { text: string }).text) as {
      messages: Array<{ body: string }>;
    };
    expect(page.messages.at(-1)!.body).toBe('fresh news');

    // After unsubscribing, new messages are not announced (the connection subscription still is).
    await c.unsubscribeResource({ uri: messagesUri(ALICE_LID) });
    await c.subscribeResource({ uri: 'whatsapp://chats' });
    const chatsUpdated = updates.next('whatsapp://chats');
    t.app.mcp.notifyNewMessages([ALICE]);
    await chatsUpdated;
    expect(updates.seen).toEqual([messagesUri(ALICE_LID), 'whatsapp://chats']);
    await c.close();
  });

  it('a chat subscribed by its phone JID and by its LID is updated under both URIs', async () => {
    t = (await openApp()).t;
    seed(t.app.store);
    const c = await connectClient(t.url);
    const updates = watchUpdates(c);
    await c.subscribeResource({ uri: messagesUri(ALICE) });
    await c.subscribeResource({ uri: messagesUri(ALICE_LID) });
    await eventually(() => t!.app.mcp.stats().openStreams === 1);
    const byPhone = updates.next(messagesUri(ALICE), 5_000);
    const byLid = updates.next(messagesUri(ALICE_LID), 5_000);
    t.app.store.messages.upsertMessages([{ chatId: ALICE, keyId: 'BOTH1', fromMe: false, timestamp: Date.now(), type: 'text', body: 'hello both' }]);
    t.app.mcp.notifyNewMessages([ALICE]);
    await Promise.all([byPhone, byLid]);
    expect([...updates.seen].sort()).toEqual([messagesUri(ALICE), messagesUri(ALICE_LID)].sort());
    // Unsubscribing one form keeps the other.
    await c.unsubscribeResource({ uri: messagesUri(ALICE_LID) });
    const again = updates.next(messagesUri(ALICE), 5_000);
    t.app.mcp.notifyNewMessages([ALICE]);
    await again;
    expect(updates.seen.filter((u) => u === messagesUri(ALICE_LID))).toHaveLength(1);
    await c.close();
  });

  it('whatsapp://connection subscribers are told about every state change, and logs reach clients at their level', async () => {
    const o = await openApp();
    t = o.t;
    const c = await connectClient(t.url);
    const updates = watchUpdates(c);
    const logs: LoggingMessageNotification['params'][] = [];
    c.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params);
    });
    await c.setLoggingLevel('info');
    await c.subscribeResource({ uri: 'whatsapp://connection' });
    await eventually(() => t!.app.mcp.stats().openStreams === 1);

    let next = updates.next('whatsapp://connection');
    o.engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'lost', selfInflicted: false });
    await next;
    const read = JSON.parse(((await c.readResource({ uri: 'whatsapp://connection' })).contents[0] as { text: string }).text) as { state: string };
    expect(read.state).toBe('connecting');
    next = updates.next('whatsapp://connection');
    o.engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900000@s.whatsapp.net' } });
    await next;
    await eventually(() => logs.some((l) => (l.data as { state?: string }).state === 'open'));
    expect(logs.map((l) => [l.level, (l.data as { state?: string }).state])).toEqual([
      ['warning', 'connecting'],
      ['notice', 'open'],
    ]);

    // At level "error", warnings are no longer sent.
    await c.setLoggingLevel('error');
    next = updates.next('whatsapp://connection');
    o.engine.emit({ type: 'ENGINE.CLOSED', code: 428, reason: 'lost again', selfInflicted: false });
    await next;
    next = updates.next('whatsapp://connection');
    o.engine.emit({ type: 'ENGINE.OPEN', me: { id: '447700900000@s.whatsapp.net' } });
    await next;
    expect(logs).toHaveLength(2);
    await c.close();
  });
});
