/**
 * Issue #13 "agent-grade reading" through the real MCP SDK client: strict inputs whose errors list the
 * valid arguments, ISO times accepted everywhere, clean JSON Schema (ajv strict mode) over tools/list,
 * and outputs that name people and chats and never show an empty message.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, CAROL, ERIN, ME, GROUP_BOOK, GROUP_HIKE, SYSTEM_CHAT, T0, callErr, callOk, connectClient, openApp, seed } from './helpers.js';

let app: Awaited<ReturnType<typeof openApp>>;
let client: Client;

beforeAll(async () => {
  app = await openApp();
  seed(app.t.app.store);
  client = await connectClient(app.t.url);
});
afterAll(async () => {
  await client?.close();
  await app?.t.stop();
});

describe('inputs', () => {
  it('unknown arguments are rejected with the list of valid ones, for every tool', async () => {
    const { tools } = await client.listTools();
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties, tool.name).toBe(false);
    }
    const text = await callErr(client, 'list_chats', { querry: 'Alice' });
    expect(text).toMatch(/Unknown argument "querry"/);
    expect(text).toMatch(/valid arguments: .*limit.*cursor/);
    expect(await callErr(client, 'ping', { x: 1 })).toMatch(/valid arguments: \(none\)/);
  });

  it('times accept epoch ms or ISO-8601, and say what to pass otherwise', async () => {
    const iso = await callOk<{ messages: Array<{ id: string }> }>(client, 'list_messages', { chat_id: ALICE, before: '2025-01-10T09:03:00Z', limit: 5 });
    expect(iso.messages.map((m) => m.id)).toEqual(['A000', 'A001', 'A002']);
    const ms = await callOk<{ messages: Array<{ id: string }> }>(client, 'list_messages', { chat_id: ALICE, before: T0 + 3 * 60_000, limit: 5 });
    expect(ms.messages.map((m) => m.id)).toEqual(['A000', 'A001', 'A002']);
    expect(await callErr(client, 'list_messages', { chat_id: ALICE, before: 'last tuesday' })).toMatch(/epoch milliseconds or ISO-8601/);
  });
});

describe('tools/list', () => {
  it('is clean JSON Schema for a strict validator (ajv strict mode: no warnings, no additionalProperties: {})', async () => {
    const { tools } = await client.listTools();
    const warnings: unknown[] = [];
    const ajv = new Ajv({ strict: true, allErrors: true, logger: { log: () => undefined, warn: (...a: unknown[]) => void warnings.push(a), error: (...a: unknown[]) => void warnings.push(a) } });
    for (const tool of tools) {
      for (const schema of [tool.inputSchema, tool.outputSchema]) {
        if (!schema) continue;
        expect(JSON.stringify(schema), tool.name).not.toContain('"additionalProperties":{}');
        const { $schema: _ignored, ...rest } = schema as Record<string, unknown>;
        expect(() => ajv.compile(rest), tool.name).not.toThrow();
      }
    }
    expect(warnings).toEqual([]);
  });
});

describe('outputs', () => {
  it('a page of one chat names the chat once; rows carry ISO time, names and readable text', async () => {
    const page = await callOk<{ chatId: string; chatName: string; isGroup: boolean; messages: Array<Record<string, unknown>> }>(client, 'list_messages', {
      chat_id: GROUP_HIKE,
    });
    expect(page).toMatchObject({ chatId: GROUP_HIKE, chatName: 'Weekend Hikers', isGroup: true });
    const row = page.messages[0]!;
    expect(row).toMatchObject({ id: 'G001', fromName: 'Carol C', fromMe: false, body: 'Boots ready for the hike', time: expect.stringMatching(/^2025-01-10T\d\d:50:00(Z|[+-]\d\d:\d\d)$/) });
    expect(row.chatId).toBeUndefined();
    expect(row.chatName).toBeUndefined();
    expect(Date.parse(row.time as string)).toBe(row.timestamp);
  });

  it('DISPLAY_TIMEZONE sets the offset of every time', async () => {
    const other = await openApp({ env: { DISPLAY_TIMEZONE: 'Asia/Kolkata' } });
    try {
      seed(other.t.app.store);
      const c = await connectClient(other.t.url);
      const r = await callOk<{ message: { time: string; timestamp: number } }>(c, 'get_message_by_id', { message_id: `${BOB}:B001` });
      expect(r.message.time).toMatch(/\+05:30$/);
      expect(Date.parse(r.message.time)).toBe(r.message.timestamp);
      await c.close();
    } finally {
      await other.t.stop();
    }
  });

  it('protocol stubs never show as a last message; list_system_chats still finds them, rendered as text', async () => {
    const chats = await callOk<{ chats: Array<{ id: string; lastMessage?: { body: string } }> }>(client, 'list_chats', { limit: 50 });
    expect(chats.chats.find((c) => c.id === SYSTEM_CHAT)?.lastMessage).toBeUndefined();
    for (const c of chats.chats) if (c.lastMessage) expect(c.lastMessage.body.trim(), c.id).not.toBe('');
    const sys = await callOk<{ chats: Array<{ id: string; lastMessage?: { body: string; type?: string } }> }>(client, 'list_system_chats');
    expect(sys.chats.find((c) => c.id === SYSTEM_CHAT)?.lastMessage).toMatchObject({ type: 'protocol', body: expect.stringMatching(/\S/) });
  });
});

describe('filters', () => {
  type Page = { messages: Array<{ id: string; fromMe: boolean; from?: string }>; nextCursor?: string };
  it('list_messages: from (by name), after, query, only_incoming', async () => {
    const byCarol = await callOk<Page>(client, 'list_messages', { chat_id: GROUP_HIKE, from: 'Carol' });
    expect(byCarol.messages.map((m) => [m.id, m.from])).toEqual([['G001', CAROL]]);
    const incoming = await callOk<Page>(client, 'list_messages', { chat_id: ALICE, only_incoming: true, limit: 3 });
    expect(incoming.messages.map((m) => m.id)).toEqual(['A024', 'A026', 'A028']);
    const older = await callOk<Page>(client, 'list_messages', { chat_id: ALICE, only_incoming: true, limit: 3, cursor: incoming.nextCursor });
    expect(older.messages.map((m) => m.id)).toEqual(['A018', 'A020', 'A022']);
    const mine = await callOk<Page>(client, 'list_messages', { chat_id: ALICE, from: 'me', limit: 2 });
    expect(mine.messages.map((m) => m.id)).toEqual(['A027', 'A029']);
    const about = await callOk<Page>(client, 'list_messages', { chat_id: ALICE, query: 'lighthouse' });
    expect(about.messages.map((m) => m.id)).toEqual(['A010']);
    const after = await callOk<Page>(client, 'list_messages', { chat_id: ALICE, after: new Date(T0 + 27 * 60_000).toISOString() });
    expect(after.messages.map((m) => m.id)).toEqual(['A027', 'A028', 'A029']);
    expect(await callErr(client, 'list_messages', { chat_id: ALICE, from: 'Nobody Here' })).toMatch(/No contact matches/);
  });

  it('list_messages pages both ways: nextCursor to older, newerCursor back to newer, also with filters', async () => {
    type P = { messages: Array<{ id: string }>; nextCursor?: string; newerCursor?: string };
    const newest = await callOk<P>(client, 'list_messages', { chat_id: ALICE, limit: 10 });
    expect(newest.newerCursor).toBeUndefined(); // nothing newer than the newest page
    const older = await callOk<P>(client, 'list_messages', { chat_id: ALICE, limit: 10, cursor: newest.nextCursor });
    expect(older.messages.map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => `A0${String(10 + i).padStart(2, '0')}`));
    const back = await callOk<P>(client, 'list_messages', { chat_id: ALICE, limit: 4, cursor: older.newerCursor });
    expect(back.messages.map((m) => m.id)).toEqual(['A020', 'A021', 'A022', 'A023']);
    expect(back.nextCursor).toBeDefined();
    const last = await callOk<P>(client, 'list_messages', { chat_id: ALICE, limit: 10, cursor: back.newerCursor });
    expect(last.messages.map((m) => m.id)).toEqual(['A024', 'A025', 'A026', 'A027', 'A028', 'A029']);
    expect(last.newerCursor).toBeUndefined();
    // Forward with a filter: incoming only, from a point in time.
    const from = await callOk<P>(client, 'list_messages', { chat_id: ALICE, only_incoming: true, limit: 2, before: T0 + 5 * 60_000 });
    expect(from.messages.map((m) => m.id)).toEqual(['A002', 'A004']);
    const fwd = await callOk<P>(client, 'list_messages', { chat_id: ALICE, only_incoming: true, limit: 3, cursor: from.newerCursor });
    expect(fwd.messages.map((m) => m.id)).toEqual(['A006', 'A008', 'A010']);
    expect(fwd.newerCursor).toBeDefined();
    expect(fwd.nextCursor).toBeDefined();
  });

  it('search_messages from "me": my own messages, stored as "me" or under my JID', async () => {
    app.t.app.store.messages.upsertMessages([{ chatId: BOB, keyId: 'OWNJID1', from: ME, fromMe: true, timestamp: T0 + 42 * 60_000, type: 'text', body: 'alice chat from my jid' }]);
    const r = await callOk<{ hits: Array<{ id: string; fromMe: boolean }> }>(client, 'search_messages', { query: 'alice chat', from: 'me', limit: 50 });
    expect(r.hits.length).toBe(16); // 15 seeded own messages in Alice's chat + the one under my JID
    expect(r.hits.every((h) => h.fromMe)).toBe(true);
    expect(r.hits.map((h) => h.id)).toContain('OWNJID1');
  });

  it('list_chats: query by name or number, unread_only, is_group, sort by unread', async () => {
    const byName = await callOk<{ chats: Array<{ id: string }> }>(client, 'list_chats', { query: 'hikers' });
    expect(byName.chats.map((c) => c.id)).toEqual([GROUP_HIKE]);
    const byNumber = await callOk<{ chats: Array<{ id: string }> }>(client, 'list_chats', { query: '+44 7700 900002' });
    expect(byNumber.chats.map((c) => c.id)).toEqual([BOB]);
    const groups = await callOk<{ chats: Array<{ id: string; isGroup: boolean }> }>(client, 'list_chats', { is_group: true });
    expect(groups.chats.map((c) => c.id).sort()).toEqual([GROUP_BOOK, GROUP_HIKE].sort());
    const unread = await callOk<{ chats: Array<{ id: string; unreadCount: number }> }>(client, 'list_chats', { unread_only: true, sort: 'unread' });
    expect(unread.chats[0]).toMatchObject({ id: ALICE, unreadCount: 2 });
    expect(unread.chats.every((c) => c.unreadCount > 0)).toBe(true);
    expect(unread.chats.map((c) => c.id)).not.toContain(SYSTEM_CHAT); // a protocol stub is not unread
  });

  it('catch_up: unread messages grouped by chat in one call, or everything since a time', async () => {
    const r = await callOk<{ summary: string; chats: Array<{ chatId: string; chatName: string; messages: Array<{ id: string; fromName?: string }> }> }>(client, 'catch_up');
    const alice = r.chats.find((c) => c.chatId === ALICE)!;
    expect(alice).toMatchObject({ chatName: 'Alice Andersen' });
    expect(alice.messages.map((m) => m.id)).toEqual(['A026', 'A028']);
    expect(r.summary).toMatch(/new messages? in \d+ chats?/);
    const since = await callOk<{ since: string; chats: Array<{ chatId: string; messages: Array<{ id: string; fromName?: string }> }> }>(client, 'catch_up', {
      since: new Date(T0 + 45 * 60_000).toISOString(),
    });
    expect(since.chats.map((c) => c.chatId)).toEqual([GROUP_BOOK, GROUP_HIKE]);
    expect(since.chats[0]!.messages).toMatchObject([{ id: 'G101', fromName: 'Alice Andersen' }]);
    const nothing = await callOk<{ summary: string; chats: unknown[] }>(client, 'catch_up', { since: '2030-01-01' });
    expect(nothing).toMatchObject({ chats: [], summary: expect.stringMatching(/^Nothing new since 2030-01-01T/) });
  });
});

describe('group audit for one group', () => {
  it('find_members_not_in_contacts takes one group by name, and a limit', async () => {
    const r = await callOk<{ summary: { groupsAnalyzed: number; matched: number; returned: number }; members: Array<{ id: string; name: string | null }> }>(
      client,
      'find_members_not_in_contacts',
      { group_jid: 'Weekend Hikers' },
    );
    expect(r.summary).toMatchObject({ groupsAnalyzed: 1, matched: 2, returned: 2 });
    expect(r.members.map((m) => m.id).sort()).toEqual([CAROL, ERIN].sort());
    const one = await callOk<{ summary: { matched: number; returned: number }; members: unknown[] }>(client, 'find_members_not_in_contacts', { group_jid: GROUP_HIKE, limit: 1 });
    expect(one.summary).toMatchObject({ matched: 2, returned: 1 });
    expect(await callErr(client, 'find_members_not_in_contacts', { group_jid: 'Chess' })).toMatch(/No group named like "Chess"/);
  });
});

describe('prompts and completions', () => {
  it('prompts embed their data; chat arguments and resource templates complete on names', async () => {
    const caps = client.getServerCapabilities();
    expect(caps?.prompts?.listChanged).toBe(false);
    expect(caps?.resources?.listChanged).toBe(false);
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['catch_up', 'draft_reply', 'summarize_chat']);

    const done = await client.complete({ ref: { type: 'ref/prompt', name: 'summarize_chat' }, argument: { name: 'chat', value: 'Ali' } });
    expect(done.completion.values).toContain('Alice Andersen');
    const hikers = await client.complete({ ref: { type: 'ref/resource', uri: 'whatsapp://chats/{jid}/messages' }, argument: { name: 'jid', value: 'Weekend' } });
    expect(hikers.completion.values).toEqual([GROUP_HIKE]);

    const summary = await client.getPrompt({ name: 'summarize_chat', arguments: { chat: 'Alice Andersen' } });
    const body = summary.messages[0]!.content;
    expect(body.type === 'text' && body.text).toMatch(/"Alice Andersen".*lighthouse/s);
    const draft = await client.getPrompt({ name: 'draft_reply', arguments: { chat: 'Weekend Hikers' } });
    const d = draft.messages[0]!.content;
    expect(d.type === 'text' && d.text).toContain(`recipient_jid "${GROUP_HIKE}"`);
    const missed = await client.getPrompt({ name: 'catch_up' });
    expect(missed.description).toMatch(/new message/);
    await expect(client.getPrompt({ name: 'summarize_chat', arguments: { chat: 'Nobody At All' } })).rejects.toThrow(/No chat or contact named like/);
  });
});

describe('ordering within one second', () => {
  it('catch_up puts the later arrival first when two chats got a message in the same second, whatever my own replies', async () => {
    const store = app.t.app.store;
    const [x, y] = ['447000222001@s.whatsapp.net', '447000222002@s.whatsapp.net'];
    store.chats.upsertChats([
      { id: x, name: 'Same Second X' },
      { id: y, name: 'Same Second Y' },
    ]);
    const at = Date.UTC(2031, 0, 1, 12, 0, 0); // WhatsApp timestamps have whole seconds
    store.messages.upsertMessages([{ chatId: x, keyId: 'SAMESEC1', fromMe: false, from: x, timestamp: at, type: 'text', body: 'first in' }]);
    store.messages.upsertMessages([{ chatId: y, keyId: 'SAMESEC2', fromMe: false, from: y, timestamp: at, type: 'text', body: 'second in' }]);
    // My reply to X makes X the chat with the newest activity.
    store.messages.upsertMessages([{ chatId: x, keyId: 'SAMESEC3', fromMe: true, timestamp: at + 1_000, type: 'text', body: 'my reply' }]);
    const r = await callOk<{ chats: Array<{ chatId: string; messages: Array<{ body: string }> }> }>(client, 'catch_up', { since: at - 1_000, max_chats: 1, limit_per_chat: 1 });
    expect(r.chats.map((c) => c.chatId)).toEqual([y]);
    expect(r.chats[0]!.messages[0]!.body).toBe('second in');
  });
});
