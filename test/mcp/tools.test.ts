/** Every tool against a seeded store through the official SDK client: valid input, then invalid input. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolResultSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_INFO } from '../../src/mcp/server.js';
import { registerAllTools, type ToolDeps } from '../../src/mcp/tools/index.js';
import { eventually } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import {
  ALICE,
  ALICE_LID,
  BOB,
  CAROL,
  DAVE,
  ERIN,
  GROUP_BOOK,
  GROUP_HIKE,
  ME,
  SYSTEM_CHAT,
  callErr,
  callOk,
  connectClient,
  openApp,
  recordingGateway,
  seed,
  startMcpApp,
  type McpTestApp,
  type RecordingGateway,
} from './helpers.js';

/** The 29 seed tools of SPEC §3, the reading tools of issue #13 and the actions of issue #14. */
const ALL_TOOLS = [
  'catch_up',
  'get_media',
  'mark_as_read',
  'analyze_group_overlaps',
  'download_media',
  'send_media',
  'stage_media',
  'check_auth_status',
  'find_members_not_in_contacts',
  'find_members_without_direct_chat',
  'force_resync',
  'get_chat_by_contact',
  'get_chat_by_id',
  'get_contact_by_id',
  'get_direct_chat_by_contact_number',
  'get_group_info',
  'get_last_interaction',
  'get_message_by_id',
  'get_message_context',
  'get_profile_pic',
  'get_qr_code',
  'request_pairing_code',
  'list_chats',
  'list_groups',
  'list_messages',
  'list_system_chats',
  'logout',
  'ping',
  'get_send_status',
  'list_outbox',
  'cancel_send',
  'resolve_contact',
  'run_group_audit',
  'search_contacts',
  'search_messages',
  'send_message',
  // #14 actions
  'react_to_message',
  'edit_message',
  'delete_message',
  'forward_message',
  'send_location',
  'send_contact',
  'send_poll',
  'set_presence',
  'check_whatsapp_numbers',
  'create_group',
  'update_group_participants',
  'update_group_settings',
  'get_group_invite_link',
  'join_group',
  'leave_group',
  'archive_chat',
  'pin_chat',
  'mute_chat',
  'block_contact',
  'get_poll_results',
];

interface Msg {
  id: string;
  chatId: string;
  body: string;
  from: string;
  fromMe: boolean;
  timestamp: number;
  type?: string;
  hasMedia?: boolean;
  media?: { mimetype: string | null; downloaded: boolean };
}
interface Chat {
  id: string;
  name: string;
  isGroup: boolean;
  unreadCount: number;
  lastMessage?: Msg;
}
interface Member {
  id: string;
  groupCount: number;
  isMyContact: boolean;
  hasDirectChat: boolean;
}

let t: McpTestApp;
let gw: RecordingGateway;
let client: Client;

beforeAll(async () => {
  gw = recordingGateway();
  const o = await openApp({ gateway: gw });
  t = o.t;
  seed(t.app.store);
  client = await connectClient(t.url);
});

afterAll(async () => {
  await client?.close();
  await t?.stop();
});

/** Store counters, to prove that failed calls changed nothing. */
const snapshot = () => ({ ...t.app.store.counters.get(), sent: gw.sent.length });

describe('tools/list', () => {
  it('lists every tool (the 29 of SPEC §3 and the #13 additions, the #14 actions), each with truthful annotations, an input schema and an output schema', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((x) => x.name);
    expect([...names].sort()).toEqual([...ALL_TOOLS].sort());
    expect(new Set(names).size).toBe(names.length);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(20);
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      const a = tool.annotations;
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const) {
        expect(typeof a?.[hint], `${tool.name}.${hint}`).toBe('boolean');
      }
    }
    const byName = new Map(tools.map((x) => [x.name, x.annotations!]));
    expect(byName.get('send_message')).toMatchObject({ readOnlyHint: false, idempotentHint: false, openWorldHint: true });
    expect(byName.get('logout')).toMatchObject({ readOnlyHint: false, destructiveHint: true });
    expect(byName.get('list_chats')).toMatchObject({ readOnlyHint: true, openWorldHint: false });
    expect(byName.get('get_profile_pic')).toMatchObject({ readOnlyHint: true, openWorldHint: true });
    // Defaults and bounds are visible to clients.
    const listChats = tools.find((x) => x.name === 'list_chats')!.inputSchema as { properties: Record<string, { maximum?: number; default?: unknown }> };
    expect(listChats.properties.limit).toMatchObject({ maximum: 500, default: 20 });
  });
});

