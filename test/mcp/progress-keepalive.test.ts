/**
 * A JSON-mode request answered as SSE because it asked for progress stays alive while the tool is silent:
 * comment frames keep the socket active, so the HTTP server's idle timeout (which cuts silent sockets)
 * does not kill a long tool between two progress events. Short intervals stand in for 15 s / 30 s.
 * And a plain JSON answer is not cut either: the socket's idle timeout is off while a request is served.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SessionTransport } from '../../src/mcp/session-transport.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { scriptedEngine } from '../helpers/scripted-engine.js';
import { ALICE, GROUP_BOOK, GROUP_HIKE, ME, connectClient, recordingGateway, seed } from './helpers.js';

const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server?.closeAllConnections();
});

it('keeps a progress stream open past the idle timeout while the tool is silent, then delivers the result', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const mcp = new McpServer({ name: 'keepalive-test', version: '1' });
  mcp.registerTool('slow', { description: 'reports once, then waits' }, async (extra) => {
    await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: extra._meta!.progressToken!, progress: 0, total: 1 } });
    await gate;
    return { content: [{ type: 'text', text: 'done' }] };
  });
  const transport = new SessionTransport({ jsonResponse: true, keepAliveMs: 50, onsessioninitialized: () => undefined, onsessionclosed: () => undefined });
  await mcp.connect(transport);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void transport.handle(req, res, chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined));
  });
  // What src/http/connection-guard.ts does with its idle timeout: a silent socket is destroyed.
  server.setTimeout(200, (socket) => socket.destroy());
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;

  const init = await fetch(url, {
    method: 'POST',
    headers: HEADERS,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }),
  });
  const sid = init.headers.get('mcp-session-id')!;
  await init.text();
  const headers = { ...HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
  await (await fetch(url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();

  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow', arguments: {}, _meta: { progressToken: 9 } } }),
  });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  // Ten comment frames at 50 ms: the stream has outlived the 200 ms idle timeout more than twice over.
  while ((text.match(/^: keepalive$/gm) ?? []).length < 10) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended early: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  release();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  const data = text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6)) as { method?: string; id?: number; result?: unknown });
  expect(data.map((d) => d.method ?? `r${d.id}`)).toEqual(['notifications/progress', 'r2']);
  expect(data[1]!.result).toEqual({ content: [{ type: 'text', text: 'done' }] });
  await mcp.close();
});

it('a JSON answer that takes longer than the idle timeout is still delivered (the socket waits for the tool)', async () => {
  const engine = scriptedEngine();
  const gateway = recordingGateway();
  const t = await startTestApp({}, { engine: engine.factory, gateway, idleTimeoutMs: 300 });
  try {
    gateway.sink = { store: t.app.store, notify: (ids) => t.app.mcp.notifyNewMessages(ids) };
    engine.emit({ type: 'ENGINE.OPEN', me: { id: ME, name: 'Me' } });
    await t.app.runtime.waitFor((s) => s.state === 'open', 2_000);
    seed(t.app.store);
    gateway.groups.set(GROUP_HIKE, { id: GROUP_HIKE, subject: 'Weekend Hikers', participants: [{ jid: ALICE, admin: null }] });
    gateway.groups.set(GROUP_BOOK, { id: GROUP_BOOK, subject: 'Book Club', participants: [{ jid: ALICE, admin: null }] });
    let release!: () => void;
    gateway.metaGate = new Promise<void>((r) => (release = r));
    const client = await connectClient(t.url);
    const call = client.callTool({ name: 'run_group_audit', arguments: { refresh_group_info: true } });
    await eventually(() => t.app.mcp.stats().requests === 1);
    // Three idle timeouts of silence on the request's socket (this is the condition under test, not a sync).
    await new Promise((r) => setTimeout(r, 900));
    release();
    const r = (await call) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toMatchObject({ summary: { refreshed: 2 } });
    await client.close();
  } finally {
    await t.stop();
  }
});
