/**
 * Issue #17 item 5: the server does not re-validate its own tool results against their output schemas
 * unless MCP_VALIDATE_TOOL_OUTPUT=1; tools/list still advertises every output schema either way.
 * A services stand-in returns a page that breaks list_chats' schema, so the check is observable.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { McpDeps } from '../../src/mcp/deps.js';
import { silentLogger } from '../../src/logger.js';
import { McpHub } from '../../src/mcp/hub.js';
import { createMcpServer } from '../../src/mcp/server.js';
import type { Services } from '../../src/services/index.js';
import { startMcpApp, type McpTestApp } from './helpers.js';

let t: McpTestApp | undefined;
afterEach(async () => {
  await t?.stop();
  t = undefined;
});

async function callListChats(validate: boolean) {
  t = await startMcpApp({ env: validate ? { MCP_VALIDATE_TOOL_OUTPUT: '1' } : {} });
  const services = Object.create(t.app.services) as Services;
  // A chat without its required fields: what a schema check would refuse.
  Object.defineProperty(services, 'chats', { value: { list: () => ({ items: [{ bogus: true }] }) } });
  const deps: McpDeps = { config: t.app.config, runtime: t.app.runtime, store: t.app.store, logger: silentLogger(), services, media: t.app.media.service };
  const hub = new McpHub(deps);
  const session = createMcpServer(deps, hub);
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
  await session.server.connect(serverSide);
  const client = new Client({ name: 'validation-test', version: '1' });
  await client.connect(clientSide);
  const r = (await client.callTool({ name: 'list_chats', arguments: {} })) as CallToolResult;
  // Listing afterwards: the advertised schema is there in both modes (the client would now validate).
  const listed = (await client.listTools()).tools.find((x) => x.name === 'list_chats');
  await client.close();
  session.dispose();
  hub.close();
  return { r, listed };
}

describe('tool output validation', () => {
  it('is skipped by default: our own result goes out as built, the schema is still advertised', async () => {
    const { r, listed } = await callListChats(false);
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ chats: [{ bogus: true }] });
    expect(listed?.outputSchema).toMatchObject({ type: 'object', properties: { chats: { type: 'array' } } });
  });

  it('runs with MCP_VALIDATE_TOOL_OUTPUT=1 (the SDK default)', async () => {
    const { r, listed } = await callListChats(true);
    expect(r.isError).toBe(true);
    expect(JSON.stringify(r.content)).toMatch(/Output validation error/);
    expect(listed?.outputSchema).toBeDefined();
  });
});
