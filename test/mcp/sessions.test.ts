/** Streamable HTTP session management: 400/404/503, DELETE, idle expiry, JSON vs SSE, 50 concurrent sessions. */
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { ALICE, MCP_TOKEN, callOk, connectClient, openApp, seed, startMcpApp, type McpTestApp } from './helpers.js';

let t: McpTestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

const AUTH = { Authorization: `Bearer ${MCP_TOKEN}` };
const POST_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

function rawPost(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${url}/mcp`, { method: 'POST', headers: { ...POST_HEADERS, ...headers }, body: JSON.stringify(body) });
}

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-test', version: '1.0.0' } },
};
const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };

/** initialize + initialized over raw HTTP; returns the session id. */
async function rawSession(url: string): Promise<string> {
  const res = await rawPost(url, INIT);
  expect(res.status).toBe(200);
  const id = res.headers.get('mcp-session-id');
  expect(id).toBeTruthy();
  await res.text();
  const ack = await rawPost(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id!, 'mcp-protocol-version': '2025-06-18' });
  expect(ack.status).toBe(202);
  return id!;
}

describe('session protocol', () => {
  it('requires the MCP bearer token', async () => {
    t = await startMcpApp();
    const res = await fetch(`${t.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(INIT) });
    expect(res.status).toBe(401);
  });

  it('answers 400 to a non-initialize request without a session id, and 404 to an unknown one', async () => {
    t = await startMcpApp();
    let res = await rawPost(t.url, LIST);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { message: expect.stringMatching(/initialize/) } });
    res = await rawPost(t.url, LIST, { 'mcp-session-id': 'no-such-session' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: expect.stringMatching(/initialize a new session/) } });
    res = await fetch(`${t.url}/mcp`, { headers: { ...AUTH, accept: 'text/event-stream', 'mcp-session-id': 'no-such-session' } });
    expect(res.status).toBe(404);
    res = await fetch(`${t.url}/mcp`, { method: 'DELETE', headers: { ...AUTH, 'mcp-session-id': 'no-such-session' } });
    expect(res.status).toBe(404);
    res = await fetch(`${t.url}/mcp`, { method: 'POST', headers: POST_HEADERS, body: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
    res = await fetch(`${t.url}/mcp`, { method: 'PUT', headers: AUTH });
    expect(res.status).toBe(405);
    expect(t.app.mcp.stats().sessions).toBe(0);
  });

  it('answers JSON by default and SSE when MCP_HTTP_ENABLE_JSON_RESPONSE=0; GET opens the notification stream', async () => {
    t = await startMcpApp();
    const id = await rawSession(t.url);
    const res = await rawPost(t.url, LIST, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { result: { tools: Array<{ name: string }> } };
    expect(body.result.tools.length).toBeGreaterThanOrEqual(26); // 26 core tools + module tools (media)
    expect(body.result.tools.map((x) => x.name)).toContain('send_message');
    const ctrl = new AbortController();
    const stream = await fetch(`${t.url}/mcp`, {
      headers: { ...AUTH, accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
      signal: ctrl.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    await eventually(() => t!.app.mcp.stats().openStreams === 1);
    ctrl.abort();
    await eventually(() => t!.app.mcp.stats().openStreams === 0);
    await t.stop();

    t = await startMcpApp({ env: { MCP_HTTP_ENABLE_JSON_RESPONSE: '0' } });
    const id2 = await rawSession(t.url);
    const sse = await rawPost(t.url, LIST, { 'mcp-session-id': id2, 'mcp-protocol-version': '2025-06-18' });
    expect(sse.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect(await sse.text()).toMatch(/^data: .*"tools":\[/m);
  });

  it('the everyday call (one request, headers SDK clients send) is answered exactly as the SDK would; anything else still meets its checks', async () => {
    t = await startMcpApp();
    const id = await rawSession(t.url);
    const session = { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' };
    const call = { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'ping', arguments: {} } };
    // Served directly, and through the SDK's own transport (a content type with parameters is left to it).
    const direct = await rawPost(t.url, call, session);
    const viaSdk = await rawPost(t.url, call, { ...session, 'content-type': 'application/json; charset=utf-8' });
    for (const res of [direct, viaSdk]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('mcp-session-id')).toBe(id);
    }
    type Answer = { id: number; result: { structuredContent: { message: string } } };
    const a = (await direct.json()) as Answer;
    const b = (await viaSdk.json()) as Answer;
    expect(a.id).toBe(7);
    expect([a.result.structuredContent.message, b.result.structuredContent.message]).toEqual(['pong', 'pong']);
    expect(Object.keys(a.result).sort()).toEqual(Object.keys(b.result).sort());
    // String ids and unknown methods keep JSON-RPC's answers.
    const unknown = await rawPost(t.url, { jsonrpc: '2.0', id: 'x-1', method: 'no/such_method', params: {} }, session);
    expect(await unknown.json()).toMatchObject({ jsonrpc: '2.0', id: 'x-1', error: { code: -32601 } });
    // The checks the SDK makes still apply, with its words.
    let res = await rawPost(t.url, call, { ...session, accept: 'application/json' });
    expect(res.status).toBe(406);
    res = await rawPost(t.url, call, { ...session, 'mcp-protocol-version': '1999-01-01' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/Unsupported protocol version/) } });
    res = await rawPost(t.url, { id: 8, method: 'tools/call', params: { name: 'ping', arguments: {} } }, session);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: -32700 } });
    res = await rawPost(t.url, { jsonrpc: '2.0', id: 9, method: 'initialize', params: INIT.params }, session);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/already initialized/) } });
    expect(t.app.mcp.stats()).toMatchObject({ sessions: 1, requests: 0 });
  });

  it('DELETE ends a session; the SDK client gets 404 for an ended session and recovers by re-initialising', async () => {
    t = (await openApp()).t;
    seed(t.app.store);
    const client = await connectClient(t.url);
    const transport = client.transport as StreamableHTTPClientTransport;
    const oldId = transport.sessionId!;
    expect(t.app.mcp.stats().sessions).toBe(1);
    // The server forgets the session (as after a restart): end it behind the client's back.
    const del = await fetch(`${t.url}/mcp`, { method: 'DELETE', headers: { ...AUTH, 'mcp-session-id': oldId, 'mcp-protocol-version': '2025-06-18' } });
    expect(del.status).toBe(200);
    await eventually(() => t!.app.mcp.stats().sessions === 0);
    const err = await client.callTool({ name: 'ping', arguments: {} }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StreamableHTTPError);
    expect((err as StreamableHTTPError).code).toBe(404);
    // Recovery: a fresh initialize on a new transport.
    await client.close();
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: AUTH } }),
    );
    expect((client.transport as StreamableHTTPClientTransport).sessionId).not.toBe(oldId);
    expect(await callOk(client, 'get_chat_by_id', { jid: ALICE })).toMatchObject({ chat: { id: ALICE } });
    // The SDK's own DELETE works too.
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await eventually(() => t!.app.mcp.stats().sessions === 0);
    await client.close();
  });

  it('expires idle sessions after MCP_SESSION_IDLE_MS', async () => {
    t = await startMcpApp({ env: { MCP_SESSION_IDLE_MS: '200' } });
    const id = await rawSession(t.url);
    expect(t.app.mcp.stats().sessions).toBe(1);
    await eventually(() => t!.app.mcp.stats().sessions === 0, 5_000);
    const res = await rawPost(t.url, LIST, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' });
    expect(res.status).toBe(404);
  });

  it('answers 503 with a clear message at the session cap, and accepts again once a session ends', async () => {
    t = await startMcpApp({ env: { MCP_MAX_SESSIONS: '2' } });
    const a = await rawSession(t.url);
    await rawSession(t.url);
    const res = await rawPost(t.url, INIT);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(await res.json()).toMatchObject({ error: { message: expect.stringMatching(/Too many MCP sessions \(limit 2\).*MCP_MAX_SESSIONS/) } });
    const del = await fetch(`${t.url}/mcp`, { method: 'DELETE', headers: { ...AUTH, 'mcp-session-id': a, 'mcp-protocol-version': '2025-06-18' } });
    expect(del.status).toBe(200);
    await eventually(() => t!.app.mcp.stats().sessions === 1);
    await rawSession(t.url);
    expect(t.app.mcp.stats().sessions).toBe(2);
  });
});

