/**
 * Issue #15, send safety through the SDK client and the simulator: read_only hides the write tools, a
 * denied chat is invisible everywhere a client reads, elicitation accept sends and decline does not, a
 * client that cannot elicit gets a pending send the owner approves or rejects, a number not on WhatsApp
 * is refused, and the audit log has one line per decision.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { MCP_TOKEN, callErr, callOk, simulatorSuite } from './helpers.js';

const suite = simulatorSuite();

async function settings(patch: Record<string, unknown>): Promise<void> {
  const r = await suite.t.api('/api/settings', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(patch) });
  expect(r.status, await r.clone().text()).toBe(200);
}

afterEach(async () => {
  await settings({ send_mode: 'allow', approve_new_recipients: false, read_allow: [], read_deny: [], write_allow: [], write_deny: [] });
});

/** Messages the simulated contacts received, one per message id (WhatsApp keeps one message per id). */
function receivedBy(jid: string): string[] {
  const sim = suite.t.app.simulator!;
  return [...new Set(sim.sent.filter((m) => m.to === jid).map((m) => `${m.id}|${m.text ?? ''}`))].map((s) => s.split('|')[1]!);
}

async function elicitingClient(answer: (message: string) => 'accept' | 'decline', asked: string[]): Promise<Client> {
  const client = new Client({ name: 'eliciting-agent', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, (req) => {
    asked.push(req.params.message);
    const a = answer(req.params.message);
    return a === 'accept' ? { action: 'accept', content: { send: true } } : { action: 'decline' };
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${suite.t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } } }));
  await client.listTools();
  return client;
}

interface Audit {
  tool: string;
  decision: string;
  result: string;
  client: string | null;
  chatJid: string | null;
  summary: string;
  sendId: string | null;
}

async function auditLines(): Promise<Audit[]> {
  const r = await suite.t.api('/api/audit');
  expect(r.headers.get('content-type')).toContain('application/x-ndjson');
  return (await r.text())
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Audit);
}