describe('tools/list cache and the process-wide tools/call', () => {
  /** An SDK client on a plain McpServer with the same registrations (handlers are never reached here). */
  async function sdkReference(): Promise<Client> {
    const plain = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });
    registerAllTools(plain, { config: t.app.config, safety: t.app.safety } as ToolDeps);
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
    await plain.connect(serverSide);
    const reference = new Client({ name: 'reference', version: '1.0.0' });
    await reference.connect(clientSide);
    return reference;
  }

  it('answers exactly what the SDK itself would list for the same registrations', async () => {
    const reference = await sdkReference();
    // Compare what goes over the wire (JSON drops undefined members).
    const expected: unknown = JSON.parse(JSON.stringify(await reference.listTools()));
    await reference.close();
    expect(ALL_TOOLS).toHaveLength(new Set(ALL_TOOLS).size);
    expect(JSON.parse(JSON.stringify(await client.listTools()))).toEqual(expected);
  });

  it('refuses an unknown tool and invalid arguments with the SDK\'s own results', async () => {
    const reference = await sdkReference();
    for (const call of [
      { name: 'no_such_tool', arguments: {} },
      { name: 'list_chats', arguments: { limit: 'twenty', sort: 'sideways' } },
      { name: 'send_message', arguments: { message: 'no recipient' } },
      { name: 'ping', arguments: { unexpected: true } },
    ]) {
      const ours = (await client.callTool(call)) as CallToolResult;
      expect(ours.isError, call.name).toBe(true);
      expect(ours, call.name).toEqual(await reference.callTool(call));
    }
    await reference.close();
  });
});

describe('utility and auth tools', () => {
  it('ping answers pong', async () => {
    expect(await callOk(client, 'ping')).toMatchObject({ pong: true, message: 'pong' });
  });

  it('check_auth_status reports the open connection and our id', async () => {
    const s = await callOk(client, 'check_auth_status');
    expect(s).toMatchObject({ state: 'open', authenticated: true, ready: true, qrAvailable: false, me: { id: ME }, health: { ok: true } });
  });

  it('get_qr_code says the device is already linked when open', async () => {
    const r = (await client.callTool({ name: 'get_qr_code', arguments: {} })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ linked: true, qr: null, state: 'open' });
    expect(r.content.some((c) => c.type === 'image')).toBe(false);
  });

  it('tools reject unexpected argument types with isError', async () => {
    const before = snapshot();
    await callErr(client, 'logout', { idempotency_key: '' });
    await callErr(client, 'logout', { idempotency_key: 'x'.repeat(201) });
    expect(t.app.runtime.getStatus().state).toBe('open');
    expect(snapshot()).toEqual(before);
  });
});

