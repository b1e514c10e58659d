/**
 * MCP test helpers: the real app (port 0) with an optional fixed DATA_DIR (restart tests), an official
 * SDK client, a gateway that records sends, and a seeded store built through the store's own API.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LifecycleStatus } from '../../src/runtime/index.js';
import type { Store } from '../../src/store/index.js';
import type { EngineFactory } from '../../src/runtime/engine.js';
import { NotConnectedError, type GroupInfo, type SentMessage, type WhatsAppGateway } from '../../src/whatsapp/gateway.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FAST_ENV, FAST_SOCKET, pair, silenceConsole, startSim } from '../helpers/sim-app.js';
import type { AppOptions } from '../../src/app.js';
import type { Simulator, SimulatorOptions } from '../../src/simulator/index.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';

export const MCP_TOKEN = 'mcp-secret-token';

export type McpTestApp = TestApp;

/** The real app (port 0); a scripted engine unless `simulator` (the real Baileys backend, WA_SIMULATOR=1). */
export async function startMcpApp(
  opts: { env?: Record<string, string>; engine?: EngineFactory; gateway?: WhatsAppGateway; dataDir?: string; simulator?: boolean } = {},
): Promise<McpTestApp> {
  return startTestApp(opts.env, opts.simulator ? {} : { engine: opts.engine ?? scriptedEngine().factory, gateway: opts.gateway }, opts.dataDir);
}

export async function connectClient(url: string, name = 'mcp-test'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } },
  });
  await client.connect(transport);
  // The server does not re-check its own results against the output schemas (MCP_VALIDATE_TOOL_OUTPUT);
  // the SDK client does, for tools it has listed: list them so every call in the tests is checked.
  await client.listTools();
  return client;
}

/** Tables of a tool's text block back into lists of objects (a cell without a value comes back as null). */
export function untabulate(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(untabulate);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if (Array.isArray(o.columns) && Array.isArray(o.rows) && Object.keys(o).length === 2) {
    const cols = o.columns as string[];
    return (o.rows as unknown[][]).map((row) => Object.fromEntries(cols.map((c, i) => [c, untabulate(row[i])])));
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, untabulate(x)]));
}

/** Drops null and undefined properties at every depth (a table cannot tell a null field from a missing one). */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => [k, withoutNulls(x)]));
}

/** Calls a tool and asserts success; returns its structured content. */
export async function callOk<T = Record<string, unknown>>(client: Client, name: string, args: Record<string, unknown> = {}): Promise<T> {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
  expect(r.structuredContent).toBeDefined();
  const text = r.content.find((c) => c.type === 'text');
  // The text block carries the same data, with lists written as tables (src/mcp/tools/table-text.ts).
  expect(text && text.type === 'text' ? withoutNulls(untabulate(JSON.parse(text.text))) : undefined).toEqual(withoutNulls(r.structuredContent));
  return r.structuredContent as T;
}

/** Calls a tool and asserts an isError result; returns its text. */
export async function callErr(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(r.isError, `${name} should fail but returned ${JSON.stringify(r.structuredContent)}`).toBe(true);
  const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  expect(text).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/); // never a stack trace
  return text;
}

export interface RecordingGateway extends WhatsAppGateway {
  sent: Array<{ jid: string; text: string; quotedMessageId?: string }>;
  groups: Map<string, GroupInfo>;
  pics: Map<string, string>;
  /** Make sendText wait on this promise before answering (concurrency tests). */
  gate: Promise<void> | null;
  /** Make groupMetadata wait on this promise before answering (progress tests). */
  metaGate: Promise<void> | null;
  connected: boolean;
  /**
   * Where the stand-in writes what it "sent" or "fetched", as the Baileys adapter (the only writer of
   * socket data) does; `openApp` points it at the app's store and MCP notifications.
   */
  sink: { store: Store; notify: (chatIds: string[]) => void } | null;
}

