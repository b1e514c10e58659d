/** The per-session server factory: tools owned by other modules (media) plug in and appear in the cached list. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import type { McpDeps } from '../../src/mcp/deps.js';
import { McpHub } from '../../src/mcp/hub.js';
import { createMcpServer } from '../../src/mcp/server.js';
import { createRuntime } from '../../src/runtime/index.js';
import { createServices } from '../../src/services/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { disconnectedGateway } from '../../src/whatsapp/disconnected-gateway.js';
import { idleEngine } from '../../src/whatsapp/engine.js';

let dir: string | undefined;
let store: Store | undefined;
afterEach(() => {
  store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = undefined;
  dir = undefined;
});

it('registers extraTools on every session and lists them with the core tools', async () => {
  dir = mkdtempSync(join(tmpdir(), 'wa-mcp-factory-'));
  store = openStore(join(dir, 'store.sqlite'));
  const config = loadConfig({ DATA_DIR: dir }, []);
  const runtime = createRuntime({ lifecycle: config.lifecycle, engine: idleEngine, logger: silentLogger() });
  const deps: McpDeps = {
    config,
    runtime,
    store,
    gateway: disconnectedGateway(),
    logger: silentLogger(),
    extraTools: (server) =>
      server.registerTool(
        'echo_extra',
        {
          description: 'Echoes its input (test tool registered through extraTools)',
          inputSchema: z.object({ text: z.string().max(10) }),
          outputSchema: z.object({ echoed: z.string() }),
          annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
        },
        ({ text }) => ({ content: [{ type: 'text', text: JSON.stringify({ echoed: text }) }], structuredContent: { echoed: text } }),
      ),
  };
  const services = createServices(deps);
  const hub = new McpHub(deps);
  const toolDeps = { ...deps, services };
  const clients: Client[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const { server } = createMcpServer(toolDeps, hub);
      const [a, b] = InMemoryTransport.createLinkedPair();
      await server.connect(a);
      const client = new Client({ name: `factory-${i}`, version: '1.0.0' });
      await client.connect(b);
      clients.push(client);
      const { tools } = await client.listTools();
      expect(tools).toHaveLength(27);
      expect(tools.find((x) => x.name === 'echo_extra')).toMatchObject({
        inputSchema: { properties: { text: { type: 'string', maxLength: 10 } } },
        outputSchema: { properties: { echoed: { type: 'string' } } },
      });
      expect(await client.callTool({ name: 'echo_extra', arguments: { text: `hi ${i}` } })).toMatchObject({ structuredContent: { echoed: `hi ${i}` } });
      expect(await client.callTool({ name: 'echo_extra', arguments: { text: 'far too long for it' } })).toMatchObject({ isError: true });
    }
    expect(hub.size).toBe(2);
  } finally {
    for (const c of clients) await c.close();
    hub.close();
    services.close();
  }
});