describe('contact tools', () => {
  it('search_contacts ranks name matches and merges LID and phone', async () => {
    const r = await callOk<{ contacts: Array<{ id: string; name: string | null; lid?: string }> }>(client, 'search_contacts', { query: 'ali' });
    expect(r.contacts[0]).toMatchObject({ id: ALICE, name: 'Alice Andersen', lid: ALICE_LID });
    expect(r.contacts.filter((c) => c.id === ALICE)).toHaveLength(1);
    await callErr(client, 'search_contacts', { query: '' });
    await callErr(client, 'search_contacts', { query: 'ali', limit: 0 });
    await callErr(client, 'search_contacts', { query: 'ali', limit: 501 });
  });

  it('resolve_contact scores an exact phone number as 1', async () => {
    const r = await callOk<{ matches: Array<{ id: string; matchedBy: string; score: number }> }>(client, 'resolve_contact', { query: '+44 7700 900001' });
    expect(r.matches[0]).toMatchObject({ id: ALICE, score: 1 });
    const byName = await callOk<{ matches: Array<{ id: string; matchedBy: string }> }>(client, 'resolve_contact', { query: 'Dawson' });
    expect(byName.matches[0]).toMatchObject({ id: DAVE, matchedBy: 'name' });
    await callErr(client, 'resolve_contact', { query: 'x', limit: 51 });
    await callErr(client, 'resolve_contact', {});
  });

  it('get_contact_by_id accepts a JID, a LID or a phone number; unknown ids are an error with a next step', async () => {
    expect(await callOk(client, 'get_contact_by_id', { jid: ALICE_LID })).toMatchObject({ contact: { id: ALICE, name: 'Alice Andersen' } });
    expect(await callOk(client, 'get_contact_by_id', { jid: '+44 7700 900002' })).toMatchObject({ contact: { id: BOB, pushname: 'Bobby' } });
    expect(await callErr(client, 'get_contact_by_id', { jid: '447799999999@s.whatsapp.net' })).toMatch(/No contact.*search_contacts/);
    expect(await callErr(client, 'get_contact_by_id', { jid: 'hello world' })).toMatch(/not a WhatsApp id/);
  });

  it('get_profile_pic asks WhatsApp live', async () => {
    gw.pics.set(BOB, 'https://pps.example/bob.jpg');
    expect(await callOk(client, 'get_profile_pic', { jid: BOB })).toEqual({ jid: BOB, url: 'https://pps.example/bob.jpg' });
    expect(await callOk(client, 'get_profile_pic', { jid: CAROL })).toEqual({ jid: CAROL, url: null });
    await callErr(client, 'get_profile_pic', { jid: 'not an id' });
  });

  it('get_group_info returns live metadata with names, or the cache marked source:"cached"', async () => {
    gw.groups.set(GROUP_HIKE, {
      id: GROUP_HIKE,
      subject: 'Weekend Hikers 2025',
      participants: [
        { jid: ALICE, admin: 'superadmin' },
        { jid: BOB, admin: null },
        { jid: ME, admin: 'admin' },
      ],
    });
    const live = await callOk<{ source: string; subject: string; participants: Array<{ id: string; name: string | null; role: string }> }>(
      client,
      'get_group_info',
      { group_jid: GROUP_HIKE },
    );
    expect(live).toMatchObject({ source: 'live', subject: 'Weekend Hikers 2025' });
    expect(live.participants).toContainEqual({ id: ALICE, role: 'superadmin', name: 'Alice Andersen', isMe: false, isMyContact: true, isAdmin: true });
    expect(live.participants).toContainEqual({ id: ME, role: 'admin', name: 'me', isMe: true, isMyContact: false, isAdmin: true });
    // By name too.
    expect(await callOk(client, 'get_group_info', { group_jid: 'weekend hikers 2025' })).toMatchObject({ id: GROUP_HIKE });
    expect(live.participants).toHaveLength(3);
    const cached = await callOk<{ source: string; staleReason: string; participants: unknown[] }>(client, 'get_group_info', { group_jid: GROUP_BOOK });
    expect(cached).toMatchObject({ source: 'cached', subject: 'Book Club' });
    expect(cached.participants).toHaveLength(5);
    expect(await callErr(client, 'get_group_info', { group_jid: ALICE })).toMatch(/not a group/);
    await callErr(client, 'get_group_info', { group_jid: '999999@g.us' });
    // restore the seeded membership for the audit tests
    t.app.store.groups.upsertGroups([
      { id: GROUP_HIKE, subject: 'Weekend Hikers', participants: [{ id: ME }, { id: ALICE }, { id: BOB }, { id: CAROL }, { id: ERIN }] },
    ]);
    gw.groups.clear();
  });
});

