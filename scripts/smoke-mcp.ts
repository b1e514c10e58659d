/**
 * `npm run smoke:mcp`: checks a running server end to end over MCP Streamable HTTP without relying on
 * any particular account's data. Env: MCP_BASE_URL (default http://127.0.0.1:3003), MCP_AUTH_TOKEN.
 *
 * Initialises a session, lists the tools, then calls every read tool with ids it discovers itself
 * (chats, messages, groups, contacts). It never sends, logs out or resyncs; it checks one error path
 * (an invalid send is refused with isError). Prints PASS / FAIL / SKIP per step; exits 1 on any FAIL.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { tableText } from '../src/mcp/tools/table-text.js';

const base = (process.env.MCP_BASE_URL ?? 'http://127.0.0.1:3003').replace(/\/+$/, '');
const endpoint = base.endsWith('/mcp') ? base : `${base}/mcp`;
const token = process.env.MCP_AUTH_TOKEN;

type Json = Record<string, unknown>;
let failures = 0;

class Skip extends Error {}

async function step<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
  const started = performance.now();
  try {
    const v = await fn();
    console.log(`PASS ${name} (${Math.round(performance.now() - started)} ms)`);
    return v;
  } catch (err) {
    if (err instanceof Skip) {
      console.log(`SKIP ${name}: ${err.message}`);
      return undefined;
    }
    failures++;
    console.log(`FAIL ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

async function main(): Promise<void> {
  console.log(`MCP smoke test against ${endpoint}`);
  const client = new Client({ name: 'smoke-mcp', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
  });

  const connected = await step('initialize', async () => {
    await client.connect(transport);
    const info = client.getServerVersion();
    check(info?.name, 'no server info');
    return true;
  });
  if (!connected) {
    console.log('\n1 step failed (cannot continue without a session)');
    process.exit(1);
  }

  const call = async (name: string, args: Json = {}): Promise<Json> => {
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (r.isError) throw new Error(r.content.map((c) => (c.type === 'text' ? c.text : `[${c.type}]`)).join(' '));
    check(r.structuredContent, `${name} returned no structuredContent`);
    const text = r.content.find((c) => c.type === 'text');
    // The text block is the same data with lists written as tables (src/mcp/tools/table-text.ts).
    check(text && text.type === 'text' && JSON.stringify(JSON.parse(text.text)) === tableText(r.structuredContent as Record<string, unknown>), `${name}: text content differs from structuredContent`);
    return r.structuredContent as Json;
  };

  await step('tools/list', async () => {
    const { tools } = await client.listTools();
    check(tools.length >= 26, `expected at least 26 tools, got ${tools.length}`);
    const missing = tools.filter((t) => !t.annotations || !t.outputSchema).map((t) => t.name);
    check(missing.length === 0, `tools without annotations or outputSchema: ${missing.join(', ')}`);
  });
  await step('ping', async () => check((await call('ping')).message === 'pong', 'no pong'));
  const status = await step('check_auth_status', async () => {
    const s = await call('check_auth_status');
    check(typeof s.state === 'string', 'no state');
    console.log(`     state: ${String(s.state)}`);
    return s;
  });
  await step('get_qr_code', async () => {
    const r = await call('get_qr_code');
    check('qr' in r, 'no qr field');
  });

  const chats = await step('list_chats', async () => {
    const r = await call('list_chats', { limit: 5 });
    check(Array.isArray(r.chats), 'no chats array');
    return r.chats as Array<{ id: string; name: string; isGroup: boolean; lastMessage?: { body: string } }>;
  });
  // Prefer a chat with readable text, so that the message and search steps have something to work on.
  const chat = chats?.find((c) => c.lastMessage?.body) ?? chats?.find((c) => !c.isGroup) ?? chats?.[0];
  const needChat = () => {
    if (!chat) throw new Skip('no chats stored yet');
    return chat;
  };

  await step('list_chats (next page)', async () => {
    const first = await call('list_chats', { limit: 1, include_last_message: false });
    if (!first.nextCursor) throw new Skip('only one page');
    const second = await call('list_chats', { limit: 1, cursor: first.nextCursor });
    const a = (first.chats as Array<{ id: string }>)[0]?.id;
    const b = (second.chats as Array<{ id: string }>)[0]?.id;
    check(a !== b, 'the second page repeats the first');
  });
  await step('get_chat_by_id', async () => check(((await call('get_chat_by_id', { jid: needChat().id })).chat as Json).id === needChat().id, 'wrong chat'));
  const messages = await step('list_messages', async () => {
    const r = await call('list_messages', { chat_id: needChat().id, limit: 5 });
    return r.messages as Array<{ id: string; body: string; timestamp: number }>;
  });
  const message = messages?.at(-1);
  const needMessage = () => {
    if (!message) throw new Skip('no messages in the chosen chat');
    return message;
  };
  await step('get_message_by_id', async () => check(((await call('get_message_by_id', { message_id: needMessage().id })).message as Json).id === needMessage().id, 'wrong message'));
  await step('get_message_context', async () => check(((await call('get_message_context', { message_id: needMessage().id, limit: 3 })).target as Json).id === needMessage().id, 'wrong target'));
  await step('search_messages', async () => {
    const texts = [...(messages ?? []).map((m) => m.body), ...(chats ?? []).map((c) => c.lastMessage?.body ?? '')];
    const word = texts.flatMap((t) => t.split(/[^\p{L}\p{N}]+/u)).find((w) => w.length >= 4);
    if (!word) throw new Skip('no searchable word found in recent messages');
    const r = await call('search_messages', { query: word, limit: 5 });
    check(Array.isArray(r.hits) && r.hits.length > 0, `no hits for "${word}" although it occurs in a message`);
  });
  await step('get_last_interaction', async () => {
    await call('get_last_interaction', { jid: needChat().id });
  });
  await step('list_system_chats', async () => check(Array.isArray((await call('list_system_chats', { limit: 5 })).chats), 'no chats array'));

  const groups = await step('list_groups', async () => (await call('list_groups', { limit: 5 })).chats as Array<{ id: string }>);
  await step('get_group_info', async () => {
    const g = groups?.[0];
    if (!g) throw new Skip('no groups stored');
    const r = await call('get_group_info', { group_jid: g.id });
    check(r.id === g.id && Array.isArray(r.participants), 'wrong group');
  });
  await step('analyze_group_overlaps', async () => void (await call('analyze_group_overlaps', { group_limit: 20 })));
  await step('find_members_without_direct_chat', async () => void (await call('find_members_without_direct_chat', { group_limit: 20 })));
  await step('find_members_not_in_contacts', async () => void (await call('find_members_not_in_contacts', { group_limit: 20 })));
  await step('run_group_audit', async () => check((await call('run_group_audit', { group_limit: 20 })).summary, 'no summary'));

  const nameWord = chats?.map((c) => c.name.split(/\s+/)[0] ?? '').find((w) => w.length >= 3 && !w.startsWith('+'));
  const contacts = await step('search_contacts', async () => {
    if (!nameWord) throw new Skip('no named chat to search for');
    return (await call('search_contacts', { query: nameWord, limit: 5 })).contacts as Array<{ id: string; number: string | null }>;
  });
  await step('resolve_contact', async () => {
    if (!nameWord) throw new Skip('no named chat to search for');
    check(Array.isArray((await call('resolve_contact', { query: nameWord })).matches), 'no matches array');
  });
  await step('get_contact_by_id', async () => {
    const c = contacts?.[0];
    if (!c) throw new Skip('no contact found');
    check(((await call('get_contact_by_id', { jid: c.id })).contact as Json).id === c.id, 'wrong contact');
  });
  await step('get_chat_by_contact', async () => {
    if (!nameWord) throw new Skip('no named chat to search for');
    check(typeof (await call('get_chat_by_contact', { query: nameWord })).status === 'string', 'no status');
  });
  await step('get_direct_chat_by_contact_number', async () => {
    const number = contacts?.find((c) => c.number)?.number ?? (chat?.id.endsWith('@s.whatsapp.net') ? chat.id.split('@')[0] : undefined);
    if (!number) throw new Skip('no phone number discovered');
    check(typeof (await call('get_direct_chat_by_contact_number', { phone_number: `+${number}` })).jid === 'string', 'no jid');
  });
  await step('get_profile_pic', async () => {
    if (status?.state !== 'open') throw new Skip(`needs an open connection (state: ${String(status?.state)})`);
    await call('get_profile_pic', { jid: needChat().id });
  });
  await step('send_message refuses invalid input (nothing sent)', async () => {
    const r = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: 'not-a-recipient', message: 'smoke' } })) as CallToolResult;
    check(r.isError === true, 'an invalid recipient was accepted');
  });
  await step('resources', async () => {
    const { resources } = await client.listResources();
    check(resources.some((r) => r.uri === 'whatsapp://connection'), 'no whatsapp://connection');
    const conn = await client.readResource({ uri: 'whatsapp://connection' });
    check(conn.contents.length === 1, 'empty connection resource');
  });

  await step('delete session', async () => transport.terminateSession());
  await client.close();
  console.log(failures === 0 ? '\nall steps passed' : `\n${failures} step(s) failed`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(`smoke test crashed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
