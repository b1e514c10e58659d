/**
 * Issue #13 "agent-grade reading" through the real MCP SDK client: strict inputs whose errors list the
 * valid arguments, ISO times accepted everywhere, clean JSON Schema (ajv strict mode) over tools/list,
 * and outputs that name people and chats and never show an empty message.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, BOB, GROUP_HIKE, SYSTEM_CHAT, T0, callErr, callOk, connectClient, openApp, seed } from './helpers.js';

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