describe('chat tools', () => {
  it('list_chats pages newest first with a cursor, one page after another without overlap', async () => {
    const p1 = await callOk<{ chats: Chat[]; nextCursor?: string }>(client, 'list_chats', { limit: 3 });
    expect(p1.chats.map((c) => c.id)).toEqual([GROUP_BOOK, GROUP_HIKE, BOB]);
    expect(p1.chats[0]!.lastMessage).toMatchObject({ body: 'Next book: Moby Dick' });
    expect(p1.nextCursor).toBeTruthy();
    const p2 = await callOk<{ chats: Chat[]; nextCursor?: string }>(client, 'list_chats', { limit: 3, cursor: p1.nextCursor, include_last_message: false });
    expect(p2.chats.map((c) => c.id)).toEqual([ALICE, SYSTEM_CHAT, CAROL]);
    expect(p2.chats[0]!.lastMessage).toBeUndefined();
    expect(p2.nextCursor).toBeUndefined();
    expect(await callErr(client, 'list_chats', { cursor: 'garbage' })).toMatch(/Invalid cursor.*nextCursor/);
    await callErr(client, 'list_chats', { limit: 501 });
    await callErr(client, 'list_chats', { include_last_message: 'yes' });
  });

  it('list_system_chats returns chats whose last message is a protocol message', async () => {
    const r = await callOk<{ chats: Chat[] }>(client, 'list_system_chats');
    expect(r.chats.map((c) => c.id)).toEqual([SYSTEM_CHAT]);
    await callErr(client, 'list_system_chats', { limit: -1 });
  });

  it('get_chat_by_id returns the chat with name and unread count', async () => {
    expect(await callOk(client, 'get_chat_by_id', { jid: ALICE })).toMatchObject({
      chat: { id: ALICE, name: 'Alice Andersen', isGroup: false, unreadCount: 2, lastMessage: { id: 'A029', fromMe: true } },
    });
    expect(await callErr(client, 'get_chat_by_id', { jid: DAVE })).toMatch(/No chat.*list_chats/);
    await callErr(client, 'get_chat_by_id', { jid: '' });
  });

  it('list_groups returns every group', async () => {
    const r = await callOk<{ chats: Chat[] }>(client, 'list_groups', { include_last_message: false });
    expect(r.chats.map((c) => [c.id, c.name, c.isGroup])).toEqual([
      [GROUP_BOOK, 'Book Club', true],
      [GROUP_HIKE, 'Weekend Hikers', true],
    ]);
    await callErr(client, 'list_groups', { limit: 0 });
  });

  it('get_direct_chat_by_contact_number normalises international formats', async () => {
    expect(await callOk(client, 'get_direct_chat_by_contact_number', { phone_number: '+44 7700 900002' })).toMatchObject({ jid: BOB, chat: { id: BOB, name: 'Bob Brown' } });
    expect(await callOk(client, 'get_direct_chat_by_contact_number', { phone_number: '0044 7700-900004' })).toEqual({ jid: DAVE, chat: null });
    expect(await callErr(client, 'get_direct_chat_by_contact_number', { phone_number: '12ab' })).toMatch(/country code/);
  });

  it('get_chat_by_contact resolves a name to the chat, and lists candidates when ambiguous', async () => {
    expect(await callOk(client, 'get_chat_by_contact', { query: 'Alice' })).toMatchObject({ status: 'found', chat: { id: ALICE }, contact: { id: ALICE } });
    const amb = await callOk<{ status: string; chat: null; matches: Array<{ id: string }> }>(client, 'get_chat_by_contact', { query: '4477009000', max_candidates: 10 });
    expect(amb.status).toBe('ambiguous');
    expect(amb.chat).toBeNull();
    expect(amb.matches.length).toBeGreaterThan(1);
    expect(await callOk(client, 'get_chat_by_contact', { query: 'Dave' })).toMatchObject({ status: 'no_chat', contact: { id: DAVE }, chat: null });
    expect(await callOk(client, 'get_chat_by_contact', { query: 'Book Club' })).toMatchObject({ status: 'found', chat: { id: GROUP_BOOK }, contact: null });
    expect(await callOk(client, 'get_chat_by_contact', { query: 'Zebedee' })).toMatchObject({ status: 'not_found', chat: null });
    await callErr(client, 'get_chat_by_contact', { query: 'Alice', max_candidates: 0 });
  });
});