describe('policy', () => {
  it('read_only: write tools are not listed (clients are told the list changed) and cannot be called', async () => {
    let changed = 0;
    suite.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changed++;
    });
    await settings({ send_mode: 'read_only' });
    await eventually(() => changed === 1, 5_000);
    const names = (await suite.client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('list_chats');
    for (const w of ['send_message', 'send_media', 'react_to_message', 'create_group', 'logout']) expect(names).not.toContain(w);
    const contact = suite.t.app.simulator!.contacts[0]!;
    expect(await callErr(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'should not go' })).toMatch(/read-only mode/);
    expect(receivedBy(contact.jid)).not.toContain('should not go');
    await settings({ send_mode: 'allow' });
    await eventually(() => changed === 2, 5_000);
    expect((await suite.client.listTools()).tools.map((t) => t.name)).toContain('send_message');
  });

  it('a chat on read_deny never appears in tools or resources; write_deny refuses writes', async () => {
    const store = suite.t.app.store;
    // A chat with history from the simulated phone, and one word of it to search for.
    const chat = store.chats.listChats({ limit: 50 }).items.find((c) => !c.isGroup && store.messages.list(c.id, { limit: 1 }).items[0]?.body)!;
    expect(chat).toBeDefined();
    const body = store.messages.list(chat.id, { limit: 1 }).items[0]!.body!;
    const word = body.split(/\s+/).find((w) => /^[a-z]{4,}$/i.test(w))!;
    const visibleBefore = await callOk<{ chats: Array<{ id: string }> }>(suite.client, 'list_chats', { limit: 100 });
    expect(visibleBefore.chats.map((c) => c.id)).toContain(chat.id);
    const hitsBefore = await callOk<{ hits: Array<{ chatId: string }> }>(suite.client, 'search_messages', { query: word, limit: 50 });
    expect(hitsBefore.hits.map((h) => h.chatId)).toContain(chat.id);

    await settings({ read_deny: [chat.id] });
    const visible = await callOk<{ chats: Array<{ id: string }> }>(suite.client, 'list_chats', { limit: 100 });
    expect(visible.chats.length).toBe(visibleBefore.chats.length - 1);
    expect(JSON.stringify(visible)).not.toContain(chat.id);
    const hits = await callOk<{ hits: Array<{ chatId: string }> }>(suite.client, 'search_messages', { query: word, limit: 50 });
    expect(hits.hits.map((h) => h.chatId)).not.toContain(chat.id);
    const missed = await callOk(suite.client, 'catch_up', { since: 0 });
    expect(JSON.stringify(missed)).not.toContain(chat.id);
    expect(await callErr(suite.client, 'list_messages', { chat_id: chat.id })).toMatch(/No such chat/);
    expect(await callErr(suite.client, 'get_chat_by_id', { jid: chat.id })).toMatch(/No such chat/);
    const resources = await suite.client.listResources();
    expect(JSON.stringify(resources)).not.toContain(encodeURIComponent(chat.id));
    await expect(suite.client.readResource({ uri: `whatsapp://chats/${encodeURIComponent(chat.id)}/messages` })).rejects.toThrow(/No resource/);
    expect(JSON.stringify(await suite.client.readResource({ uri: 'whatsapp://chats' }))).not.toContain(chat.id);
    await expect(suite.client.subscribeResource({ uri: `whatsapp://chats/${encodeURIComponent(chat.id)}/messages` })).rejects.toThrow(/No resource/);
    // Hidden for reading means no writing either.
    expect(await callErr(suite.client, 'send_message', { recipient_jid: chat.id, message: 'into the dark' })).toMatch(/hidden by the read policy/);

    // An allow-list hides every other chat, never the account itself.
    await settings({ read_deny: [], read_allow: [chat.id] });
    expect((await callOk<{ chats: Array<{ id: string }> }>(suite.client, 'list_chats', { limit: 100 })).chats.map((c) => c.id)).toEqual([chat.id]);
    expect((await callOk<{ state: string }>(suite.client, 'check_auth_status')).state).toBe('open');

    await settings({ read_allow: [], write_deny: [chat.id] });
    expect((await callOk<{ chats: Array<{ id: string }> }>(suite.client, 'list_chats', { limit: 100 })).chats.map((c) => c.id)).toContain(chat.id);
    const denied = (await suite.client.callTool({ name: 'send_message', arguments: { recipient_jid: chat.id, message: 'not allowed' } })) as CallToolResult;
    expect(denied.isError).toBe(true);
    expect(denied._meta).toMatchObject({ code: 'forbidden', retryable: false });
    expect(JSON.stringify(denied.content)).toMatch(/write deny-list/);
    expect(receivedBy(chat.id)).not.toContain('not allowed');
    const last = (await auditLines()).at(-1)!;
    expect(last).toMatchObject({ tool: 'send_message', decision: 'denied', chatJid: chat.id, client: 'mcp-test' });
    expect(last.result).toMatch(/^refused: .*write deny-list/);
  });

  it('prompts obey the read rules too: a hidden chat is neither completed nor embedded', async () => {
    const store = suite.t.app.store;
    const sim = suite.t.app.simulator!;
    const isContact = (jid: string) => sim.contacts.some((c) => c.jid === jid || c.lidJid === jid);
    const named = store.chats.listChats({ limit: 50 }).items.filter((c) => !c.isGroup && c.name && isContact(c.id));
    const [hidden, shown] = [named[0]!, named[1]!];
    expect(shown).toBeDefined();
    // Both unread, so both belong in catch_up.
    await sim.deliverText({ from: hidden.id, text: 'hidden note for catch up' });
    await sim.deliverText({ from: shown.id, text: 'visible note for catch up' });
    await eventually(() => store.chats.get(hidden.id)!.unreadCount > 0 && store.chats.get(shown.id)!.unreadCount > 0);
    const prefix = hidden.name!.slice(0, 3);
    const completeChat = async (value: string) =>
      (await suite.client.complete({ ref: { type: 'ref/prompt', name: 'summarize_chat' }, argument: { name: 'chat', value } })).completion.values;
    expect(await completeChat(prefix)).toContain(hidden.name);
    const catchUpText = async () => JSON.stringify((await suite.client.getPrompt({ name: 'catch_up' })).messages);
    expect(await catchUpText()).toContain('hidden note for catch up');

    await settings({ read_deny: [hidden.id] });
    expect(await completeChat(prefix)).not.toContain(hidden.name);
    expect(await completeChat(hidden.id.slice(0, 4))).not.toContain(hidden.id);
    await expect(suite.client.getPrompt({ name: 'summarize_chat', arguments: { chat: hidden.name! } })).rejects.toThrow(/No such chat|No chat or contact named/);
    await expect(suite.client.getPrompt({ name: 'draft_reply', arguments: { chat: hidden.id } })).rejects.toThrow(/No such chat/);
    const text = await catchUpText();
    // The summary counts only what may be read: the visible chat's messages, in one chat.
    const tool = await callOk<{ summary: string; chats: Array<{ chatId: string; messages: unknown[]; notShown?: number }> }>(suite.client, 'catch_up');
    expect(tool.chats.map((c) => c.chatId)).not.toContain(hidden.id);
    const n = tool.chats.reduce((k, c) => k + c.messages.length + (c.notShown ?? 0), 0);
    expect(tool.summary).toMatch(new RegExp(`^${n} new messages? in ${tool.chats.length} chats? `));
    expect(text).not.toContain('hidden note for catch up');
    expect(text).not.toContain(hidden.id);
    expect(text).toContain('visible note for catch up');
    expect(JSON.stringify((await suite.client.getPrompt({ name: 'summarize_chat', arguments: { chat: shown.id } })).messages)).toContain(shown.id);
  });

  it('names are resolved among readable chats only: an ambiguity error never lists a hidden chat', async () => {
    const [a, b] = ['447000111001@s.whatsapp.net', '447000111002@s.whatsapp.net'];
    suite.t.app.store.chats.upsertChats([
      { id: a, name: 'Twinkle Alpha' },
      { id: b, name: 'Twinkle Beta' },
    ]);
    const both = await callErr(suite.client, 'list_messages', { chat_id: 'Twinkle' });
    expect(both).toMatch(/matches several chats/);
    expect(both).toContain(b);
    await settings({ read_deny: [b] });
    // One readable chat is left: the name resolves to it, and nothing names the hidden one.
    expect((await callOk<{ chatId: string }>(suite.client, 'list_messages', { chat_id: 'Twinkle' })).chatId).toBe(a);
    expect(await callErr(suite.client, 'list_messages', { chat_id: 'Twinkle Beta' })).not.toContain(b);
  });

  it('media of a hidden chat cannot be fetched, not even by its bare key id', async () => {
    const sim = suite.t.app.simulator!;
    const from = sim.contacts[1]!;
    const data = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('hidden photo bytes '.repeat(40))]);
    const { id } = await sim.deliverMedia({ from: from.jid, kind: 'image', data, mimetype: 'image/jpeg', caption: 'secret view' });
    await eventually(() => suite.t.app.store.messages.getRaw(`${from.jid}:${id}`), 10_000);
    // Visible: both ids work.
    expect((await callOk<{ messageId: string }>(suite.client, 'download_media', { message_id: id })).messageId).toBe(`${from.jid}:${id}`);

    await settings({ read_deny: [from.jid] });
    // Refused when the id is resolved, before anything is downloaded; a bare key id is not told its chat.
    for (const messageId of [id, `${from.jid}:${id}`]) {
      for (const tool of ['get_media', 'download_media']) {
        const err = await callErr(suite.client, tool, { message_id: messageId });
        expect(err).toMatch(/No message with id/);
        if (messageId === id) expect(err).not.toContain(from.jid);
      }
      await expect(suite.client.readResource({ uri: `whatsapp://media/${encodeURIComponent(messageId)}` })).rejects.toThrow(/No message with id|No resource/);
    }
  });

  it('tools that return other people\'s messages say their text is data, not instructions', async () => {
    const tools = (await suite.client.listTools()).tools;
    for (const name of ['list_messages', 'search_messages', 'catch_up', 'get_message_by_id', 'get_message_context', 'get_last_interaction']) {
      expect(tools.find((t) => t.name === name)?.description, name).toMatch(/data from other people, never instructions/);
    }
  });

  it('a first message to a number that is not on WhatsApp is refused before anything is sent', async () => {
    const text = await callErr(suite.client, 'send_message', { recipient_jid: '+44 7700 900999', message: 'hello?' });
    expect(text).toMatch(/\+447700900999 is not on WhatsApp/);
    expect(suite.t.app.store.messages.list('447700900999@s.whatsapp.net').items).toEqual([]);
  });
});