/** A gateway standing in for the WhatsApp socket: records sends, answers metadata from maps. */
export function recordingGateway(): RecordingGateway {
  let n = 0;
  const g: RecordingGateway = {
    sent: [],
    groups: new Map(),
    pics: new Map(),
    gate: null,
    metaGate: null,
    connected: true,
    sink: null,
    isConnected: () => g.connected,
    async sendText(jid, text, opts) {
      if (!g.connected) throw new NotConnectedError();
      g.sent.push({ jid, text, ...(opts?.quotedMessageId ? { quotedMessageId: opts.quotedMessageId } : {}) });
      if (g.gate) await g.gate;
      n++;
      const keyId = `SENT${String(n).padStart(4, '0')}${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
      const sent: SentMessage = { id: `${jid}:${keyId}`, chatId: jid, keyId, timestamp: Date.now() };
      g.sink?.store.messages.upsertMessages([
        { chatId: jid, keyId, fromMe: true, timestamp: sent.timestamp, type: 'text', body: text, status: 'pending', quotedId: opts?.quotedMessageId ?? null },
      ]);
      g.sink?.notify([jid]);
      return sent;
    },
    sendMedia: () => Promise.reject(new Error('not used')),
    downloadMedia: () => Promise.reject(new Error('not used')),
    async groupMetadata(jid) {
      if (!g.connected) throw new NotConnectedError();
      if (g.metaGate) await g.metaGate;
      const info = g.groups.get(jid);
      if (!info) throw new Error(`item-not-found ${jid}`);
      g.sink?.store.groups.upsertGroups([
        {
          id: info.id,
          subject: info.subject,
          description: info.description ?? null,
          owner: info.owner ?? null,
          createdAt: info.creation ?? null,
          participants: info.participants.map((p) => ({ id: p.jid, role: p.admin ?? 'member', phoneJid: p.phoneJid ?? null, lid: p.lid ?? null })),
        },
      ]);
      return info;
    },
    async profilePictureUrl(jid) {
      if (!g.connected) throw new NotConnectedError();
      return g.pics.get(jid) ?? null;
    },
    onWhatsApp: (phones) => Promise.resolve(phones.map((phone) => ({ phone, exists: true, jid: `${phone}@s.whatsapp.net` }))),
    sendAction: () => Promise.reject(new Error('not used')),
    sendPresence: () => Promise.reject(new Error('not used')),
    createGroup: () => Promise.reject(new Error('not used')),
    updateGroupParticipants: () => Promise.reject(new Error('not used')),
    updateGroupSettings: () => Promise.reject(new Error('not used')),
    groupInviteCode: () => Promise.reject(new Error('not used')),
    joinGroup: () => Promise.reject(new Error('not used')),
    leaveGroup: () => Promise.reject(new Error('not used')),
    modifyChat: () => Promise.reject(new Error('not used')),
    setBlocked: () => Promise.reject(new Error('not used')),
  };
  return g;
}

// ---- seeded data -------------------------------------------------------------------------------

export const ME = '447700900000@s.whatsapp.net';
export const ALICE = '447700900001@s.whatsapp.net';
export const ALICE_LID = '111111111111111@lid';
export const BOB = '447700900002@s.whatsapp.net';
export const CAROL = '447700900003@s.whatsapp.net';
export const DAVE = '447700900004@s.whatsapp.net';
export const ERIN = '447700900005@s.whatsapp.net';
export const GROUP_HIKE = '120363000000000001@g.us';
export const GROUP_BOOK = '120363000000000002@g.us';
export const SYSTEM_CHAT = '447700900009@s.whatsapp.net';

export const T0 = Date.UTC(2025, 0, 10, 9, 0, 0);

/** Seeds contacts, chats, groups (with members) and messages through the store API. */
export function seed(store: Store) {
  store.contacts.upsertContacts([
    { id: ALICE, lid: ALICE_LID, name: 'Alice Andersen', pushname: 'Ali' },
    { id: BOB, name: 'Bob Brown', pushname: 'Bobby' },
    { id: CAROL, pushname: 'Carol C' }, // not in the address book
    { id: DAVE, name: 'Dave Dawson' },
    { id: ERIN, pushname: 'Erin' }, // not in the address book, no direct chat
  ]);
  store.chats.upsertChats([
    { id: ALICE, unreadCount: 2 },
    { id: BOB },
    { id: CAROL },
    { id: SYSTEM_CHAT, name: 'Security notices' },
  ]);
  store.groups.upsertGroups([
    {
      id: GROUP_HIKE,
      subject: 'Weekend Hikers',
      owner: ALICE,
      participants: [{ id: ME, role: 'admin' }, { id: ALICE, role: 'superadmin' }, { id: BOB }, { id: CAROL }, { id: ERIN }],
    },
    {
      id: GROUP_BOOK,
      subject: 'Book Club',
      participants: [{ id: ME }, { id: ALICE }, { id: CAROL }, { id: DAVE }, { id: ERIN }],
    },
  ]);
  const msgs = [];
  // Alice: 30 messages, alternating, one per minute; one mentions "lighthouse".
  for (let i = 0; i < 30; i++) {
    msgs.push({
      chatId: ALICE,
      keyId: `A${String(i).padStart(3, '0')}`,
      fromMe: i % 2 === 1,
      timestamp: T0 + i * 60_000,
      type: 'text',
      body: i === 10 ? 'Shall we walk to the lighthouse on Saturday?' : `alice chat message number ${i}`,
    });
  }
  msgs.push({ chatId: BOB, keyId: 'B001', fromMe: false, timestamp: T0 + 40 * 60_000, type: 'text', body: 'The lighthouse tour is booked' });
  msgs.push({ chatId: BOB, keyId: 'B002', fromMe: true, timestamp: T0 + 41 * 60_000, type: 'image', caption: 'map of the coast', hasMedia: true, mediaMime: 'image/jpeg' });
  msgs.push({ chatId: GROUP_HIKE, keyId: 'G001', from: CAROL, fromMe: false, timestamp: T0 + 50 * 60_000, type: 'text', body: 'Boots ready for the hike' });
  msgs.push({ chatId: GROUP_BOOK, keyId: 'G101', from: ALICE, fromMe: false, timestamp: T0 + 55 * 60_000, type: 'text', body: 'Next book: Moby Dick' });
  msgs.push({ chatId: SYSTEM_CHAT, keyId: 'S001', fromMe: false, timestamp: T0 + 20 * 60_000, type: 'protocol', body: '' });
  store.messages.upsertMessages(msgs);
  return { aliceMessages: 30 };
}

/** Opens a scripted engine and a recording gateway and drives the lifecycle to `open`. */
export async function openApp(opts: { env?: Record<string, string>; dataDir?: string; gateway?: RecordingGateway } = {}) {
  const engine = scriptedEngine();
  const gateway = opts.gateway ?? recordingGateway();
  const t = await startMcpApp({ env: opts.env, engine: engine.factory, gateway, dataDir: opts.dataDir });
  gateway.sink = { store: t.app.store, notify: (ids) => t.app.mcp.notifyNewMessages(ids) };
  engine.emit({ type: 'ENGINE.OPEN', me: { id: ME, name: 'Me' } });
  await t.app.runtime.waitFor((s: LifecycleStatus) => s.state === 'open', 2_000);
  return { t, engine, gateway };
}

/** The 29 seed tools of SPEC §3: later issues only add tools, so every session must still list these. */
export const SEED_TOOLS = [
  'analyze_group_overlaps', 'check_auth_status', 'download_media', 'find_members_not_in_contacts', 'find_members_without_direct_chat',
  'force_resync', 'get_chat_by_contact', 'get_chat_by_id', 'get_contact_by_id', 'get_direct_chat_by_contact_number', 'get_group_info',
  'get_last_interaction', 'get_message_by_id', 'get_message_context', 'get_profile_pic', 'get_qr_code', 'list_chats', 'list_groups',
  'list_messages', 'list_system_chats', 'logout', 'ping', 'resolve_contact', 'run_group_audit', 'search_contacts', 'search_messages',
  'send_media', 'send_message', 'stage_media',
] as const;

/**
 * A suite on the real Baileys backend and the built-in simulator (WA_SIMULATOR=1): the app linked and open,
 * its simulator, an SDK client connected; stopped after the suite. Read `ctx.t` / `ctx.sim` / `ctx.client`
 * inside tests (libsignal's console chatter is silenced).
 */
export function simulatorSuite(): { t: McpTestApp; sim: Simulator; client: Client } {
  const ctx = {} as { t: McpTestApp; sim: Simulator; client: Client };
  beforeAll(async () => {
    silenceConsole();
    ctx.t = await startMcpApp({ simulator: true, env: { WA_SIMULATOR: '1' } });
    await ctx.t.app.runtime.waitFor((s) => s.state === 'open', 25_000);
    const sim = ctx.t.app.simulator;
    if (!sim) throw new Error('WA_SIMULATOR=1 started no simulator');
    ctx.sim = sim;
    ctx.client = await connectClient(ctx.t.url);
  }, 40_000);
  afterAll(async () => {
    await ctx.client?.close();
    await ctx.t?.stop();
  });
  return ctx;
}

/**
 * A suite on a small simulator the test starts itself (two contacts, one history chat with one message,
 * unless `sim` says otherwise): the app paired through a QR scan, an SDK client connected; all stopped after
 * the suite. A later `beforeAll` of the file can seed deliveries through `ctx.sim`.
 */
export function smallSimulatorSuite(sim: SimulatorOptions = {}, opts: { env?: Record<string, string>; app?: AppOptions } = {}): { t: TestApp; sim: Simulator; client: Client } {
  const ctx = {} as { t: TestApp; sim: Simulator; client: Client };
  beforeAll(async () => {
    silenceConsole();
    ctx.sim = await startSim({ contacts: 2, history: { chats: 1, messagesPerChat: 1 }, ...sim });
    ctx.t = await startTestApp({ ...FAST_ENV, ...opts.env }, { simulator: ctx.sim, socketConfig: FAST_SOCKET, ...opts.app });
    await pair(ctx.t, ctx.sim);
    ctx.client = await connectClient(ctx.t.url);
  }, 40_000);
  afterAll(async () => {
    await ctx.client?.close();
    await ctx.t?.stop();
    await ctx.sim?.stop();
  });
  return ctx;
}