describe('group audit tools', () => {
  const ids = (m: Member[]) => m.map((x) => x.id).sort();

  it('analyze_group_overlaps finds members in at least N groups (never ourselves)', async () => {
    const r = await callOk<{ summary: { groupsAnalyzed: number; matched: number; source: string }; members: Member[] }>(client, 'analyze_group_overlaps');
    expect(r.summary).toMatchObject({ groupsAnalyzed: 2, matched: 3, source: 'cached' });
    expect(ids(r.members)).toEqual([ALICE, CAROL, ERIN].sort());
    expect(r.members.every((m) => m.groupCount === 2)).toBe(true);
    await callErr(client, 'analyze_group_overlaps', { min_shared_groups: 0 });
  });

  it('find_members_without_direct_chat and find_members_not_in_contacts', async () => {
    const noChat = await callOk<{ members: Member[] }>(client, 'find_members_without_direct_chat');
    expect(ids(noChat.members)).toEqual([DAVE, ERIN].sort());
    const notIn = await callOk<{ members: Member[] }>(client, 'find_members_not_in_contacts');
    expect(ids(notIn.members)).toEqual([CAROL, ERIN].sort());
    const notIn2 = await callOk<{ members: Member[] }>(client, 'find_members_not_in_contacts', { min_shared_groups: 2, group_limit: 2 });
    expect(ids(notIn2.members)).toEqual([CAROL, ERIN].sort());
    await callErr(client, 'find_members_without_direct_chat', { group_limit: 0 });
    await callErr(client, 'find_members_not_in_contacts', { refresh_group_info: 'no' });
  });

  it('run_group_audit refreshes live and falls back to the cache per group', async () => {
    gw.groups.set(GROUP_HIKE, {
      id: GROUP_HIKE,
      subject: 'Weekend Hikers',
      participants: [ME, ALICE, BOB, CAROL, ERIN, DAVE].map((jid) => ({ jid, admin: null })),
    });
    const cachedOnly = await callOk<{ summary: Record<string, unknown>; overlaps: Member[] }>(client, 'run_group_audit');
    expect(cachedOnly.summary).toMatchObject({ groupsAnalyzed: 2, refreshed: 0, source: 'cached', overlaps: 3 });
    const audit = await callOk<{ summary: Record<string, unknown>; overlaps: Member[]; withoutDirectChat: Member[]; notInContacts: Member[] }>(
      client,
      'run_group_audit',
      { refresh_group_info: true },
    );
    expect(audit.summary).toMatchObject({ groupsAnalyzed: 2, refreshed: 1, refreshFailed: 1, source: 'mixed', overlaps: 4 });
    expect(String(audit.summary.refreshNote)).toMatch(/1 of 2 groups could not be refreshed/);
    expect(ids(audit.overlaps)).toEqual([ALICE, CAROL, DAVE, ERIN].sort()); // Dave joined the hikers live
    expect(ids(audit.withoutDirectChat)).toEqual([DAVE, ERIN].sort());
    expect(ids(audit.notInContacts)).toEqual([CAROL, ERIN].sort());
    await callErr(client, 'run_group_audit', { overlap_min_shared_groups: 0 });
    await callErr(client, 'run_group_audit', { group_limit: 5000 });
  });

  it('with JSON responses, progress notifications travel on the session\'s notification stream', async () => {
    gw.groups.set(GROUP_HIKE, { id: GROUP_HIKE, subject: 'Weekend Hikers', participants: [ME, ALICE, BOB, CAROL, ERIN].map((jid) => ({ jid, admin: null })) });
    await eventually(() => t.app.mcp.stats().openStreams >= 1); // the SDK client keeps a GET stream open
    let release!: () => void;
    gw.metaGate = new Promise<void>((r) => (release = r));
    const progress: number[] = [];
    const call = client.callTool({ name: 'analyze_group_overlaps', arguments: { refresh_group_info: true } }, CallToolResultSchema, {
      onprogress: (p) => {
        progress.push(p.progress);
        if (p.progress === 0) release(); // the refresh waits until the first notification arrived
      },
    });
    const r = (await call) as CallToolResult;
    gw.metaGate = null;
    gw.groups.clear();
    expect(r.isError).toBeFalsy();
    expect(progress[0]).toBe(0);
    expect(r.structuredContent).toMatchObject({ summary: { refreshed: 1, refreshFailed: 1 } });
  });

  it('run_group_audit sends progress notifications while refreshing (SSE responses)', async () => {
    const g = recordingGateway();
    const o = await openApp({ gateway: g, env: { MCP_HTTP_ENABLE_JSON_RESPONSE: '0' } });
    try {
      seed(o.t.app.store);
      g.groups.set(GROUP_HIKE, { id: GROUP_HIKE, subject: 'Weekend Hikers', participants: [{ jid: ALICE, admin: null }] });
      g.groups.set(GROUP_BOOK, { id: GROUP_BOOK, subject: 'Book Club', participants: [{ jid: ALICE, admin: null }, { jid: BOB, admin: null }] });
      const c = await connectClient(o.t.url);
      const progress: Array<{ progress: number; total?: number }> = [];
      const r = (await c.callTool({ name: 'run_group_audit', arguments: { refresh_group_info: true } }, CallToolResultSchema, {
        onprogress: (p) => progress.push({ progress: p.progress, total: p.total }),
      })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ summary: { refreshed: 2, refreshFailed: 0, source: 'live', overlaps: 1 } });
      expect(progress).toEqual([
        { progress: 0, total: 2 },
        { progress: 1, total: 2 },
        { progress: 2, total: 2 },
      ]);
      await c.close();
    } finally {
      await o.t.stop();
    }
  });
});

