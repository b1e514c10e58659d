/**
 * Issue #12 item 14: progress notifications reach SDK clients before the result in every response mode.
 * The real Baileys backend against the simulator (three seeded groups); `run_group_audit` with
 * `refresh_group_info` reports 0..3 of 3. In the default JSON-response mode a request carrying a progress
 * token is answered as an SSE stream, so its notifications cannot trail the result on the GET stream.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/app.js';
import { MCP_TOKEN, connectClient, startMcpApp, type McpTestApp } from './helpers.js';

const AUTH = { Authorization: `Bearer ${MCP_TOKEN}` };
const POST_HEADERS = { ...AUTH, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

describe.each([
  ['JSON responses (default)', {}],
  ['SSE responses', { MCP_HTTP_ENABLE_JSON_RESPONSE: '0' }],
])('progress with %s', (_name, env: Record<string, string>) => {
  let t: McpTestApp;
  let client: Client;
  beforeAll(async () => {
    t = await startMcpApp({ simulator: true, env: { WA_SIMULATOR: '1', ...env } });
    await t.app.runtime.waitFor((s) => s.state === 'open', 25_000);
    await eventually(() => t.app.store.groups.memberships().size > 0 && t.app.simulator!.groups.every((g) => t.app.store.groups.get(g.jid) !== null), 10_000);
    client = await connectClient(t.url);
  }, 40_000);
  afterAll(async () => {
    await client?.close();
    await t?.stop();
  });

  it('run_group_audit delivers every progress notification before its result', async () => {
    // A GET stream is open (the SDK client opens one): before the fix, progress went there and lost the race.
    await eventually(() => t.app.mcp.stats().openStreams >= 1);
    for (let round = 0; round < 3; round++) {
      const progress: Progress[] = [];
      const r = (await client.callTool({ name: 'run_group_audit', arguments: { refresh_group_info: true } }, CallToolResultSchema, {
        onprogress: (p) => progress.push(p),
      })) as CallToolResult;
      // Snapshot at the moment the result resolved: anything later was dropped by the client.
      const seen = progress.map((p) => [p.progress, p.total]);
      expect(r.isError).toBeFalsy();
      expect(r.structuredContent).toMatchObject({ summary: { groupsAnalyzed: 3, refreshed: 3, refreshFailed: 0, source: 'live' } });
      expect(seen).toEqual([
        [0, 3],
        [1, 3],
        [2, 3],
        [3, 3],
      ]);
    }
  });

  it('answers a request with a progress token as text/event-stream, progress events first, result last', async () => {
    const init = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: POST_HEADERS,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    const headers = { ...POST_HEADERS, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    await (await fetch(`${t.url}/mcp`, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
    const res = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'run_group_audit', arguments: { refresh_group_info: true }, _meta: { progressToken: 'tok-7' } },
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('mcp-session-id')).toBe(sid);
    const events = (await res.text())
      .split('\n\n')
      .flatMap((block) => block.split('\n').filter((l) => l.startsWith('data: ') && l.length > 'data: '.length))
      .map((l) => JSON.parse(l.slice('data: '.length)) as { id?: number; method?: string; params?: { progressToken?: string; progress?: number } });
    expect(events.map((e) => (e.method === 'notifications/progress' ? `p${e.params?.progress}` : `r${e.id}`))).toEqual(['p0', 'p1', 'p2', 'p3', 'r7']);
    expect(events.slice(0, 4).every((e) => e.params?.progressToken === 'tok-7')).toBe(true);

    // Without a progress token the default mode still answers plain JSON.
    if (!env.MCP_HTTP_ENABLE_JSON_RESPONSE) {
      const plain = await fetch(`${t.url}/mcp`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'run_group_audit', arguments: { refresh_group_info: true } } }),
      });
      expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await plain.json()).toMatchObject({ id: 8, result: { structuredContent: { summary: { refreshed: 3 } } } });
    }
    await (await fetch(`${t.url}/mcp`, { method: 'DELETE', headers })).text();
  });
});