describe('concurrency', () => {
  it('serves 50 concurrent sessions calling tools', async () => {
    t = (await openApp()).t;
    seed(t.app.store);
    const clients = await Promise.all(Array.from({ length: 50 }, (_, i) => connectClient(t!.url, `client-${i}`)));
    expect(t.app.mcp.stats().sessions).toBe(50);
    const ids = new Set(clients.map((c) => (c.transport as StreamableHTTPClientTransport).sessionId));
    expect(ids.size).toBe(50);
    const results = await Promise.all(
      clients.map(async (c, i) => {
        const chats = await callOk<{ chats: Array<{ id: string }> }>(c, 'list_chats', { limit: 5 });
        const hits = await callOk<{ hits: unknown[] }>(c, 'search_messages', { query: 'lighthouse' });
        const msg = await callOk<{ message: { id: string } }>(c, 'get_message_by_id', { message_id: `${ALICE}:A0${String(i % 30).padStart(2, '0')}` });
        return { chats: chats.chats.length, hits: hits.hits.length, msg: msg.message.id, i };
      }),
    );
    for (const r of results) {
      expect(r).toEqual({ chats: 5, hits: 2, msg: `A0${String(r.i % 30).padStart(2, '0')}`, i: r.i });
    }
    await Promise.all(clients.map(async (c) => {
      await (c.transport as StreamableHTTPClientTransport).terminateSession();
      await c.close();
    }));
    await eventually(() => t!.app.mcp.stats().sessions === 0);
  });
});