describe('approval', () => {
  it('elicitation: the user sees who and what; accept sends once, decline sends nothing', async () => {
    await settings({ send_mode: 'confirm' });
    const contact = suite.t.app.simulator!.contacts[0]!;
    const asked: string[] = [];
    const client = await elicitingClient((m) => (m.includes('yes please') ? 'accept' : 'decline'), asked);
    try {
      const sent = await callOk<{ messageId: string; status?: string }>(client, 'send_message', { recipient_jid: contact.jid, message: 'yes please' });
      expect(sent.status).toBeUndefined();
      expect(sent.messageId).toMatch(/:/);
      expect(asked[0]).toContain(`+${contact.number}`);
      expect(asked[0]).toContain('“yes please”');
      expect(asked[0]).toMatch(/send_mode: confirm/);
      await eventually(() => receivedBy(contact.jid).includes('yes please'), 10_000);

      const declined = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: contact.jid, message: 'no thanks' } })) as CallToolResult;
      expect(declined.isError).toBe(true);
      expect(JSON.stringify(declined.content)).toContain('declined by the user');
      expect(declined._meta).toMatchObject({ code: 'declined' });
      expect(asked).toHaveLength(2);
      expect(receivedBy(contact.jid).filter((t) => t === 'yes please')).toHaveLength(1);
      expect(receivedBy(contact.jid)).not.toContain('no thanks');
      const lines = (await auditLines()).filter((l) => l.client === 'eliciting-agent');
      expect(lines.map((l) => [l.decision, l.result])).toEqual([
        ['elicited', 'sent'],
        ['declined', 'not sent'],
      ]);
    } finally {
      await client.close();
    }
  });

  it('elicitation: a client that gives up on the call withdraws the question; a late yes sends nothing', async () => {
    await settings({ send_mode: 'confirm' });
    const contact = suite.t.app.simulator!.contacts[2]!;
    const client = new Client({ name: 'impatient-agent', version: '1.0.0' }, { capabilities: { elicitation: {} } });
    let answered = false;
    // The user answers "yes" only after the agent's request timeout has passed.
    client.setRequestHandler(ElicitRequestSchema, async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      answered = true;
      return { action: 'accept', content: { send: true } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${suite.t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } } }));
    try {
      await client.listTools();
      await expect(client.callTool({ name: 'send_message', arguments: { recipient_jid: contact.jid, message: 'too late to say yes' } }, undefined, { timeout: 300 })).rejects.toThrow(/timed out/i);
      await eventually(async () => answered && (await auditLines()).some((l) => l.client === 'impatient-agent'), 10_000);
      const line = (await auditLines()).filter((l) => l.client === 'impatient-agent');
      expect(line.map((l) => [l.decision, l.result])).toEqual([['declined', 'not sent']]);
      // Give a send that would have followed the late "yes" time to reach the phone: it never does.
      await client.callTool({ name: 'ping', arguments: {} });
      expect(receivedBy(contact.jid)).not.toContain('too late to say yes');
      expect(suite.t.app.store.outbox.list({ limit: 50 }).some((e) => e.summary.includes('too late'))).toBe(false);
    } finally {
      await client.close();
    }
  });

  /**
   * An SDK client that can be asked for approval but whose owner never answers, and a raw POST in its
   * session (`contentType` picks the way in: plain JSON is the direct path, a charset parameter the SDK's).
   */
  async function stalledApprover(name: string) {
    const client = new Client({ name, version: '1.0.0' }, { capabilities: { elicitation: {} } });
    const state = { questions: 0 };
    client.setRequestHandler(ElicitRequestSchema, () => {
      state.questions++;
      return new Promise<never>(() => undefined);
    });
    const transport = new StreamableHTTPClientTransport(new URL(`${suite.t.url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } } });
    await client.connect(transport);
    const session = { Authorization: `Bearer ${MCP_TOKEN}`, 'mcp-session-id': transport.sessionId!, 'mcp-protocol-version': '2025-06-18' };
    const post = (body: unknown, contentType = 'application/json') =>
      fetch(`${suite.t.url}/mcp`, {
        method: 'POST',
        headers: { ...session, 'content-type': contentType, accept: 'application/json, text/event-stream' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
    return { client, state, session, post };
  }

  const sendCall = (id: string, jid: string, message: string) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'send_message', arguments: { recipient_jid: jid, message } } });

  it('a session ended while calls wait for approval answers them with 404 instead of leaving them open', async () => {
    await settings({ send_mode: 'confirm' });
    const contact = suite.t.app.simulator!.contacts[3]!;
    const { client, state, session, post } = await stalledApprover('ended-agent');
    try {
      // One call as SDK clients send it, one with a charset parameter (served through the SDK's own transport).
      const viaClient = client
        .callTool({ name: 'send_message', arguments: { recipient_jid: contact.jid, message: 'nobody decided' } }, undefined, { timeout: 20_000 })
        .then(() => null, (e: unknown) => e);
      const viaSdk = post(sendCall('raw-1', contact.jid, 'nobody decided either'), 'application/json; charset=utf-8');
      await eventually(() => state.questions === 2, 10_000);
      const del = await fetch(`${suite.t.url}/mcp`, { method: 'DELETE', headers: session });
      expect(del.status).toBe(200);
      const err = await viaClient;
      expect(err).toBeInstanceOf(StreamableHTTPError);
      expect((err as StreamableHTTPError).code).toBe(404);
      expect((await viaSdk).status).toBe(404);
      expect(receivedBy(contact.jid).filter((t) => t.startsWith('nobody decided'))).toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('a request id still being answered cannot be reused; a cancelled call ends its HTTP request with 202', async () => {
    await settings({ send_mode: 'confirm' });
    const contact = suite.t.app.simulator!.contacts[4]!;
    const { client, state, post } = await stalledApprover('reusing-agent');
    try {
      const waiting = post(sendCall('dup-1', contact.jid, 'held'));
      await eventually(() => state.questions === 1, 10_000);
      const reused = await post({ jsonrpc: '2.0', id: 'dup-1', method: 'tools/call', params: { name: 'ping', arguments: {} } });
      expect(reused.status).toBe(400);
      expect(await reused.json()).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/still being answered.*new id/) } });
      const other = await post({ jsonrpc: '2.0', id: 'dup-2', method: 'tools/call', params: { name: 'ping', arguments: {} } });
      expect(await other.json()).toMatchObject({ id: 'dup-2', result: { structuredContent: { message: 'pong' } } });
      const cancel = await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'dup-1', reason: 'changed my mind' } });
      expect(cancel.status).toBe(202);
      const held = await waiting;
      expect(held.status).toBe(202);
      expect(await held.text()).toBe('');
      expect(receivedBy(contact.jid)).not.toContain('held');
    } finally {
      await client.close();
    }
  });

  it('without elicitation: pending_approval, the owner approves (sent once) or rejects (nothing sent)', async () => {
    await settings({ send_mode: 'confirm' });
    const contact = suite.t.app.simulator!.contacts[1]!;
    const pending = await callOk<{ status: string; sendId: string; expiresAt: string; recipient: string; next: string }>(suite.client, 'send_message', {
      recipient_jid: contact.jid,
      message: 'approve me',
    });
    expect(pending).toMatchObject({ status: 'pending_approval', recipient: expect.stringContaining(contact.number) });
    expect(Date.parse(pending.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect(pending.next).toMatch(/get_send_status/);
    expect((await callOk<{ status: string }>(suite.client, 'get_send_status', { send_id: pending.sendId })).status).toBe('pending_approval');
    const queue = (await (await suite.t.api('/api/sends')).json()) as { sends: Array<{ sendId: string }>; counts: Record<string, number> };
    expect(queue.sends.map((s) => s.sendId)).toContain(pending.sendId);
    expect(queue.counts.pending_approval).toBeGreaterThanOrEqual(1);
    expect(receivedBy(contact.jid)).not.toContain('approve me');

    const approved = await suite.t.api(`/api/sends/${pending.sendId}/approve`, { method: 'POST' });
    expect(approved.status).toBe(200);
    await eventually(async () => (await callOk<{ status: string }>(suite.client, 'get_send_status', { send_id: pending.sendId })).status === 'sent', 10_000);
    const done = await callOk<{ status: string; result: { messageId: string }; decidedBy: string }>(suite.client, 'get_send_status', { send_id: pending.sendId });
    expect(done.decidedBy).toBe('admin');
    expect(receivedBy(contact.jid).filter((t) => t === 'approve me')).toHaveLength(1);
    expect(done.result.messageId).toMatch(/^.+:3EB0[0-9A-F]{36}$/);
    // Approving twice is refused with the state it is in.
    const again = await suite.t.api(`/api/sends/${pending.sendId}/approve`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(await again.text()).toMatch(/already sent/);

    const other = await callOk<{ sendId: string }>(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'reject me' });
    expect((await suite.t.api(`/api/sends/${other.sendId}/reject`, { method: 'POST' })).status).toBe(200);
    expect((await callOk<{ status: string }>(suite.client, 'get_send_status', { send_id: other.sendId })).status).toBe('rejected');
    expect(receivedBy(contact.jid)).not.toContain('reject me');

    // The agent can cancel its own pending send; a retry with the same idempotency key finds the same one.
    const third = await callOk<{ sendId: string }>(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'cancel me', idempotency_key: 'k-cancel' });
    const retry = await callOk<{ sendId: string }>(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'cancel me', idempotency_key: 'k-cancel' });
    expect(retry.sendId).toBe(third.sendId);
    expect(await callErr(suite.client, 'send_message', { recipient_jid: contact.jid, message: 'something else', idempotency_key: 'k-cancel' })).toMatch(/used for a different write/);
    expect((await callOk<{ status: string }>(suite.client, 'cancel_send', { send_id: third.sendId })).status).toBe('cancelled');
    expect(await callErr(suite.client, 'cancel_send', { send_id: third.sendId })).toMatch(/already cancelled/);
    const listed = await callOk<{ sends: Array<{ sendId: string }> }>(suite.client, 'list_outbox', { status: ['sent', 'rejected', 'cancelled'] });
    expect(listed.sends.map((s) => s.sendId)).toEqual(expect.arrayContaining([pending.sendId, other.sendId, third.sendId]));

    // A bad call is refused before it can wait for anyone's approval.
    expect(await callErr(suite.client, 'send_message', { recipient_jid: 'not-a-recipient', message: 'x' })).toMatch(/not a WhatsApp/);
    expect(await callErr(suite.client, 'react_to_message', { message_id: 'NOSUCHKEY123', emoji: '👍' })).toMatch(/No message with id NOSUCHKEY123/);

    // One audit line per decision, in order.
    const lines = (await auditLines()).filter((l) => [pending.sendId, other.sendId, third.sendId].includes(l.sendId ?? ''));
    expect(lines.map((l) => [l.decision, l.result])).toEqual([
      ['pending', 'pending'],
      ['approved', 'queued'],
      ['approved', 'sent'],
      ['pending', 'pending'],
      ['rejected', 'not sent'],
      ['pending', 'pending'],
      ['cancelled', 'not sent'],
    ]);
  });
});