describe('message tools', () => {
  it('list_messages returns a chronological page and continues with the cursor', async () => {
    const p1 = await callOk<{ chatId: string; messages: Msg[]; nextCursor?: string }>(client, 'list_messages', { chat_id: ALICE, limit: 10 });
    expect(p1.chatId).toBe(ALICE);
    expect(p1.messages.map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => `A0${20 + i}`));
    const p2 = await callOk<{ messages: Msg[] }>(client, 'list_messages', { chat_id: '+44 7700 900001', limit: 10, cursor: p1.nextCursor });
    expect(p2.messages.map((m) => m.id)).toEqual(Array.from({ length: 10 }, (_, i) => `A0${String(10 + i).padStart(2, '0')}`));
    const before = await callOk<{ messages: Msg[] }>(client, 'list_messages', { chat_id: ALICE, limit: 2, before: p1.messages[0]!.timestamp });
    expect(before.messages.map((m) => m.id)).toEqual(['A018', 'A019']);
    const beforeIso = await callOk<{ messages: Msg[] }>(client, 'list_messages', { chat_id: ALICE, limit: 2, before: new Date(p1.messages[0]!.timestamp).toISOString() });
    expect(beforeIso.messages.map((m) => m.id)).toEqual(['A018', 'A019']);
    const media = await callOk<{ messages: Msg[] }>(client, 'list_messages', { chat_id: BOB, include_media: true });
    expect(media.messages.find((m) => m.type === 'image')).toMatchObject({ body: '📷 photo (caption: map of the coast)', media: { mimetype: 'image/jpeg', downloaded: false } });
    expect(media.messages.find((m) => m.type !== 'image')?.media).toBeUndefined();
    expect(await callErr(client, 'list_messages', { chat_id: DAVE })).toMatch(/No chat/);
    await callErr(client, 'list_messages', { chat_id: ALICE, limit: 1000 });
    await callErr(client, 'list_messages', { chat_id: ALICE, media_limit: 51 });
  });

  it('search_messages ranks full-text hits with highlighted snippets, by chat, sender and time range', async () => {
    type Hit = { id: string; chatId: string; chatName: string; time: string; fromName?: string; snippet: string; body?: string };
    const all = await callOk<{ hits: Hit[]; truncated: boolean }>(client, 'search_messages', { query: 'lighthouse' });
    expect(all.hits.map((h) => `${h.chatId}:${h.id}`).sort()).toEqual([`${ALICE}:A010`, `${BOB}:B001`].sort());
    expect(all.hits[0]!.snippet).toMatch(/\*\*lighthouse\*\*/i);
    // Names and ISO time in every hit; the snippet is the text, not a second copy beside a body.
    const alice = all.hits.find((h) => h.id === 'A010')!;
    expect(alice).toMatchObject({ chatId: ALICE, chatName: 'Alice Andersen', fromMe: false, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/) });
    expect(alice.body).toBeUndefined();
    expect(all.truncated).toBe(false);
    const inChat = await callOk<{ hits: Hit[] }>(client, 'search_messages', { query: 'lighthouse', chat_id: BOB });
    expect(inChat.hits.map((h) => h.id)).toEqual(['B001']);
    // from = sender by name (resolved like resolve_contact) …
    const byBob = await callOk<{ hits: Hit[] }>(client, 'search_messages', { query: 'lighthouse', from: 'Bob Brown' });
    expect(byBob.hits.map((h) => h.id)).toEqual(['B001']);
    const aliceMsg = (await callOk<{ message: Msg }>(client, 'get_message_by_id', { message_id: `${ALICE}:A010` })).message;
    // … while a number or an ISO date in from keeps its old meaning (lower time bound).
    const ranged = await callOk<{ hits: Hit[] }>(client, 'search_messages', {
      query: 'lighthouse',
      from: aliceMsg.timestamp - 1000,
      to: new Date(aliceMsg.timestamp + 1000).toISOString(),
    });
    expect(ranged.hits.map((h) => h.id)).toEqual(['A010']);
    const iso = await callOk<{ hits: Hit[] }>(client, 'search_messages', { query: 'lighthouse', after: new Date(aliceMsg.timestamp + 1000).toISOString() });
    expect(iso.hits.map((h) => h.id)).toEqual(['B001']);
    expect(await callErr(client, 'search_messages', { query: 'lighthouse', from: 2000, to: 1000 })).toMatch(/time range/);
    expect(await callErr(client, 'search_messages', { query: 'lighthouse', after: 'yesterday-ish' })).toMatch(/not a time/);
    expect(await callErr(client, 'search_messages', { query: 'lighthouse', from: 'Nobody Known' })).toMatch(/No contact matches/);
    await callErr(client, 'search_messages', { query: '' });
    await callErr(client, 'search_messages', { query: 'x', limit: 501 });
  });

  it('search_messages pages with a cursor', async () => {
    type Hit = { id: string };
    const first = await callOk<{ hits: Hit[]; nextCursor?: string }>(client, 'search_messages', { query: 'alice', limit: 10 });
    expect(first.hits).toHaveLength(10);
    const second = await callOk<{ hits: Hit[]; nextCursor?: string }>(client, 'search_messages', { query: 'alice', limit: 10, cursor: first.nextCursor });
    expect(second.hits).toHaveLength(10);
    expect(second.hits.filter((h) => first.hits.some((f) => f.id === h.id))).toEqual([]);
    expect(await callErr(client, 'search_messages', { query: 'other', cursor: first.nextCursor })).toMatch(/cursor/);
  });

  it('get_message_by_id and get_message_context', async () => {
    expect(await callOk(client, 'get_message_by_id', { message_id: `${ALICE}:A010` })).toMatchObject({
      message: { id: 'A010', chatId: ALICE, chatName: 'Alice Andersen', fromMe: false, body: 'Shall we walk to the lighthouse on Saturday?' },
    });
    // The bare id that outputs show is accepted as message_id too.
    expect(await callOk(client, 'get_message_by_id', { message_id: 'A010' })).toMatchObject({ message: { id: 'A010', chatId: ALICE } });
    expect(await callErr(client, 'get_message_by_id', { message_id: `${ALICE}:NOPE` })).toMatch(/No message.*list_messages/);
    const ctx = await callOk<{ chatId: string; chatName: string; before: Msg[]; target: Msg; after: Msg[] }>(client, 'get_message_context', { message_id: `${ALICE}:A010`, limit: 3 });
    expect(ctx).toMatchObject({ chatId: ALICE, chatName: 'Alice Andersen' });
    expect(ctx.before.map((m) => m.id)).toEqual(['A007', 'A008', 'A009']);
    expect(ctx.target.id).toBe('A010');
    expect(ctx.after.map((m) => m.id)).toEqual(['A011', 'A012', 'A013']);
    await callErr(client, 'get_message_context', { message_id: `${ALICE}:A010`, limit: 0 });
    await callErr(client, 'get_message_context', { message_id: 'bad' });
  });

  it('get_last_interaction finds the newest message with a person, also in groups', async () => {
    expect(await callOk(client, 'get_last_interaction', { jid: ALICE_LID })).toMatchObject({
      jid: ALICE,
      name: 'Alice Andersen',
      message: { id: 'G101', chatId: GROUP_BOOK, chatName: 'Book Club', from: ALICE, fromName: 'Alice Andersen', body: 'Next book: Moby Dick' },
    });
    expect(await callOk(client, 'get_last_interaction', { jid: CAROL })).toMatchObject({ message: { id: 'G001', chatId: GROUP_HIKE, fromName: 'Carol C' } });
    expect(await callOk(client, 'get_last_interaction', { jid: DAVE })).toEqual({ jid: DAVE, name: 'Dave Dawson', message: null });
    // A chat whose only message is a protocol stub has no last interaction to show.
    expect(await callOk(client, 'get_last_interaction', { jid: SYSTEM_CHAT })).toMatchObject({ message: null });
    await callErr(client, 'get_last_interaction', { jid: 'xx' });
  });

  it('send_message sends through the gateway and the message is readable at once', async () => {
    const before = gw.sent.length;
    const r = await callOk<{ messageId: string; chatId: string; deduplicated: boolean; idempotencyKey: string | null }>(client, 'send_message', {
      recipient_jid: '+44 7700 900002',
      message: 'See you at the lighthouse',
      quoted_message_id: `${BOB}:B001`,
    });
    expect(r).toMatchObject({ chatId: BOB, deduplicated: false, idempotencyKey: null });
    expect(gw.sent.slice(before)).toEqual([{ jid: BOB, text: 'See you at the lighthouse', quotedMessageId: `${BOB}:B001` }]);
    expect(await callOk(client, 'get_message_by_id', { message_id: r.messageId })).toMatchObject({
      message: { fromMe: true, body: 'See you at the lighthouse', quotedId: 'B001' },
    });
    const snap = snapshot();
    expect(await callErr(client, 'send_message', { recipient_jid: 'nobody', message: 'x' })).toMatch(/not a WhatsApp (id|person or group)/);
    await callErr(client, 'send_message', { recipient_jid: BOB, message: '' });
    expect(await callErr(client, 'send_message', { recipient_jid: BOB, message: 'q', quoted_message_id: `${ALICE}:A001` })).toMatch(/another chat/);
    expect(await callErr(client, 'send_message', { recipient_jid: BOB, message: 'q', quoted_message_id: `${BOB}:NOPE` })).toMatch(/No message/);
    await callErr(client, 'send_message', { recipient_jid: BOB, message: 'x', idempotency_key: '' });
    expect(snapshot()).toEqual(snap);
  });
});

