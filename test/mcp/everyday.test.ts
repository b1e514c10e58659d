/**
 * Issue #13 "done when": seven everyday tasks of an agent, through the official SDK client against the
 * real Baileys backend and the simulator, each answered within the stated number of tool calls.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/simulator/index.js';
import { eventually, type TestApp } from '../helpers/app.js';
import { pair, silenceConsole, startSim, startSimApp } from '../helpers/sim-app.js';
import { connectClient } from './helpers.js';

let sim: Simulator;
let t: TestApp;
let client: Client;
let calls = 0;

/** One counted tool call; fails on isError. */
async function call<T = Record<string, unknown>>(name: string, args: Record<string, unknown> = {}): Promise<{ data: T; result: CallToolResult }> {
  calls++;
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content)}`);
  return { data: result.structuredContent as T, result };
}

/** Runs one task and checks it took at most `max` calls. */
async function task(max: number, body: () => Promise<void>): Promise<void> {
  calls = 0;
  await body();
  expect(calls).toBeLessThanOrEqual(max);
}

const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(n - 4)]);

beforeAll(async () => {
  silenceConsole();
  sim = await startSim({ contacts: 3, groups: 1, history: { chats: 2, messagesPerChat: 2 } });
  t = await startSimApp(sim);
  await pair(t, sim);
  client = await connectClient(t.url);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await t?.stop();
  await sim?.stop();
});

type Row = { id: string; body: string; fromName?: string; type?: string; time: string };
type ChatGroup = { chatId: string; chatName: string; messages: Row[] };

describe('everyday tasks', () => {
  it('am I connected, else give me the QR: 1 call when connected', async () => {
    await task(1, async () => {
      const { data } = await call<{ ready: boolean; me: { id: string } | null }>('check_auth_status');
      expect(data.ready).toBe(true);
    });
  });

  it('who messaged me last, and what did they say: 1 call, even when my own reply is the newest activity', async () => {
    const [alice, bob] = sim.contacts;
    await sim.deliverText({ from: alice!.jid, text: 'are we still on for tonight?' });
    await sim.deliverText({ from: bob!.jid, text: 'the ferry leaves at noon' });
    await eventually(() => t.app.store.chats.get(bob!.jid)?.lastMessage?.body === 'the ferry leaves at noon', 10_000);
    // My reply to Alice is now the newest activity overall.
    await call('send_message', { recipient_jid: alice!.jid, message: 'yes, 8pm' });
    await task(1, async () => {
      const { data } = await call<{ chats: ChatGroup[] }>('catch_up', { since: '2000-01-01', max_chats: 1, limit_per_chat: 1 });
      expect(data.chats).toHaveLength(1);
      expect(data.chats[0]).toMatchObject({ chatId: bob!.jid, chatName: bob!.name });
      expect(data.chats[0]!.messages[0]).toMatchObject({ body: 'the ferry leaves at noon', time: expect.stringMatching(/^\d{4}-/) });
    });
  });

  it('what did I miss: 1 call', async () => {
    const [alice, bob] = sim.contacts;
    await task(1, async () => {
      const { data } = await call<{ summary: string; chats: ChatGroup[] }>('catch_up');
      const names = data.chats.map((c) => c.chatName);
      expect(names).toEqual(expect.arrayContaining([alice!.name, bob!.name]));
      expect(data.summary).toMatch(/new message/);
    });
  });

  let quoted: { chatId: string; id: string } | undefined;
  it('what did Bob say about the ferry, without knowing his JID: at most 2 calls (1 here)', async () => {
    const bob = sim.contacts[1]!;
    await task(2, async () => {
      const { data } = await call<{ hits: Array<{ id: string; chatId: string; chatName: string; snippet: string }> }>('search_messages', { query: 'ferry', from: bob.name });
      expect(data.hits).toHaveLength(1);
      expect(data.hits[0]).toMatchObject({ chatId: bob.jid, chatName: bob.name, snippet: 'the **ferry** leaves at noon' });
      quoted = data.hits[0];
    });
  });

  it('reply to that, quoting it: 1 call', async () => {
    const bob = sim.contacts[1]!;
    const before = sim.sent.length;
    await task(1, async () => {
      await call('send_message', { recipient_jid: quoted!.chatId, message: 'see you at the pier', quoted_message_id: quoted!.id });
    });
    const sent = await eventually(() => sim.sent.slice(before).find((s) => s.text === 'see you at the pier'), 10_000);
    expect(sent?.recipient.startsWith(bob.number)).toBe(true);
    expect(JSON.stringify(sent?.message)).toContain(quoted!.id); // the quote's stanza id is what WhatsApp sees
  });

  it('send this photo to Bob: 2 calls (resolve the name, send)', async () => {
    const bob = sim.contacts[1]!;
    const photo = jpeg(5_000);
    const before = sim.sent.length;
    await task(2, async () => {
      const { data } = await call<{ matches: Array<{ id: string }> }>('resolve_contact', { query: bob.name });
      expect(data.matches[0]?.id).toBe(bob.jid);
      await call('send_media', { recipient_jid: data.matches[0]!.id, media_content: photo.toString('base64'), mime_type: 'image/jpeg', caption: 'the view' });
    });
    const got = await eventually(() => sim.sent.slice(before).find((s) => s.media?.kind === 'image' && s.recipient.startsWith(bob.number)), 15_000);
    expect(got?.media?.data.equals(photo)).toBe(true);
  });

  it('download the photo Alice sent: 2 calls (find it in her chat by name, download)', async () => {
    const alice = sim.contacts[0]!;
    const photo = jpeg(8_000);
    const { id } = await sim.deliverMedia({ from: alice.jid, kind: 'image', data: photo, mimetype: 'image/jpeg', caption: 'sunset' });
    await eventually(() => t.app.store.messages.get(`${alice.jid}:${id}`), 10_000);
    await task(2, async () => {
      const { data } = await call<{ messages: Row[] }>('list_messages', { chat_id: alice.name, only_incoming: true, limit: 5 });
      const img = data.messages.filter((m) => m.type === 'image').at(-1)!;
      expect(img.body).toBe('📷 photo (caption: sunset)');
      const { result } = await call('download_media', { message_id: img.id, include_full_data: true });
      const block = result.content.find((c) => c.type === 'image');
      expect(block && block.type === 'image' && Buffer.from(block.data, 'base64').equals(photo)).toBe(true);
    });
  });

  it('which members of group X are not in my contacts: 1 call', async () => {
    const group = sim.groups[0]!;
    await eventually(() => t.app.store.groups.get(group.jid), 10_000);
    await task(1, async () => {
      const { data } = await call<{ summary: { groupsAnalyzed: number }; members: Array<{ id: string; isMyContact: boolean }> }>('find_members_not_in_contacts', {
        group_jid: group.subject,
      });
      expect(data.summary.groupsAnalyzed).toBe(1);
      // Carol is a member we never exchanged a contact card with.
      expect(data.members.map((m) => m.id)).toContain(sim.contacts[2]!.jid);
      for (const m of data.members) expect(m.isMyContact).toBe(false);
    });
  });

  it('get_media: a large photo comes back downscaled as an image block, the original through resources/read', async () => {
    const alice = sim.contacts[0]!;
    // Noise does not compress: a 1200×1200 JPEG of it is well over the 64 KB cap used here.
    const raw = randomBytes(1200 * 1200 * 3);
    const photo = await sharp(raw, { raw: { width: 1200, height: 1200, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    const { id } = await sim.deliverMedia({ from: alice.jid, kind: 'image', data: photo, mimetype: 'image/jpeg' });
    await eventually(() => t.app.store.messages.get(`${alice.jid}:${id}`), 10_000);
    const { data, result } = await call<{ delivery: string; uri: string; size: number; width: number }>('get_media', { message_id: id, max_bytes: 64 * 1024 });
    expect(data).toMatchObject({ delivery: 'downscaled', size: photo.length });
    expect(data.width).toBeLessThan(1200);
    const img = result.content.find((c) => c.type === 'image');
    expect(img && img.type === 'image' && Buffer.from(img.data, 'base64').length <= 64 * 1024).toBe(true);
    expect(result.content.some((c) => c.type === 'resource_link' && c.uri === data.uri)).toBe(true);
    expect(JSON.stringify(data)).not.toMatch(/[A-Za-z0-9+/]{200,}/); // no base64 inside the JSON
    const read = await client.readResource({ uri: data.uri });
    const blob = read.contents[0] && 'blob' in read.contents[0] ? read.contents[0].blob : '';
    expect(Buffer.from(blob, 'base64').equals(photo)).toBe(true);
  });
});
