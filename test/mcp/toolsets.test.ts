/**
 * MCP_TOOLSETS (issue #15): every tool belongs to exactly one toolset, a client of a reduced server lists
 * and can call only those tools, and a bad value stops start-up naming the variable and the valid sets.
 */
import { afterEach, expect, it } from 'vitest';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { TOOLSETS, toolsetOf } from '../../src/mcp/tools/toolsets.js';
import { callOk, connectClient, startMcpApp, type McpTestApp } from './helpers.js';

let t: McpTestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

it('puts every tool in one toolset, and every toolset name is a tool', async () => {
  t = await startMcpApp();
  const client = await connectClient(t.url);
  const names = (await client.listTools()).tools.map((x) => x.name);
  expect(names.filter((n) => toolsetOf(n) === undefined)).toEqual([]);
  // No stale names: the sets list exactly the registered tools.
  const listed = TOOLSETS.flatMap((s) => names.filter((n) => toolsetOf(n) === s));
  expect(listed.sort()).toEqual([...names].sort());
  await client.close();
});

it('MCP_TOOLSETS=read lists and serves only the reading tools: a smaller tools/list, writes unknown', async () => {
  t = await startMcpApp();
  const full = await connectClient(t.url);
  const all = await full.listTools();
  await full.close();
  await t.stop();

  t = await startMcpApp({ env: { MCP_TOOLSETS: 'read' } });
  const client = await connectClient(t.url);
  const reduced = await client.listTools();
  const names = reduced.tools.map((x) => x.name);
  expect(names.length).toBeGreaterThan(10);
  expect(names.every((n) => toolsetOf(n) === 'read')).toBe(true);
  expect(names).toEqual(all.tools.map((x) => x.name).filter((n) => toolsetOf(n) === 'read'));
  expect(JSON.stringify(reduced).length).toBeLessThan(JSON.stringify(all).length / 2);
  expect(await callOk(client, 'ping')).toMatchObject({ pong: true });
  const refused = (await client.callTool({ name: 'send_message', arguments: { recipient_jid: '447700900001', message: 'hi' } })) as CallToolResult;
  expect(refused.isError).toBe(true);
  expect(JSON.stringify(refused.content)).toMatch(/send_message/);
  await client.close();
});

it('refuses an unknown toolset at start-up, naming the variable and the valid sets', () => {
  expect(loadConfig({ MCP_TOOLSETS: 'read, send ,MEDIA' }, []).mcp.toolsets).toEqual(['read', 'send', 'media']);
  expect(loadConfig({}, []).mcp.toolsets).toEqual([...TOOLSETS]);
  expect(() => loadConfig({ MCP_TOOLSETS: 'read,everything' }, [])).toThrow(ConfigError);
  expect(() => loadConfig({ MCP_TOOLSETS: 'read,everything' }, [])).toThrow(/MCP_TOOLSETS.*unknown toolset everything.*read, send, media, groups, admin/);
});