describe('lifecycle tools', () => {
  it('get_qr_code returns a PNG image block and the raw string while awaiting a scan', async () => {
    const engine = scriptedEngine();
    const app = await startMcpApp({ engine: engine.factory });
    try {
      const c = await connectClient(app.url);
      const empty = (await c.callTool({ name: 'get_qr_code', arguments: {} })) as CallToolResult;
      expect(empty.structuredContent).toMatchObject({ qr: null, linked: false });
      expect(String(empty.structuredContent?.message)).toMatch(/No QR code yet/);
      engine.emit({ type: 'ENGINE.QR', qr: '2@abcdefghijklmnop,QRKEY==,IDKEY==,ADV==' });
      await app.app.runtime.waitFor((s) => s.state === 'awaiting-qr', 2_000);
      const r = (await c.callTool({ name: 'get_qr_code', arguments: {} })) as CallToolResult;
      expect(r.structuredContent).toMatchObject({ qr: '2@abcdefghijklmnop,QRKEY==,IDKEY==,ADV==', linked: false, state: 'awaiting-qr' });
      const img = r.content.find((x) => x.type === 'image');
      expect(img && img.type === 'image' ? img.mimeType : null).toBe('image/png');
      expect(img && img.type === 'image' ? Buffer.from(img.data, 'base64').subarray(1, 4).toString() : '').toBe('PNG');
      expect(await callOk(c, 'check_auth_status')).toMatchObject({ state: 'awaiting-qr', qrAvailable: true, ready: false });
      // not open: a send is refused with the state and a next step, and nothing is sent
      expect(await callErr(c, 'send_message', { recipient_jid: BOB, message: 'hello' })).toMatch(/not connected \(state: awaiting-qr\).*get_qr_code/);
      // force_resync needs an open connection
      expect(await callErr(c, 'force_resync')).toMatch(/not possible in state awaiting-qr/);
      await c.close();
    } finally {
      await app.stop();
    }
  });

  it('force_resync and logout send commands to the supervisor (logout once per idempotency key)', async () => {
    const o = await openApp();
    try {
      const c = await connectClient(o.t.url);
      expect(await callOk(c, 'force_resync')).toMatchObject({ accepted: true, state: 'soft-resync' });
      expect(o.engine.commands.some((x) => x.type === 'RESYNC')).toBe(true);
      o.engine.emit({ type: 'ENGINE.RESYNC_DONE' });
      await o.t.app.runtime.waitFor((s) => s.state === 'open', 2_000);
      const out = await callOk(c, 'logout', { idempotency_key: 'logout-1' });
      expect(out).toMatchObject({ accepted: true, deduplicated: false });
      expect(o.engine.commands.filter((x) => x.type === 'LOGOUT')).toHaveLength(1);
      expect(await callOk(c, 'logout', { idempotency_key: 'logout-1' })).toMatchObject({ accepted: true, deduplicated: true });
      expect(o.engine.commands.filter((x) => x.type === 'LOGOUT')).toHaveLength(1);
      expect(o.t.app.runtime.getStatus().state).not.toBe('open');
      await c.close();
    } finally {
      await o.t.stop();
    }
  });
});
